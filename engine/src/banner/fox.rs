//! Niagara Fox (1911), the Tridium Niagara framework's station protocol: a `fox hello` message
//! naming us, as ZGrab2's `fox` module and Nmap's `fox-info` send; the station answers with its
//! own hello, a block of `key=type:value` lines. Reports ZGrab2's fields: fox version, host
//! name, host address, app name and version, VM name and version, OS name and version, station
//! name, language, time zone (its name, without the DST rules after `;`), host id, VM UUID and
//! brand id. (Fox over TLS, 4911, gets the TLS hello and its certificate: the station's hello
//! inside TLS is not read.)

use std::net::IpAddr;

use super::hello::{printable, starts_as, Protocol, Reply};
use super::parser::Parser;
use super::{app, BannerConfig, Found};

/// Our hello: a Fox message (`fox a <channel> -1 fox hello`), its body between `{` and `};;`.
pub const REQUEST: &[u8] = b"fox a 1 -1 fox hello\n{\nfox.version=s:1.0\nid=i:1\n\
hostName=s:masscan-rs\nhostAddress=s:198.18.0.2\napp.name=s:Workbench\napp.version=s:4.0\n\
vm.name=s:masscan-rs\nvm.version=s:0.1\nos.name=s:Linux\nos.version=s:6\nlang=s:en\n\
timeZone=s:UTC;0;0;null;null\nhostId=s:masscan-rs\nvmUuid=s:00000000-0000-0000-0000-000000000000\n\
brandId=s:masscan-rs\n};;\n";
/// How every station's answer starts.
const ANSWER: &[u8] = b"fox a 0 -1 fox hello";
const END: &[u8] = b"};;";
/// Largest answer read: a station's hello is well under 1 KiB.
const MAX_REPLY: usize = 4096;

/// The fields reported, in this order: (key in the message, name in the banner).
const FIELDS: [(&str, &str); 16] = [
    ("fox.version", "fox version"),
    ("id", "id"),
    ("hostName", "hostName"),
    ("hostAddress", "hostAddress"),
    ("app.name", "app"),
    ("app.version", "app version"),
    ("vm.name", "vm"),
    ("vm.version", "vm version"),
    ("os.name", "os"),
    ("os.version", "os version"),
    ("station.name", "station"),
    ("lang", "lang"),
    ("timeZone", "timeZone"),
    ("hostId", "hostId"),
    ("vmUuid", "vmUuid"),
    ("brandId", "brandId"),
];

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    out.extend_from_slice(REQUEST);
    Reply::boxed(Protocol {
        is_protocol,
        complete,
        report,
    })
}

fn is_protocol(b: &[u8]) -> bool {
    !b.is_empty() && starts_as(b, ANSWER)
}

fn complete(b: &[u8]) -> bool {
    b.len() >= MAX_REPLY || b.windows(END.len()).any(|w| w == END)
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    let b = &b[..b.len().min(MAX_REPLY)];
    if b.len() < ANSWER.len() {
        found.push(Found::new(
            app::FOX,
            format!("incomplete hello ({} bytes)", b.len()),
        ));
        return;
    }
    let mut parts = Vec::new();
    for (key, name) in FIELDS {
        if let Some(v) = value(b, key) {
            parts.push(format!("{name} {v}"));
        }
    }
    let mut text = match parts.is_empty() {
        true => "fox hello".to_string(),
        false => parts.join(", "),
    };
    if !b.windows(END.len()).any(|w| w == END) {
        text.push_str(", cut");
    }
    found.push(Found::new(app::FOX, text));
}

/// The value of `key=type:value` (the first such line), without its type; a time zone without
/// its rules.
fn value(b: &[u8], key: &str) -> Option<String> {
    let line = b.split(|&c| c == b'\n').find_map(|l| {
        let rest = l.strip_prefix(key.as_bytes())?;
        rest.strip_prefix(b"=")
    })?;
    let colon = line.iter().position(|&c| c == b':')?;
    let v = &line[colon + 1..];
    let v = match key {
        "timeZone" => v.split(|&c| c == b';').next().unwrap_or_default(),
        _ => v,
    };
    let v = printable(v);
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
#[path = "fox_tests.rs"]
mod tests;
