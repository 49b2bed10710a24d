//! X11 (ports 6000-6019): a connection setup request with no authorization, little-endian;
//! reports whether the server accepted it, its protocol version, and the vendor, release and
//! first screen's size, or the reason it refused or asked for authentication.

use std::net::IpAddr;

use super::{le16, le32, printable, Protocol, Reply};
use crate::banner::parser::Parser;
use crate::banner::{app, BannerConfig, Found};

pub(crate) fn start(_ip: IpAddr, _cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser> {
    // Byte order 'l', unused, protocol 11.0, no authorization name or data, padding.
    out.extend_from_slice(b"l\0");
    out.extend_from_slice(&11u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&[0; 6]);
    Reply::boxed(Protocol {
        is_protocol,
        complete,
        report,
    })
}

/// A setup reply: status 0-2 and protocol major version 11.
fn is_protocol(b: &[u8]) -> bool {
    b.first().is_none_or(|&s| s <= 2) && le16(b, 2).is_none_or(|v| v == 11)
}

/// The reply's length: its 8-byte head and the additional data it announces in 4-byte units.
fn length(b: &[u8]) -> Option<usize> {
    Some(8 + 4 * usize::from(le16(b, 6)?))
}

fn complete(b: &[u8]) -> bool {
    length(b).is_some_and(|n| b.len() >= n)
}

fn report(b: &[u8], _cfg: &BannerConfig, found: &mut Vec<Found>) {
    found.push(Found::new(app::X11, describe(b)));
}

fn describe(b: &[u8]) -> String {
    let (Some(&status), Some(major), Some(minor)) = (b.first(), le16(b, 2), le16(b, 4)) else {
        return format!("X11: reply cut short ({} bytes)", b.len());
    };
    let body = b.get(8..length(b).unwrap_or(8).min(b.len())).unwrap_or(&[]);
    match status {
        0 => {
            let n = usize::from(b.get(1).copied().unwrap_or(0));
            let reason = body.get(..n.min(body.len())).unwrap_or(&[]);
            format!(
                "X11 refused, protocol {major}.{minor}: {}",
                printable(reason)
            )
        }
        1 => format!("X11 accepted, protocol {major}.{minor}{}", success(body)),
        2 => format!("X11 authentication required: {}", printable(body)),
        s => format!("X11: not a setup reply (status {s})"),
    }
}

/// The vendor, release and first screen of an accepted setup (what of them is there).
fn success(body: &[u8]) -> String {
    let mut text = String::new();
    let (Some(release), Some(vendor_len)) = (le32(body, 0), le16(body, 16)) else {
        return text;
    };
    let vendor_len = usize::from(vendor_len);
    let vendor = body.get(32..32 + vendor_len).unwrap_or(&[]);
    text.push_str(&format!(
        ", vendor {}, release {release}",
        printable(vendor)
    ));
    let screens = body.get(20).copied().unwrap_or(0);
    let formats = usize::from(body.get(21).copied().unwrap_or(0));
    let screen = 32 + vendor_len.div_ceil(4) * 4 + 8 * formats;
    if let (Some(w), Some(h)) = (le16(body, screen + 20), le16(body, screen + 22)) {
        text.push_str(&format!(", {screens} screen(s), first {w}x{h}"));
    }
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An accepted setup as Xvfb sends it: vendor, one pixmap format, one screen.
    pub(crate) fn accepted() -> Vec<u8> {
        let vendor = b"The X.Org Foundation";
        let mut body = Vec::new();
        body.extend_from_slice(&12_101_011u32.to_le_bytes());
        body.extend_from_slice(&[0; 12]);
        body.extend_from_slice(&(vendor.len() as u16).to_le_bytes());
        body.extend_from_slice(&0xffffu16.to_le_bytes());
        body.extend_from_slice(&[1, 1, 0, 0, 32, 32, 8, 255, 0, 0, 0, 0]);
        body.extend_from_slice(vendor);
        body.resize(body.len().div_ceil(4) * 4, 0);
        body.extend_from_slice(&[24, 32, 32, 0, 0, 0, 0, 0]);
        let mut screen = vec![0u8; 40];
        screen[20..22].copy_from_slice(&1280u16.to_le_bytes());
        screen[22..24].copy_from_slice(&1024u16.to_le_bytes());
        body.extend_from_slice(&screen);
        let mut r = vec![1, 0, 11, 0, 0, 0];
        r.extend_from_slice(&((body.len() / 4) as u16).to_le_bytes());
        r.extend_from_slice(&body);
        r
    }

    pub(crate) fn refused() -> Vec<u8> {
        let reason = b"Authorization required, but no authorization protocol specified\n";
        let mut body = reason.to_vec();
        body.resize(reason.len().div_ceil(4) * 4, 0);
        let mut r = vec![0, reason.len() as u8, 11, 0, 0, 0];
        r.extend_from_slice(&((body.len() / 4) as u16).to_le_bytes());
        r.extend_from_slice(&body);
        r
    }

    #[test]
    fn hello_is_a_setup_request() {
        let mut out = Vec::new();
        start(
            crate::banner::hello::tests::IP,
            &BannerConfig::default(),
            &mut out,
        );
        assert_eq!(out, b"l\0\x0b\0\0\0\0\0\0\0\0\0");
    }

    #[test]
    fn accepted_refused_and_authenticate() {
        assert_eq!(
            describe(&accepted()),
            "X11 accepted, protocol 11.0, vendor The X.Org Foundation, release 12101011, \
             1 screen(s), first 1280x1024"
        );
        assert_eq!(
            describe(&refused()),
            "X11 refused, protocol 11.0: Authorization required, but no authorization \
             protocol specified"
        );
        assert_eq!(
            describe(b"\x02\0\0\0\0\0\x01\0MIT\0"),
            "X11 authentication required: MIT"
        );
        assert!(complete(&accepted()) && !complete(&accepted()[..40]));
    }

    #[test]
    fn every_cut_is_reported_without_panic() {
        for r in [accepted(), refused()] {
            for n in 0..r.len() {
                let d = describe(&r[..n]);
                assert!(d.starts_with("X11"), "{d}");
            }
        }
    }
}
