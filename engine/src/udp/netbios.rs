//! NetBIOS node status replies (RFC 1002 §4.2.18): every name of the node with its suffix
//! (`WORKSTATION    <00>`), one per line, then the adapter's MAC (`00-11-22-33-44-55`). The
//! transaction id carries our cookie ([`super::payloads`]).

use std::fmt::Write as _;

/// Most names reported from one reply (a name table lists at most 255).
const MAX_NAMES: usize = 255;

pub fn banner(msg: &[u8]) -> Option<Vec<u8>> {
    // Header: id, flags (a response), counts; then the answer's name.
    let flags = u16::from_be_bytes(msg.get(2..4)?.try_into().ok()?);
    if flags & 0x8000 == 0 || u16::from_be_bytes(msg.get(6..8)?.try_into().ok()?) == 0 {
        return None;
    }
    let mut at = 12;
    // The name: length-prefixed labels ending with 0, or a compression pointer.
    loop {
        let len = *msg.get(at)? as usize;
        if len == 0 {
            at += 1;
            break;
        }
        if len & 0xc0 == 0xc0 {
            at += 2;
            break;
        }
        at += 1 + len;
    }
    // Type NBSTAT (0x21), class IN, TTL, RDLENGTH.
    if msg.get(at..at + 2)? != [0, 0x21] {
        return None;
    }
    at += 10;
    let count = *msg.get(at)? as usize;
    at += 1;
    let mut s = String::new();
    for _ in 0..count.min(MAX_NAMES) {
        let Some(entry) = msg.get(at..at + 18) else {
            break;
        };
        name_line(&entry[..16], &mut s);
        at += 18;
    }
    if let Some(mac) = msg.get(at..at + 6) {
        let hex: Vec<String> = mac.iter().map(|b| format!("{b:02X}")).collect();
        s.push_str(&hex.join("-"));
    }
    (!s.is_empty()).then(|| s.into_bytes())
}

/// One name: 15 characters (unprintable ones as `<XX>`) and the suffix byte as `<XX>`.
fn name_line(raw: &[u8], s: &mut String) {
    for &c in &raw[..15] {
        if c == 0 || c == b' ' {
            s.push(' ');
        } else if c.is_ascii_graphic() {
            s.push(char::from(c));
        } else {
            let _ = write!(s, "<{c:02X}>");
        }
    }
    let _ = writeln!(s, "<{:02X}>", raw[15]);
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn node_status(id: u16, names: &[(&str, u8)], mac: [u8; 6]) -> Vec<u8> {
        let mut m = id.to_be_bytes().to_vec();
        m.extend_from_slice(&[0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        m.push(0x20);
        m.extend(std::iter::repeat_n(b'A', 32));
        m.extend_from_slice(&[0, 0, 0x21, 0, 1, 0, 0, 0, 0]);
        let rdlen = 1 + 18 * names.len() + 46;
        m.extend_from_slice(&(rdlen as u16).to_be_bytes());
        m.push(names.len() as u8);
        for (n, suffix) in names {
            let mut raw = [b' '; 18];
            raw[..n.len()].copy_from_slice(n.as_bytes());
            raw[15] = *suffix;
            raw[16..].copy_from_slice(&[0x04, 0]);
            m.extend_from_slice(&raw);
        }
        m.extend_from_slice(&mac);
        m.extend(std::iter::repeat_n(0, 40));
        m
    }

    #[test]
    fn names_and_mac() {
        let r = node_status(
            9,
            &[("LABHOST", 0), ("WORKGROUP", 0x1e)],
            [0, 0x11, 0x22, 0x33, 0x44, 0x55],
        );
        assert_eq!(
            String::from_utf8(banner(&r).unwrap()).unwrap(),
            "LABHOST        <00>\nWORKGROUP      <1E>\n00-11-22-33-44-55"
        );
        for n in 0..r.len() {
            let _ = banner(&r[..n]);
        }
    }

    #[test]
    fn a_table_claiming_more_names_than_it_holds_stops_at_the_end() {
        let mut r = node_status(9, &[("A", 0)], [0; 6]);
        let count_at = 12 + 34 + 10;
        r[count_at] = 255;
        let b = String::from_utf8(banner(&r).unwrap()).unwrap();
        assert!(b.lines().count() <= 4, "{b}");
    }
}
