//! The interface every protocol parser of a banner connection implements, and the table of
//! hellos sent first on a port. A new protocol is one file with a [`Parser`] and a `start`
//! function, plus one line in [`hello_for`].

use std::net::IpAddr;

use super::{hello, BannerConfig, Found};

/// One connection's parser for one protocol, sans-IO.
pub(crate) trait Parser: Send {
    /// In-order bytes from the server (already cut to the connection's byte budget); bytes to
    /// send back are appended to `out`. Returns true when the parser wants nothing more.
    fn data(&mut self, data: &[u8], cfg: &BannerConfig, out: &mut Vec<u8>) -> bool;

    /// The connection is over: push the banners found.
    fn finish(self: Box<Self>, cfg: &BannerConfig, found: &mut Vec<Found>);

    /// Whether the connection has gone on to a TLS handshake (a database's SSLRequest was
    /// accepted): it may then take a certificate chain's worth of bytes.
    fn in_tls(&self) -> bool {
        false
    }
    /// Whether the connection ended asking for a second one with the protocol's second hello
    /// ([`second_for`]).
    fn wants_second(&self) -> bool {
        false
    }
}

/// Starts a client-first protocol: appends its hello to `out` and returns the parser for the
/// reply.
pub(crate) type Start = fn(ip: IpAddr, cfg: &BannerConfig, out: &mut Vec<u8>) -> Box<dyn Parser>;

/// The hello a port gets at connect (besides HTTP and TLS, which have their own arms), as the
/// original's hello table assigns them.
pub(crate) fn hello_for(port: u16) -> Option<Start> {
    Some(match port {
        11211 => super::memcached::start,
        3389 => super::rdp::start,
        445 => super::smb::start,
        6000..=6019 => hello::x11::start,
        1098 | 1099 => hello::javarmi::start,
        88 => hello::kerberos::start,
        27017 | 9001 | 49153 => hello::mongodb::start,
        104 | 2345 | 2761 | 2762 | 4242 | 11112 => hello::dicom::start,
        389 | 390 | 256 | 257 | 1702 | 3268 | 3892 | 11711 => hello::ldap::start,
        // 8081 too: the original sends SIP there, and an HTTP reply to it is reported as HTTP.
        5060 | 406 | 8081 | 31337 => hello::sip::start,
        554 | 8554 => hello::rtsp::start,
        111 | 2049 => hello::rpc::start,
        139 => super::smb::start_netbios,
        53 | 135 | 50000..=50002 => super::dns::start,
        2375 | 2379 | 2380 => super::docker::start,
        6379 => super::redis::start,
        130 | 427 | 1352 | 1972 | 7171 | 8728 | 22001 => super::notes::start,
        1433 => super::mssql::start,
        548 => super::afp::start,
        25565 => super::minecraft::start,
        5432 => super::postgres::start,
        1883 => super::mqtt::start,
        5672 => super::amqp::start,
        502 => super::modbus::start,
        20000 => super::dnp3::start,
        44818 => super::enip::start,
        1911 => super::fox::start,
        102 => super::s7::start,
        _ => return None,
    })
}

/// The hello of a second connection a protocol asks for ([`Parser::wants_second`]): S7comm's
/// connection request to the second TSAP.
pub(crate) fn second_for(port: u16) -> Option<Start> {
    match port {
        102 => Some(super::s7::start_second),
        _ => None,
    }
}

/// Runs one parser of the hello table in a unit test: its `start` to `ip` (the hello sent),
/// then the server's `chunks` until it is done, then the end. Returns what was sent and the
/// banners found.
#[cfg(test)]
pub(crate) fn drive(start: Start, ip: IpAddr, chunks: &[&[u8]]) -> (Vec<u8>, Vec<Found>) {
    let cfg = BannerConfig::default();
    let mut out = Vec::new();
    let mut p = start(ip, &cfg, &mut out);
    for c in chunks {
        if p.data(c, &cfg, &mut out) {
            break;
        }
    }
    let mut found = Vec::new();
    p.finish(&cfg, &mut found);
    (out, found)
}

/// `drive` over a first chunk and then `tail`'s, as the parsers' property tests give them.
#[cfg(test)]
pub(crate) fn drive_tail(start: Start, ip: IpAddr, first: &[u8], tail: &[Vec<u8>]) -> Vec<Found> {
    let mut chunks: Vec<&[u8]> = vec![first];
    chunks.extend(tail.iter().map(Vec::as_slice));
    drive(start, ip, &chunks).1
}

/// A whole `reply` through a banner session on `port` of `ip`: the hello it sent, whether the
/// reply ended it, and what it found.
#[cfg(test)]
pub(crate) fn through_session(ip: IpAddr, port: u16, reply: &[u8]) -> (Vec<u8>, bool, Vec<Found>) {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = super::Session::start(ip, port, &cfg, &mut sent);
    let hello = sent.clone();
    s.data(ip, reply, &cfg, &mut sent);
    let done = s.is_done();
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    (hello, done, found)
}
