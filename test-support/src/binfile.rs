//! The original masscan's `-oB` files as the output tests need them: banner application
//! numbers moved between Debian's 1.3.2 numbering and the current source's (which we follow),
//! and the original's text outputs made comparable with ours (docs/compat-outputs.md).

/// A varint of the binary format (7 bits a byte, high bit: more follow).
fn varint(b: &[u8], at: &mut usize) -> Option<usize> {
    let mut v = 0usize;
    loop {
        let c = *b.get(*at)?;
        *at += 1;
        v = (v << 7) | usize::from(c & 0x7f);
        if c & 0x80 == 0 {
            return Some(v);
        }
    }
}

/// `bin` with each banner record's application number replaced by `map(number)`, or the
/// record left out where `map` gives `None`. Other records and the header are kept as they are.
pub fn rewrite_apps(bin: &[u8], map: impl Fn(u16) -> Option<u16>) -> Vec<u8> {
    let header = bin.len().min(99); // the header pseudo-record: 'a' + 2 bytes
    let mut out = bin[..header].to_vec();
    let mut at = header;
    while at < bin.len() {
        let start = at;
        let (Some(kind), Some(len)) = (varint(bin, &mut at), varint(bin, &mut at)) else {
            out.extend_from_slice(&bin[start..]);
            break;
        };
        let end = (at + len).min(bin.len());
        let mut rec = bin[start..end].to_vec();
        let app_at = match kind {
            9 => Some(at - start + 11),
            13 => Some(at - start + 7),
            _ => None,
        };
        if let Some(p) = app_at.filter(|p| p + 2 <= rec.len()) {
            match map(u16::from_be_bytes([rec[p], rec[p + 1]])) {
                Some(n) => rec[p..p + 2].copy_from_slice(&n.to_be_bytes()),
                None => {
                    at = end;
                    continue;
                }
            }
        }
        out.extend_from_slice(&rec);
        at = end;
    }
    out
}

/// 1.3.2's application number in the current numbering: after 1.3.2 the original added
/// `X509CA` at 16 and `vnc-old` at 23, so 1.3.2's 16-21 (title ... ticketbleed) and 23-30
/// (safe ... http.server) moved up by one, and VNC (22 in 1.3.2) became 33.
pub fn app_from_132(n: u16) -> u16 {
    match n {
        22 => 33,
        16..=21 | 23..=30 => n + 1,
        n => n,
    }
}

/// The current number's 1.3.2 number, when 1.3.2 has that application.
pub fn app_to_132(n: u16) -> Option<u16> {
    (0..31).find(|&old| app_from_132(old) == n)
}

/// A file written by Debian's 1.3.2 in the current numbering.
pub fn renumber_from_132(bin: &[u8]) -> Vec<u8> {
    rewrite_apps(bin, |n| Some(app_from_132(n)))
}

/// The original's text output (`original`) or ours, without what differs on purpose: the
/// lines that carry the converting run's clock (XML start and finish; grepable's first line,
/// which names the program, and 1.3.2 dates from the first record where the current source
/// and we use the file's start time), and the original's `syn-ack` reason of an XML `dns-ver`
/// banner (it compares the banner's application number, 6, with TCP's protocol number), its
/// `addrtype="ipv4"` of IPv6 addresses, and its IPv6 text (it shortens the first run of zero
/// words, even one, where RFC 5952 and we shorten the longest).
pub fn comparable(text: &[u8], original: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    text.split_inclusive('\n')
        .filter(|l| {
            !(l.starts_with("<nmaprun ")
                || l.starts_with("<finished ")
                || l.starts_with("# Masscan "))
        })
        .map(|l| {
            if !original {
                return l.to_string();
            }
            let mut l = canonical_ipv6(l);
            // A console line is padded to 79 columns, also after a shorter address.
            if l.starts_with("Discovered ") || l.starts_with("Banner on port ") {
                let body = l.trim_end_matches('\n');
                l = format!("{body:<79}\n");
            }
            if l.contains("<service name=\"dns-ver\"") {
                l = l.replace("reason=\"syn-ack\"", "reason=\"response\"");
            }
            // The original's XML says ipv4 of every address.
            if l.starts_with("<host ") && l.contains("<address addr=\"") {
                let addr = l.split("addr=\"").nth(1).unwrap_or("");
                if addr.split('"').next().unwrap_or("").contains(':') {
                    l = l.replacen("addrtype=\"ipv4\"", "addrtype=\"ipv6\"", 1);
                }
            }
            l
        })
        .collect::<String>()
        .into_bytes()
}

/// `line` with every IPv6 address in it written in RFC 5952's form.
fn canonical_ipv6(line: &str) -> String {
    let is_part = |c: char| c.is_ascii_hexdigit() || c == ':';
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find(is_part) {
        out.push_str(&rest[..start]);
        let mut len = rest[start..]
            .find(|c| !is_part(c))
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + len];
        // `on ADDR: [http]`: the colon after an address is not part of it.
        let word = match word.strip_suffix(':') {
            Some(w) if !word.ends_with("::") && w.parse::<std::net::Ipv6Addr>().is_ok() => {
                len -= 1;
                w
            }
            _ => word,
        };
        match word.parse::<std::net::Ipv6Addr>() {
            Ok(a) if word.matches(':').count() >= 2 => out.push_str(&a.to_string()),
            _ => out.push_str(word),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// Where two texts first differ, for an assertion message.
pub fn first_difference(ours: &[u8], theirs: &[u8]) -> String {
    let (a, b) = (
        String::from_utf8_lossy(ours),
        String::from_utf8_lossy(theirs),
    );
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n ours: {x}\n orig: {y}", i + 1);
        }
    }
    format!("{} lines vs {}", a.lines().count(), b.lines().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_records_are_rewritten() {
        assert_eq!(app_from_132(16), 17); // title
        assert_eq!(app_from_132(22), 33); // vnc
        assert_eq!(app_from_132(30), 31); // http.server
        assert_eq!(app_from_132(7), 7);
        for n in 0..31 {
            assert_eq!(app_to_132(app_from_132(n)), Some(n));
        }
        assert_eq!(app_to_132(16), None); // X509CA is not in 1.3.2
        let mut bin = vec![0u8; 99];
        // A type-9 banner record (app 22 at bytes 11-12), then a type-6 status record.
        bin.extend([
            9, 16, 0, 0, 0, 1, 198, 18, 0, 1, 6, 0, 80, 0, 22, 64, b'h', b'i',
        ]);
        bin.extend([6, 13, 0, 0, 0, 1, 198, 18, 0, 1, 6, 0, 80, 0x12, 64]);
        let new = renumber_from_132(&bin);
        assert_eq!(new[99 + 13..99 + 15], [0, 33]);
        assert_eq!(new[99 + 18..], bin[99 + 18..]);
        let dropped = rewrite_apps(&bin, |_| None);
        assert_eq!(dropped[99..], bin[99 + 18..]);
    }

    #[test]
    fn the_originals_ipv6_text_and_addrtype_are_undone() {
        let orig = "<host endtime=\"1\"><address addr=\"2001:2::1:0:0:0:1\" addrtype=\"ipv4\"/>\n\
                    closed tcp 22 2001:2::1:0:0:0:6 1796624063 at 05:57:39\n\
                    Banner on port 53/udp on 2001:2::1:0:0:0:6: [dns-ver] x\n";
        let ours = format!(
            "<host endtime=\"1\"><address addr=\"2001:2:0:1::1\" addrtype=\"ipv6\"/>\n\
             closed tcp 22 2001:2:0:1::6 1796624063 at 05:57:39\n{:<79}\n",
            "Banner on port 53/udp on 2001:2:0:1::6: [dns-ver] x"
        );
        assert_eq!(
            String::from_utf8(comparable(orig.as_bytes(), true)).unwrap(),
            ours
        );
    }
}
