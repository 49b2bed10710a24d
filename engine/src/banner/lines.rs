//! Line protocols that greet first: FTP (then `AUTH TLS`), SMTP (`EHLO`, then `STARTTLS`), POP3
//! (`CAPA`, `STLS`) and IMAP4 (`CAPABILITY`, `STARTTLS`). Each is a list of steps: read until a
//! reply ends, send the next command. The banner is every line received, joined by `\n` with
//! the `\r` dropped (as masscan writes FTP and SMTP banners). When the server accepts the TLS
//! command, [`Lines::tls_accepted`] says so and the session goes on with a TLS handshake.

use super::{app, Found};

/// How a reply ends.
#[derive(Clone, Copy)]
enum End {
    /// An FTP/SMTP reply: a line `DDD text` (a `DDD-` line continues it).
    Code,
    /// One line.
    OneLine,
    /// A POP3 multi-line reply: a line `.`, or a first line `-ERR`.
    Dot,
    /// An IMAP tagged reply: a line starting with this tag.
    Tag(&'static [u8]),
}

struct Step {
    until: End,
    /// Sent when the reply has ended; `None` ends the session.
    then: Option<&'static [u8]>,
}

const FTP: &[Step] = &[
    Step {
        until: End::Code,
        then: Some(b"AUTH TLS\r\n"),
    },
    Step {
        until: End::Code,
        then: None,
    },
];
const SMTP: &[Step] = &[
    Step {
        until: End::Code,
        then: Some(b"EHLO masscan\r\n"),
    },
    Step {
        until: End::Code,
        then: Some(b"STARTTLS\r\n"),
    },
    Step {
        until: End::Code,
        then: None,
    },
];
const POP3: &[Step] = &[
    Step {
        until: End::OneLine,
        then: Some(b"CAPA\r\n"),
    },
    Step {
        until: End::Dot,
        then: Some(b"STLS\r\n"),
    },
    Step {
        until: End::OneLine,
        then: None,
    },
];
const IMAP4: &[Step] = &[
    Step {
        until: End::OneLine,
        then: Some(b"a001 CAPABILITY\r\n"),
    },
    Step {
        until: End::Tag(b"a001 "),
        then: Some(b"a002 STARTTLS\r\n"),
    },
    Step {
        until: End::Tag(b"a002 "),
        then: None,
    },
];

pub struct Lines {
    app: u16,
    steps: &'static [Step],
    /// How the reply accepting the TLS command (the last step's) begins.
    tls_yes: &'static [u8],
    tls_accepted: bool,
    step: usize,
    /// Lines in the current reply so far.
    in_reply: usize,
    partial: Vec<u8>,
    text: Vec<u8>,
    done: bool,
}

impl Lines {
    fn new(app: u16, steps: &'static [Step], tls_yes: &'static [u8]) -> Self {
        Self {
            app,
            steps,
            tls_yes,
            tls_accepted: false,
            step: 0,
            in_reply: 0,
            partial: Vec::new(),
            text: Vec::new(),
            done: false,
        }
    }
    pub fn ftp() -> Self {
        Self::new(app::FTP, FTP, b"234")
    }
    pub fn smtp() -> Self {
        Self::new(app::SMTP, SMTP, b"220")
    }
    pub fn pop3() -> Self {
        Self::new(app::POP3, POP3, b"+OK")
    }
    pub fn imap4() -> Self {
        Self::new(app::IMAP4, IMAP4, b"a002 OK")
    }

    pub fn data(&mut self, d: &[u8], out: &mut Vec<u8>) -> bool {
        for &c in d {
            if self.done {
                break;
            }
            if c != b'\n' {
                self.partial.push(c);
                continue;
            }
            let mut line = std::mem::take(&mut self.partial);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            self.line(&line, out);
        }
        self.done
    }

    fn line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        if !self.text.is_empty() {
            self.text.push(b'\n');
        }
        self.text.extend_from_slice(line);
        let first = self.in_reply == 0;
        self.in_reply += 1;
        let step = &self.steps[self.step];
        let ended = match step.until {
            End::Code => {
                line.len() >= 3
                    && line[..3].iter().all(u8::is_ascii_digit)
                    && line.get(3).is_none_or(|&c| c == b' ')
            }
            End::OneLine => true,
            End::Dot => line == b"." || (first && line.starts_with(b"-ERR")),
            End::Tag(t) => line.starts_with(t),
        };
        if !ended {
            return;
        }
        self.in_reply = 0;
        match step.then {
            Some(cmd) => {
                out.extend_from_slice(cmd);
                self.step += 1;
            }
            None => {
                self.tls_accepted = line.starts_with(self.tls_yes);
                self.done = true;
            }
        }
    }

    /// The server accepted `AUTH TLS`/`STARTTLS`/`STLS`: its next bytes are a TLS handshake.
    pub fn tls_accepted(&self) -> bool {
        self.done && self.tls_accepted
    }

    pub fn finish(mut self, found: &mut Vec<Found>) {
        if !self.partial.is_empty() {
            if !self.text.is_empty() {
                self.text.push(b'\n');
            }
            self.text.extend_from_slice(&self.partial);
        }
        if !self.text.is_empty() {
            found.push(Found::new(self.app, self.text));
        }
    }
}
