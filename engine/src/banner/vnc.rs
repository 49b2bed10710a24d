//! VNC: the server's RFB version (`vnc`), then, after we answer with the same version, the
//! security types it offers (`vnc-info`).

use super::{app, Found};

#[derive(Default)]
pub struct Vnc {
    buf: Vec<u8>,
    answered: bool,
}

const VERSION_LEN: usize = 12;

impl Vnc {
    pub fn data(&mut self, d: &[u8], out: &mut Vec<u8>) -> bool {
        self.buf.extend_from_slice(d);
        if self.buf.len() < VERSION_LEN {
            return false;
        }
        let minor = self.minor();
        if !self.answered {
            self.answered = true;
            // We speak the server's version, at most 3.8.
            let v: &[u8] = match minor {
                Some(m) if m >= 8 => b"RFB 003.008\n",
                Some(7) => b"RFB 003.007\n",
                _ => b"RFB 003.003\n",
            };
            out.extend_from_slice(v);
        }
        self.security().is_some()
    }

    fn minor(&self) -> Option<u32> {
        std::str::from_utf8(self.buf.get(8..11)?).ok()?.parse().ok()
    }

    /// The security types, once they are all in (none while the version is still short: a
    /// server may close after `RFB ` and fewer than 8 more bytes).
    fn security(&self) -> Option<Vec<u8>> {
        let rest = self.buf.get(VERSION_LEN..)?;
        if self.minor().unwrap_or(3) >= 7 {
            let n = *rest.first()? as usize;
            if n == 0 {
                // A failure: u32 length and a reason.
                let len = u32::from_be_bytes(rest.get(1..5)?.try_into().ok()?) as usize;
                let reason = rest
                    .get(5..5 + len.min(512))
                    .unwrap_or(&rest[rest.len().min(5)..]);
                return Some(format!("refused: {}", String::from_utf8_lossy(reason)).into_bytes());
            }
            Some(rest.get(1..1 + n)?.to_vec())
        } else {
            let t = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
            Some(vec![t.min(255) as u8])
        }
    }

    pub fn finish(self, found: &mut Vec<Found>) {
        if self.buf.is_empty() {
            return;
        }
        let version = &self.buf[..self.buf.len().min(VERSION_LEN)];
        let version = version.strip_suffix(b"\n").unwrap_or(version);
        found.push(Found::new(app::VNC, version));
        match self.security() {
            Some(s) if s.starts_with(b"refused") => found.push(Found::new(app::VNC_INFO, s)),
            Some(types) => {
                let names: Vec<String> = types.iter().map(|&t| security_name(t)).collect();
                found.push(Found::new(
                    app::VNC_INFO,
                    format!("security: {}", names.join(", ")),
                ));
            }
            None => {}
        }
    }
}

fn security_name(t: u8) -> String {
    let name = match t {
        0 => "invalid",
        1 => "None",
        2 => "VNC Authentication",
        5 => "RA2",
        6 => "RA2ne",
        16 => "Tight",
        17 => "Ultra",
        18 => "TLS",
        19 => "VeNCrypt",
        20 => "GTK-VNC SASL",
        21 => "MD5 hash",
        22 => "Colin Dean xvp",
        30 => "Apple Remote Desktop",
        _ => return format!("{t}"),
    };
    format!("{name}({t})")
}
