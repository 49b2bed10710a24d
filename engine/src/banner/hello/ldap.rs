//! LDAP (ports 389, 390, 256, 257, 1702, 3268, 3892, 11711): an anonymous search of the root
//! DSE (base "", scope base, filter `(objectClass=*)`), as the original sends, asking by name
//! for the attributes that tell what the server is (operational ones are not returned
//! otherwise); reports them, `name=value; ...`, and the search's result code when not success.

use std::net::IpAddr;

use super::ber::{self, children, tlv};
use super::{printable, Protocol, Reply};
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

const ATTRIBUTES: [&str; 13] = [
    "namingContexts",
    "defaultNamingContext",
    "rootDomainNamingContext",
    "dnsHostName",
    "serverName",
    "ldapServiceName",
    "supportedLDAPVersion",
    "vendorName",
    "vendorVersion",
    "supportedSASLMechanisms",
    "domainFunctionality",
    "forestFunctionality",
    "isGlobalCatalogReady",
];
const MESSAGE_ID: u8 = 7;
const SEARCH_ENTRY: u8 = 0x64;
const SEARCH_DONE: u8 = 0x65;
/// An extended response (a notice of disconnection), the only other answer that ends it.
const EXTENDED: u8 = 0x78;

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    let attrs: Vec<u8> = ATTRIBUTES
        .iter()
        .flat_map(|a| tlv(0x04, a.as_bytes()))
        .collect();
    let search = [
        tlv(0x04, b""),            // baseObject: the root DSE
        tlv(0x0a, &[0]),           // scope: baseObject
        tlv(0x0a, &[0]),           // derefAliases: never
        tlv(0x02, &[0]),           // sizeLimit
        tlv(0x02, &[100]),         // timeLimit
        tlv(0x01, &[0]),           // typesOnly: false
        tlv(0x87, b"objectClass"), // filter: present
        tlv(0x30, &attrs),
    ]
    .concat();
    let msg = [tlv(0x02, &[MESSAGE_ID]), tlv(0x63, &search)].concat();
    out.extend_from_slice(&tlv(0x30, &msg));
    Reply::boxed(Protocol {
        is_protocol: |b| b.first().is_none_or(|&t| t == 0x30),
        complete,
        report,
    })
}

/// The protocol operations of the whole messages received, in order.
fn operations(mut b: &[u8]) -> Vec<ber::Tlv<'_>> {
    let mut ops = Vec::new();
    while let Some((msg, rest)) = ber::read(b) {
        if let Some(op) = children(msg.value).nth(1) {
            ops.push(op);
        }
        b = rest;
    }
    ops
}

fn complete(b: &[u8]) -> bool {
    if b.first().is_some_and(|&c| c != 0x30) {
        return true; // not LDAP
    }
    let mut rest = b;
    while ber::whole(rest) {
        let Some((msg, r)) = ber::read(rest) else {
            return true; // malformed: nothing more will make sense
        };
        if msg.tag != 0x30 {
            return true;
        }
        if let Some(op) = children(msg.value).nth(1) {
            if matches!(op.tag, SEARCH_DONE | EXTENDED) {
                return true;
            }
        }
        rest = r;
    }
    false
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    found.push(Found::new(app::LDAP, describe(b)));
}

fn describe(b: &[u8]) -> String {
    let ops = operations(b);
    if ops.is_empty() {
        return if b.first() == Some(&0x30) {
            format!("LDAP: reply cut short ({} bytes)", b.len())
        } else {
            format!(
                "LDAP: not an LDAP message: {}",
                printable(&b[..b.len().min(64)])
            )
        };
    }
    let mut parts = Vec::new();
    for op in ops {
        match op.tag {
            SEARCH_ENTRY => parts.push(entry(op.value)),
            SEARCH_DONE | EXTENDED => {
                let r = result(op.value);
                if !r.is_empty() {
                    parts.push(r);
                }
            }
            t => parts.push(format!("operation 0x{t:02x}")),
        }
    }
    format!("LDAP {}", parts.join("; "))
}

/// A search result entry: `rootDSE` (or its DN), then `type=value,value` per attribute.
fn entry(v: &[u8]) -> String {
    let mut c = children(v);
    let dn = c.next().map(|t| printable(t.value)).unwrap_or_default();
    let mut text = if dn.is_empty() {
        "rootDSE".to_string()
    } else {
        format!("entry {dn}")
    };
    if let Some(attrs) = c.next() {
        for a in children(attrs.value) {
            let mut ac = children(a.value);
            let name = ac.next().map(|t| printable(t.value)).unwrap_or_default();
            let values: Vec<String> = ac
                .next()
                .map(|set| children(set.value).map(|t| printable(t.value)).collect())
                .unwrap_or_default();
            text.push_str(&format!("; {name}={}", values.join(",")));
        }
    }
    text
}

/// An LDAPResult: empty when it is success with no message, else its code, name and text.
fn result(v: &[u8]) -> String {
    let mut c = children(v);
    let code = c.next().and_then(|t| ber::int(t.value)).unwrap_or(-1);
    let _matched = c.next();
    let msg = c.next().map(|t| printable(t.value)).unwrap_or_default();
    if code == 0 && msg.is_empty() {
        return String::new();
    }
    let name = match code {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        32 => "noSuchObject",
        48 => "inappropriateAuthentication",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        _ => "other",
    };
    if msg.is_empty() {
        format!("result {code} ({name})")
    } else {
        format!("result {code} ({name}): {msg}")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn message(op: Vec<u8>) -> Vec<u8> {
        tlv(0x30, &[tlv(0x02, &[MESSAGE_ID]), op].concat())
    }

    fn attr(name: &str, values: &[&str]) -> Vec<u8> {
        let vals: Vec<u8> = values
            .iter()
            .flat_map(|v| tlv(0x04, v.as_bytes()))
            .collect();
        tlv(
            0x30,
            &[tlv(0x04, name.as_bytes()), tlv(0x31, &vals)].concat(),
        )
    }

    /// slapd's answer: the root DSE entry, then success.
    pub(crate) fn root_dse() -> Vec<u8> {
        let attrs = [
            attr("namingContexts", &["dc=lab,dc=test"]),
            attr("supportedLDAPVersion", &["3"]),
            attr("supportedSASLMechanisms", &["SCRAM-SHA-1", "DIGEST-MD5"]),
        ]
        .concat();
        let entry = tlv(SEARCH_ENTRY, &[tlv(0x04, b""), tlv(0x30, &attrs)].concat());
        let done = tlv(
            SEARCH_DONE,
            &[tlv(0x0a, &[0]), tlv(0x04, b""), tlv(0x04, b"")].concat(),
        );
        [message(entry), message(done)].concat()
    }

    #[test]
    fn hello_is_a_root_dse_search() {
        let mut out = Vec::new();
        start(
            crate::banner::hello::tests::IP,
            &BannerConfig::default(),
            &mut out,
        );
        let (msg, rest) = ber::read(&out).unwrap();
        assert!(rest.is_empty());
        let op = children(msg.value).nth(1).unwrap();
        assert_eq!(op.tag, 0x63);
        assert!(out.windows(11).any(|w| w == b"objectClass"));
        assert!(out.windows(14).any(|w| w == b"namingContexts"));
    }

    #[test]
    fn root_dse_and_a_refusal() {
        assert_eq!(
            describe(&root_dse()),
            "LDAP rootDSE; namingContexts=dc=lab,dc=test; supportedLDAPVersion=3; \
             supportedSASLMechanisms=SCRAM-SHA-1,DIGEST-MD5"
        );
        let done = tlv(
            SEARCH_DONE,
            &[
                tlv(0x0a, &[1]),
                tlv(0x04, b""),
                tlv(0x04, b"000004DC: LdapErr"),
            ]
            .concat(),
        );
        assert_eq!(
            describe(&message(done)),
            "LDAP result 1 (operationsError): 000004DC: LdapErr"
        );
    }

    #[test]
    fn every_cut() {
        let r = root_dse();
        assert!(complete(&r));
        for n in 0..r.len() {
            assert!(!complete(&r[..n]), "{n}");
            assert!(describe(&r[..n]).starts_with("LDAP"));
        }
        assert!(complete(b"HTTP/1.1 400 Bad Request\r\n"));
    }
}
