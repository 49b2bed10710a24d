//! Telnet: refuses every option the server asks about (`DO` is answered `WONT`, `WILL` with
//! `DONT`), so the server goes on to its login text; reports that text and the options the
//! server asked for.

use super::{app, Found};

pub const IAC: u8 = 255;
const WILL: u8 = 251;
const WONT: u8 = 252;
const DO: u8 = 253;
const DONT: u8 = 254;
const SB: u8 = 250;
const SE: u8 = 240;

#[derive(Default)]
pub struct Telnet {
    /// Bytes of an IAC sequence cut by a segment boundary.
    pending: Vec<u8>,
    in_sub: bool,
    text: Vec<u8>,
    /// Options the server asked us to do (`DO`) or offered (`WILL`), in order, once each.
    options: Vec<(u8, u8)>,
}

impl Telnet {
    pub fn data(&mut self, d: &[u8], out: &mut Vec<u8>) -> bool {
        let mut buf = std::mem::take(&mut self.pending);
        buf.extend_from_slice(d);
        let mut i = 0;
        while i < buf.len() {
            let c = buf[i];
            if self.in_sub {
                if c == IAC && buf.get(i + 1) == Some(&SE) {
                    self.in_sub = false;
                    i += 2;
                } else if c == IAC && i + 1 == buf.len() {
                    break;
                } else {
                    i += 1;
                }
                continue;
            }
            if c != IAC {
                if c != 0 && c != b'\r' {
                    self.text.push(c);
                }
                i += 1;
                continue;
            }
            let Some(&cmd) = buf.get(i + 1) else { break };
            match cmd {
                WILL | WONT | DO | DONT => {
                    let Some(&opt) = buf.get(i + 2) else { break };
                    if (cmd == DO || cmd == WILL) && !self.options.contains(&(cmd, opt)) {
                        self.options.push((cmd, opt));
                        let answer = if cmd == DO { WONT } else { DONT };
                        out.extend_from_slice(&[IAC, answer, opt]);
                    }
                    i += 3;
                }
                SB => {
                    self.in_sub = true;
                    i += 2;
                }
                IAC => {
                    self.text.push(IAC);
                    i += 2;
                }
                _ => i += 2,
            }
        }
        self.pending = buf[i.min(buf.len())..].to_vec();
        // A prompt ends the greeting.
        let t = trim_end(&self.text);
        t.ends_with(b":") || t.ends_with(b">") || t.ends_with(b"$") || t.ends_with(b"#")
    }

    pub fn finish(self, found: &mut Vec<Found>) {
        let mut text = trim_end(&self.text).to_vec();
        while text.first().is_some_and(|c| c.is_ascii_whitespace()) {
            text.remove(0);
        }
        if !self.options.is_empty() {
            if !text.is_empty() {
                text.push(b'\n');
            }
            let opts: Vec<String> = self
                .options
                .iter()
                .map(|&(cmd, opt)| {
                    format!(
                        "{} {}",
                        if cmd == DO { "DO" } else { "WILL" },
                        option_name(opt)
                    )
                })
                .collect();
            text.extend_from_slice(format!("options: {}", opts.join(", ")).as_bytes());
        }
        if !text.is_empty() {
            found.push(Found::new(app::TELNET, text));
        }
    }
}

fn trim_end(t: &[u8]) -> &[u8] {
    let end = t
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |e| e + 1);
    &t[..end]
}

fn option_name(opt: u8) -> String {
    match opt {
        0 => "binary".into(),
        1 => "echo".into(),
        3 => "suppress-go-ahead".into(),
        5 => "status".into(),
        6 => "timing-mark".into(),
        24 => "terminal-type".into(),
        31 => "window-size".into(),
        32 => "terminal-speed".into(),
        33 => "flow-control".into(),
        34 => "linemode".into(),
        35 => "x-display".into(),
        36 => "environ".into(),
        37 => "authentication".into(),
        38 => "encryption".into(),
        39 => "new-environ".into(),
        n => n.to_string(),
    }
}
