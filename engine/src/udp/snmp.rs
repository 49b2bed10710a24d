//! SNMP replies (RFC 1157 / RFC 3416 messages in BER, read with der-parser): the request-id
//! that carries our cookie, and a banner of the variable bindings, `name:value` per line
//! (`sysDescr:Linux ...`), as the original masscan writes them.

use der_parser::ber::{parse_ber, parse_ber_integer, BerObject, BerObjectContent};
use der_parser::oid::Oid;

/// The request-id of an SNMP message (any PDU), if it parses.
pub fn request_id(msg: &[u8]) -> Option<u64> {
    let pdu = pdu_body(msg)?;
    let (_, id) = parse_ber_integer(pdu).ok()?;
    id.as_u64().ok()
}

/// The body of the message's PDU: after version and community.
fn pdu_body(msg: &[u8]) -> Option<&[u8]> {
    let (_, outer) = parse_ber(msg).ok()?;
    let fields = outer.as_sequence().ok()?;
    let pdu = fields.get(2)?;
    match &pdu.content {
        BerObjectContent::Unknown(any) => Some(any.data),
        _ => None,
    }
}

/// `name:value` for each variable binding of a response, one per line.
pub fn banner(msg: &[u8]) -> Option<Vec<u8>> {
    let body = pdu_body(msg)?;
    let (rest, _id) = parse_ber_integer(body).ok()?;
    let (rest, _status) = parse_ber_integer(rest).ok()?;
    let (rest, _index) = parse_ber_integer(rest).ok()?;
    let (_, binds) = parse_ber(rest).ok()?;
    let mut out = Vec::new();
    for bind in binds.as_sequence().ok()? {
        let pair = bind.as_sequence().ok()?;
        let (Some(name), Some(value)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let Ok(oid) = name.as_oid() else { continue };
        if !out.is_empty() {
            out.push(b'\n');
        }
        out.extend_from_slice(oid_name(oid).as_bytes());
        out.push(b':');
        value_text(value, &mut out);
    }
    (!out.is_empty()).then_some(out)
}

/// The MIB-2 system group's names, dotted numbers for anything else.
fn oid_name(oid: &Oid<'_>) -> String {
    const SYSTEM: [&str; 7] = [
        "sysDescr",
        "sysObjectID",
        "sysUpTime",
        "sysContact",
        "sysName",
        "sysLocation",
        "sysServices",
    ];
    let arcs: Option<Vec<u64>> = oid.iter().map(|i| i.collect());
    match arcs.as_deref() {
        Some([1, 3, 6, 1, 2, 1, 1, n @ 1..=7, 0]) => SYSTEM[*n as usize - 1].to_string(),
        _ => oid.to_id_string(),
    }
}

fn value_text(v: &BerObject<'_>, out: &mut Vec<u8>) {
    match &v.content {
        BerObjectContent::OctetString(s) => out.extend_from_slice(s),
        BerObjectContent::Integer(_) => match v.as_u64() {
            Ok(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Err(_) => out.extend_from_slice(b"(integer)"),
        },
        BerObjectContent::OID(o) => out.extend_from_slice(oid_name(o).as_bytes()),
        // TimeTicks, Counter, Gauge: application-class unsigned integers.
        BerObjectContent::Unknown(any) if any.data.len() <= 8 => {
            let n = any.data.iter().fold(0u64, |n, &b| n << 8 | u64::from(b));
            out.extend_from_slice(n.to_string().as_bytes());
        }
        BerObjectContent::Null => out.extend_from_slice(b"(null)"),
        _ => out.extend_from_slice(b"(unparsed)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        [&[tag, body.len() as u8][..], body].concat()
    }

    /// A GetResponse as net-snmp writes one.
    pub(crate) fn response(id: u32, descr: &[u8], name: &[u8]) -> Vec<u8> {
        let bind = |oid: &[u8], v: Vec<u8>| tlv(0x30, &[tlv(0x06, oid), v].concat());
        let binds = [
            bind(&[0x2b, 6, 1, 2, 1, 1, 1, 0], tlv(0x04, descr)),
            bind(&[0x2b, 6, 1, 2, 1, 1, 5, 0], tlv(0x04, name)),
            bind(&[0x2b, 6, 1, 2, 1, 1, 3, 0], tlv(0x43, &[1, 0])),
        ]
        .concat();
        let mut idb = id.to_be_bytes().to_vec();
        while idb.len() > 1 && idb[0] == 0 && idb[1] < 0x80 {
            idb.remove(0);
        }
        let pdu = [tlv(2, &idb), tlv(2, &[0]), tlv(2, &[0]), tlv(0x30, &binds)].concat();
        tlv(
            0x30,
            &[tlv(2, &[1]), tlv(4, b"public"), tlv(0xa2, &pdu)].concat(),
        )
    }

    #[test]
    fn a_get_response_gives_its_request_id_and_system_names() {
        let r = response(0x4123_4567, b"Linux lab 6.1", b"snmp-host");
        assert_eq!(request_id(&r), Some(0x4123_4567));
        assert_eq!(
            banner(&r).unwrap(),
            b"sysDescr:Linux lab 6.1\nsysName:snmp-host\nsysUpTime:256".to_vec()
        );
        let short = response(0x55, b"x", b"y");
        assert_eq!(request_id(&short), Some(0x55));
    }

    #[test]
    fn truncated_and_garbage_messages_give_nothing() {
        let r = response(0x4123_4567, b"Linux", b"n");
        for n in 0..r.len() {
            let _ = banner(&r[..n]);
            let _ = request_id(&r[..n]);
        }
        assert_eq!(request_id(b"\x30\x84\xff\xff\xff\xff"), None);
        assert_eq!(banner(b"hello"), None);
    }
}
