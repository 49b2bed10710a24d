//! The UDP payloads a scan sends: a built-in one for every port the original masscan has one
//! for (the bytes written here from each protocol's specification), and BACnet/IP's (47808,
//! [`super::bacnet`]), an empty datagram for the rest. A payload may carry the cookie in a field its protocol echoes back (a DNS or RPC
//! transaction id, an SNMP request id, an NTP transmit timestamp, ...), so the reply is checked
//! without state; every UDP probe also carries the cookie in its source port.

/// Where a payload carries the cookie and where its reply brings it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieField {
    /// `len` bytes (1 to 8) at offset `at` of the request, echoed at offset `back` of the reply.
    Echoed { at: u16, len: u8, back: u16 },
    /// SNMP: the request-id, a 4-byte BER INTEGER whose bytes start at `at`; the reply's PDU
    /// carries the same value.
    SnmpRequestId { at: u16 },
    /// BACnet: the invoke id, one byte at `at`; the reply's APDU (after a BVLC and NPDU header
    /// of varying length) carries the same value.
    BacnetInvokeId { at: u16 },
}

impl CookieField {
    /// The value of this field for cookie `c`.
    #[inline]
    pub fn value(self, c: u64) -> u64 {
        match self {
            CookieField::Echoed { len, .. } => c & mask(len),
            // Positive and always 4 bytes long in minimal BER: agents re-encode the value.
            CookieField::SnmpRequestId { .. } => (c & 0x3fff_ffff) | 0x4000_0000,
            CookieField::BacnetInvokeId { .. } => c & 0xff,
        }
    }

    /// Offset and length of the field in the request.
    #[inline]
    pub fn span(self) -> (usize, usize) {
        match self {
            CookieField::Echoed { at, len, .. } => (at as usize, len as usize),
            CookieField::SnmpRequestId { at } => (at as usize, 4),
            CookieField::BacnetInvokeId { at } => (at as usize, 1),
        }
    }

    /// Writes the field for cookie `c` into `payload` (the request).
    #[inline]
    pub fn write(self, c: u64, payload: &mut [u8]) {
        let (at, len) = self.span();
        let v = self.value(c).to_be_bytes();
        payload[at..at + len].copy_from_slice(&v[8 - len..]);
    }

    /// The value a reply brings back, if it has the field.
    pub fn read_back(self, reply: &[u8]) -> Option<u64> {
        match self {
            CookieField::Echoed { len, back, .. } => {
                let b = reply.get(back as usize..back as usize + len as usize)?;
                Some(b.iter().fold(0u64, |v, &x| v << 8 | u64::from(x)))
            }
            CookieField::SnmpRequestId { .. } => super::snmp::request_id(reply),
            CookieField::BacnetInvokeId { .. } => super::bacnet::invoke_id(reply),
        }
    }
}

fn mask(len: u8) -> u64 {
    if len >= 8 {
        !0
    } else {
        (1u64 << (u32::from(len) * 8)) - 1
    }
}

/// One payload for one destination port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload {
    pub port: u16,
    pub bytes: Vec<u8>,
    pub cookie: Option<CookieField>,
}

impl Payload {
    fn new(port: u16, bytes: Vec<u8>, cookie: Option<CookieField>) -> Self {
        Self {
            port,
            bytes,
            cookie,
        }
    }
}

/// The cookie field of the built-in payload for `port` (how its reply is checked).
pub fn builtin_cookie(port: u16) -> Option<CookieField> {
    let echoed = |at, len, back| Some(CookieField::Echoed { at, len, back });
    match port {
        7 => echoed(ECHO_PREFIX.len() as u16, 8, ECHO_PREFIX.len() as u16),
        53 | 137 | 11211 => echoed(0, 2, 0),
        111 | 2049 => echoed(0, 4, 0),
        123 => echoed(40, 8, 24),
        161 => Some(CookieField::SnmpRequestId {
            at: SNMP_REQUEST_ID_AT as u16,
        }),
        500 => echoed(0, 8, 0),
        5683 => echoed(2, 2, 2),
        47808 => Some(CookieField::BacnetInvokeId {
            at: super::bacnet::INVOKE_ID_AT as u16,
        }),
        _ => None,
    }
}

const ECHO_PREFIX: &[u8] = b"masscan-rs echo ";

/// Every built-in payload, one per port.
pub fn builtin() -> Vec<Payload> {
    let mut v = vec![
        (7, [ECHO_PREFIX, &[0; 8]].concat()),
        (17, b"masscan-rs\r\n".to_vec()),
        (19, b"masscan-rs\r\n".to_vec()),
        (53, dns_version_bind()),
        (69, tftp_read()),
        (111, rpc_null_call(100_000, 2)),
        (123, ntp_client()),
        (137, nbstat_query()),
        (138, netbios_datagram()),
        (161, snmp_get()),
        (443, super::dtls::client_hello()),
        (500, super::isakmp::main_mode_offer()),
        (520, rip_request()),
        (1645, radius(1)),
        (1646, radius(4)),
        (1701, l2tp_sccrq()),
        (1812, radius(1)),
        (1813, radius(4)),
        (1900, SSDP_SEARCH.to_vec()),
        (2049, rpc_null_call(100_003, 3)),
        (5060, SIP_OPTIONS.to_vec()),
        (5683, coap_well_known_core()),
        (11211, memcached_stats()),
        (27960, b"\xff\xff\xff\xffgetstatus\n".to_vec()),
        (47808, super::bacnet::request()),
    ]
    .into_iter()
    .map(|(port, bytes)| Payload::new(port, bytes, builtin_cookie(port)))
    .collect::<Vec<_>>();
    v.sort_by_key(|p| p.port);
    v
}

/// DNS query (id set per probe, recursion desired) for `version.bind` TXT in class CHAOS.
fn dns_version_bind() -> Vec<u8> {
    let mut q = vec![0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    q.extend_from_slice(b"\x07version\x04bind\x00");
    q.extend_from_slice(&[0, 16, 0, 3]);
    q
}

/// TFTP read request (RFC 1350) for a file that does not exist: a server answers with an error.
fn tftp_read() -> Vec<u8> {
    [&[0u8, 1][..], b"masscan-rs\0", b"octet\0"].concat()
}

/// ONC RPC call (RFC 5531) of procedure 0 (NULL) of `program` version `version`, no
/// credentials; the xid (first 4 bytes) is the cookie.
fn rpc_null_call(program: u32, version: u32) -> Vec<u8> {
    let words = [0, 0, 2, program, version, 0, 0, 0, 0, 0];
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

/// NTP version 4 client request (mode 3); the transmit timestamp (bytes 40-47) is the cookie,
/// which the server returns as its origin timestamp.
fn ntp_client() -> Vec<u8> {
    let mut p = vec![0u8; 48];
    p[0] = 0x23; // leap 0, version 4, mode 3
    p
}

/// `--vuln ntp-monlist`: the original's request, 48 bytes: NTP version 2, mode 7 (private, as
/// ntpdc speaks), implementation XNTPD (3), request MON_GETLIST_1 (42, "monlist"), the rest
/// zero. An ntpd that answers it sends its list of recent clients (up to 600 of 72 bytes,
/// 6 a datagram), the amplification of CVE-2013-5211. No field of it comes back in the reply:
/// the reply is checked by our source port alone.
pub fn ntp_monlist() -> Vec<u8> {
    let mut p = vec![0u8; 48];
    p[0] = 0x17; // response 0, more 0, version 2, mode 7
    p[2] = 3; // implementation: XNTPD
    p[3] = 42; // MON_GETLIST_1
    p
}

/// NetBIOS node status request (RFC 1002 NBSTAT) for the wildcard name `*`.
fn nbstat_query() -> Vec<u8> {
    let mut q = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x20, b'C', b'K'];
    q.extend(std::iter::repeat_n(b'A', 30));
    q.extend_from_slice(&[0, 0, 0x21, 0, 1]);
    q
}

/// First-level encoding of a NetBIOS name (RFC 1001 §14.1): 15 characters padded with spaces,
/// the suffix byte, each nibble as a letter from 'A'.
fn netbios_name(name: &[u8], suffix: u8) -> Vec<u8> {
    let mut raw = [b' '; 16];
    raw[..name.len().min(15)].copy_from_slice(&name[..name.len().min(15)]);
    raw[15] = suffix;
    let mut out = vec![0x20];
    for b in raw {
        out.push(b'A' + (b >> 4));
        out.push(b'A' + (b & 15));
    }
    out.push(0);
    out
}

/// NetBIOS datagram service (RFC 1002 §4.4): a direct group datagram from MASSCAN-RS to the
/// workgroup's master browser name, with an empty user part.
fn netbios_datagram() -> Vec<u8> {
    let names = [
        netbios_name(b"MASSCAN-RS", 0),
        netbios_name(b"WORKGROUP", 0x1d),
    ]
    .concat();
    let mut d = vec![0x11, 0x02, 0, 1, 0, 0, 0, 0, 0, 138];
    d.extend_from_slice(&(names.len() as u16).to_be_bytes());
    d.extend_from_slice(&[0, 0]);
    d.extend_from_slice(&names);
    d
}

/// Offset of the request-id's value in [`snmp_get`].
const SNMP_REQUEST_ID_AT: usize = 2 + 3 + 8 + 2 + 2;

/// SNMPv1 GetRequest, community `public`, for sysDescr.0 and sysName.0.
fn snmp_get() -> Vec<u8> {
    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        debug_assert!(body.len() < 128);
        [&[tag, body.len() as u8][..], body].concat()
    }
    let bind = |oid: &[u8]| tlv(0x30, &[tlv(0x06, oid), vec![0x05, 0x00]].concat());
    let sys_descr = bind(&[0x2b, 6, 1, 2, 1, 1, 1, 0]);
    let sys_name = bind(&[0x2b, 6, 1, 2, 1, 1, 5, 0]);
    let pdu = [
        tlv(0x02, &[0x40, 0, 0, 0]), // request-id, set per probe
        tlv(0x02, &[0]),
        tlv(0x02, &[0]),
        tlv(0x30, &[sys_descr, sys_name].concat()),
    ]
    .concat();
    let msg = [tlv(0x02, &[0]), tlv(0x04, b"public"), tlv(0xa0, &pdu)].concat();
    let out = tlv(0x30, &msg);
    debug_assert_eq!(&out[SNMP_REQUEST_ID_AT - 2..SNMP_REQUEST_ID_AT], &[2, 4]);
    out
}

/// RIPv2 request for the whole routing table (RFC 2453 §3.9.1: one entry, family 0, metric 16).
fn rip_request() -> Vec<u8> {
    let mut r = vec![1, 2, 0, 0, 0, 0, 0, 0];
    r.extend_from_slice(&[0; 12]);
    r.extend_from_slice(&16u32.to_be_bytes());
    r
}

/// RADIUS packet of `code` (1 Access-Request, 4 Accounting-Request) with no attributes.
fn radius(code: u8) -> Vec<u8> {
    let mut r = vec![code, 0, 0, 20];
    r.extend_from_slice(b"masscan-rs probe");
    r
}

/// L2TPv2 Start-Control-Connection-Request (RFC 2661 §6.1) with its mandatory AVPs.
fn l2tp_sccrq() -> Vec<u8> {
    fn avp(attr: u16, value: &[u8]) -> Vec<u8> {
        let len = 6 + value.len() as u16;
        [
            &(0x8000 | len).to_be_bytes()[..],
            &[0, 0],
            &attr.to_be_bytes(),
            value,
        ]
        .concat()
    }
    let avps = [
        avp(0, &1u16.to_be_bytes()),      // message type: SCCRQ
        avp(2, &[1, 0]),                  // protocol version 1.0
        avp(3, &3u32.to_be_bytes()),      // framing capabilities: sync and async
        avp(7, b"masscan-rs"),            // host name
        avp(9, &0x4d52u16.to_be_bytes()), // assigned tunnel id
    ]
    .concat();
    let len = 12 + avps.len() as u16;
    let mut p = vec![0xc8, 0x02];
    p.extend_from_slice(&len.to_be_bytes());
    p.extend_from_slice(&[0; 8]);
    p.extend_from_slice(&avps);
    p
}

const SSDP_SEARCH: &[u8] = b"M-SEARCH * HTTP/1.1\r\n\
HOST: 239.255.255.250:1900\r\n\
MAN: \"ssdp:discover\"\r\n\
MX: 1\r\n\
ST: ssdp:all\r\n\
USER-AGENT: Linux/6 UPnP/1.1 masscan-rs/0\r\n\r\n";

const SIP_OPTIONS: &[u8] = b"OPTIONS sip:probe@invalid SIP/2.0\r\n\
Via: SIP/2.0/UDP scanner.invalid;branch=z9hG4bK-masscan-rs\r\n\
Max-Forwards: 70\r\n\
From: <sip:scanner@scanner.invalid>;tag=masscan-rs\r\n\
To: <sip:probe@invalid>\r\n\
Call-ID: masscan-rs-probe@scanner.invalid\r\n\
CSeq: 1 OPTIONS\r\n\
Accept: application/sdp\r\n\
Content-Length: 0\r\n\r\n";

/// CoAP confirmable GET of `/.well-known/core` (RFC 7252, RFC 6690); the message id is the
/// cookie.
fn coap_well_known_core() -> Vec<u8> {
    let mut p = vec![0x40, 0x01, 0, 0];
    p.push(0xbb); // option 11 (Uri-Path), 11 bytes
    p.extend_from_slice(b".well-known");
    p.push(0x04); // option 11 again, 4 bytes
    p.extend_from_slice(b"core");
    p
}

/// memcached `stats` over UDP: the 8-byte frame header (request id = cookie, sequence 0, one
/// datagram) and the command.
fn memcached_stats() -> Vec<u8> {
    [&[0u8, 0, 0, 0, 0, 1, 0, 0][..], b"stats\r\n"].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_port_of_the_original_has_a_payload_with_its_cookie_inside() {
        let all = builtin();
        let ports: Vec<u16> = all.iter().map(|p| p.port).collect();
        for port in [
            7, 17, 19, 53, 69, 111, 123, 137, 138, 161, 443, 500, 520, 1645, 1646, 1701, 1812,
            1813, 1900, 2049, 5060, 5683, 11211,
        ] {
            assert!(ports.contains(&port), "no payload for {port}");
        }
        for p in &all {
            assert!(!p.bytes.is_empty() && p.bytes.len() < 1400, "{}", p.port);
            if let Some(c) = p.cookie {
                let (at, len) = c.span();
                assert!(
                    at + len <= p.bytes.len(),
                    "cookie outside payload {}",
                    p.port
                );
                let mut b = p.bytes.clone();
                c.write(0x1122_3344_5566_7788, &mut b);
                assert_ne!(b, p.bytes, "{}", p.port);
            }
        }
    }

    #[test]
    fn the_monlist_request_reads_as_an_ntp_mode_7_request() {
        let p = ntp_monlist();
        assert_eq!(p.len(), 48);
        assert_eq!((p[0] >> 7, (p[0] >> 3) & 7, p[0] & 7), (0, 2, 7));
        assert_eq!((p[2], p[3]), (3, 42));
        assert!(p[4..].iter().all(|&b| b == 0));
    }

    #[test]
    fn an_echoed_field_reads_back_what_was_written() {
        let c = CookieField::Echoed {
            at: 2,
            len: 2,
            back: 2,
        };
        let mut b = coap_well_known_core();
        c.write(0xdead_beef_cafe_f00d, &mut b);
        assert_eq!(c.read_back(&b), Some(0xf00d));
        assert_eq!(c.read_back(&b[..3]), None);
    }

    #[test]
    fn the_snmp_request_id_is_a_positive_four_byte_integer() {
        let c = builtin_cookie(161).unwrap();
        for cookie in [0u64, !0, 0x8000_0000, 0x7f] {
            let v = c.value(cookie);
            assert!((0x4000_0000..0x8000_0000).contains(&v));
            let mut b = snmp_get();
            c.write(cookie, &mut b);
            assert_eq!(super::super::snmp::request_id(&b), Some(v));
        }
    }
}
