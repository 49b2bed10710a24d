//! The few BER/DER pieces LDAP and Kerberos need: a bounded reader of one TLV (definite
//! lengths only, as both protocols require) and a writer of DER TLVs for the hellos.

/// One TLV read from the front of a buffer.
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
}

/// Reads one TLV (single-byte tag, definite length of at most 4 bytes) from the front of `b`;
/// returns it and what follows, or `None` when it is cut short or malformed.
pub(crate) fn read(b: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = b.get(2..2 + n)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &c| (acc << 8) | usize::from(c));
        (len, 2 + n)
    };
    let value = b.get(head..head.checked_add(len)?)?;
    Some((Tlv { tag, value }, &b[head + len..]))
}

/// Whether `b` starts with a whole TLV (false when cut short; true when malformed, so a reader
/// waiting for more stops).
pub(crate) fn whole(b: &[u8]) -> bool {
    match (b.first(), b.get(1)) {
        (Some(_), Some(&first)) if first >= 0x80 && (first == 0x80 || first > 0x84) => true,
        (Some(_), Some(_)) => read(b).is_some(),
        _ => false,
    }
}

/// The TLVs inside a constructed value, in order (stops at the first malformed one).
pub(crate) fn children(mut b: &[u8]) -> impl Iterator<Item = Tlv<'_>> {
    std::iter::from_fn(move || {
        let (t, rest) = read(b)?;
        b = rest;
        Some(t)
    })
}

/// The child with this tag, if any.
pub(crate) fn child(b: &[u8], tag: u8) -> Option<&[u8]> {
    children(b).find(|t| t.tag == tag).map(|t| t.value)
}

/// A BER INTEGER's value (at most 8 bytes, two's complement).
pub(crate) fn int(v: &[u8]) -> Option<i64> {
    if v.is_empty() || v.len() > 8 {
        return None;
    }
    let neg = v[0] & 0x80 != 0;
    Some(v.iter().fold(if neg { -1i64 } else { 0 }, |acc, &c| {
        (acc << 8) | i64::from(c)
    }))
}

/// Appends a DER TLV with this tag and value.
pub(crate) fn put(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&c| c == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
}

/// A DER TLV as a new vector.
pub(crate) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(value.len() + 6);
    put(&mut v, tag, value);
    v
}

/// A DER INTEGER of a non-negative value.
pub(crate) fn integer(n: u32) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let skip = bytes.iter().take_while(|&&c| c == 0).count().min(3);
    let mut v = bytes[skip..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths_and_refuses_cut_ones() {
        let (t, rest) = read(&[0x04, 2, b'a', b'b', 9]).unwrap();
        assert_eq!((t.tag, t.value, rest), (4, &b"ab"[..], &[9][..]));
        let long = [&[0x30, 0x84, 0, 0, 0, 1][..], &[7]].concat();
        assert_eq!(read(&long).unwrap().0.value, &[7]);
        assert!(read(&long[..5]).is_none() && read(&long[..6]).is_none());
        assert!(read(&[0x30, 0x80, 0, 0]).is_none() && whole(&[0x30, 0x80]));
        assert!(!whole(&[0x30]) && !whole(&[0x30, 0x82, 1]));
    }

    #[test]
    fn writes_der_and_reads_it_back() {
        assert_eq!(integer(0), [2, 1, 0]);
        assert_eq!(integer(0x80), [2, 2, 0, 0x80]);
        assert_eq!(integer(0x1f1e_b9d9), [2, 4, 0x1f, 0x1e, 0xb9, 0xd9]);
        let big = tlv(0x04, &[1; 300]);
        assert_eq!(&big[..4], &[4, 0x82, 1, 44]);
        assert_eq!(read(&big).unwrap().0.value.len(), 300);
        assert_eq!(int(&[0xff]), Some(-1));
        assert_eq!(int(&[0, 0x80]), Some(128));
    }
}
