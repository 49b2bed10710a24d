//! CoAP replies (RFC 7252): the response code (`2.05`) and, for a `/.well-known/core` link
//! list (RFC 6690), the resources it names. The message id carries our cookie
//! ([`super::payloads`]).

pub fn banner(msg: &[u8]) -> Option<Vec<u8>> {
    let (&first, rest) = msg.split_first()?;
    let (version, token_len) = (first >> 6, (first & 15) as usize);
    let (&code, _) = rest.split_first()?;
    if version != 1 || token_len > 8 || msg.len() < 4 + token_len || code >> 5 < 2 {
        return None; // not version 1, or a request rather than a response
    }
    let mut s = format!("{}.{:02}", code >> 5, code & 31).into_bytes();
    let mut at = 4 + token_len;
    let mut content_format = None;
    let mut number = 0u32;
    // Options, each a delta over the previous number, until the 0xff payload marker.
    while let Some(&b) = msg.get(at) {
        if b == 0xff {
            at += 1;
            break;
        }
        at += 1;
        let delta = extended(b >> 4, msg, &mut at)?;
        let len = extended(b & 15, msg, &mut at)? as usize;
        number += delta;
        let value = msg.get(at..at + len)?;
        if number == 12 {
            content_format = Some(value.iter().fold(0u32, |v, &x| v << 8 | u32::from(x)));
        }
        at += len;
    }
    let payload = msg.get(at..).unwrap_or_default();
    if content_format == Some(40) || payload.starts_with(b"<") {
        for link in payload.split(|&c| c == b',') {
            let target = link.split(|&c| c == b';').next().unwrap_or_default();
            if !target.is_empty() {
                s.push(b' ');
                s.extend_from_slice(target);
            }
        }
    } else if !payload.is_empty() {
        s.push(b' ');
        s.extend_from_slice(&payload[..payload.len().min(256)]);
    }
    Some(s)
}

/// An option delta or length: 13 and 14 take one or two more bytes; 15 is reserved.
fn extended(nibble: u8, msg: &[u8], at: &mut usize) -> Option<u32> {
    match nibble {
        0..=12 => Some(u32::from(nibble)),
        13 => {
            let v = *msg.get(*at)?;
            *at += 1;
            Some(u32::from(v) + 13)
        }
        14 => {
            let v = u16::from_be_bytes(msg.get(*at..*at + 2)?.try_into().ok()?);
            *at += 2;
            Some(u32::from(v) + 269)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn content(msg_id: u16, links: &[u8]) -> Vec<u8> {
        let mut m = vec![0x60, 0x45];
        m.extend_from_slice(&msg_id.to_be_bytes());
        m.extend_from_slice(&[0xc1, 40, 0xff]); // Content-Format: link-format
        m.extend_from_slice(links);
        m
    }

    #[test]
    fn a_link_list_names_its_resources() {
        let r = content(7, b"</sensors/temp>;rt=\"t\",</light>;if=sensor");
        assert_eq!(
            banner(&r).unwrap(),
            b"2.05 </sensors/temp> </light>".to_vec()
        );
        let mut request = r.clone();
        request[1] = 0x01;
        assert_eq!(banner(&request), None);
        for n in 0..r.len() {
            let _ = banner(&r[..n]);
        }
    }
}
