//! `--identify`'s series of hellos for a port that stays silent: which connection comes next
//! ([`Session::next_try`]), what each sends ([`Session::start_try`]), which parser names its
//! reply, and how long a silent one waits. The first connection gets the HTTP hello after
//! `--hello-timeout`; the tries after it are, in this order, the plaintext TLS hello, redis's
//! `INFO` (RESP) and an MQTT 3.1.1 CONNECT, each on a connection of its own, at most
//! `--identify-tries` of them ([`BannerConfig::identify_tries`]). The series stops at the first
//! reply a parser names.
//!
//! Why this order and one protocol per connection, measured in the lab (redis 7.0, mosquitto
//! 2.0): mosquitto resets a connection whose first bytes are not a CONNECT, and redis goes
//! silent for the rest of a connection once an inline line holds a NUL byte, which every
//! CONNECT has before its first line feed; so no one hello names both. Redis comes first:
//! mosquitto refuses its `INFO` at once (a RST, no wait), while redis stays silent on a
//! CONNECT until the hello wait ends. LZR's survey (USENIX Security '21) found HTTP and TLS
//! name most unexpected services, which is why they lead.

use std::net::IpAddr;

use super::{mqtt, redis, BannerConfig, ClientFirst, Kind, NextTry, Session};

/// One try of the series after the first connection's HTTP hello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The plaintext TLS hello (a TLS 1.3-only server then gets rustls, outside the count).
    Tls,
    /// redis's `INFO` as a RESP array.
    Redis,
    /// An MQTT 3.1.1 CONNECT.
    Mqtt,
}

/// The tries in the order they are made.
pub const SERIES: [Step; 3] = [Step::Tls, Step::Redis, Step::Mqtt];

/// `--identify-tries` when not given: the whole series.
pub const DEFAULT_TRIES: u8 = SERIES.len() as u8;

impl Step {
    /// The try after this one, if the series goes on.
    fn next(self) -> Option<Step> {
        let at = SERIES.iter().position(|s| *s == self)?;
        SERIES.get(at + 1).copied()
    }

    /// This try's place in the series, from 1.
    pub fn number(self) -> u8 {
        SERIES
            .iter()
            .position(|s| *s == self)
            .map_or(0, |i| i as u8 + 1)
    }

    /// The parser a reply to this try's hello goes to, when the reply is of the protocol
    /// asked; otherwise the server's first bytes decide, as on any connection.
    fn parser_for(self, reply: &[u8]) -> Option<Kind> {
        match (self, reply.first()?) {
            // RESP: an error, simple string, integer, bulk string or array.
            (Step::Redis, b'-' | b'+' | b':' | b'$' | b'*') => {
                Some(Kind::Other(Box::<redis::Redis>::default()))
            }
            (Step::Mqtt, 0x20 | 0xe0) => Some(Kind::Other(mqtt::parser())),
            _ => None,
        }
    }
}

impl Session {
    /// The next connection this one asks for when it ends, if any: rustls after a refused
    /// plaintext TLS hello; a protocol's own second hello; with `--identify`, the next try of
    /// the series when this connection named nothing: the first connection when the port
    /// stayed silent and gave the HTTP hello no answer (or only a TLS record, as a TLS server
    /// on an unexpected port answers), a try when it got no bytes or bytes no parser names.
    /// At most `--identify-tries` tries follow the first connection.
    pub fn next_try(&self, cfg: &BannerConfig) -> Option<NextTry> {
        if self.wants_rustls() {
            return Some(NextTry::Rustls);
        }
        if matches!(&self.kind, Kind::Other(p) if p.wants_second()) {
            return Some(NextTry::Second);
        }
        if !cfg.identify {
            return None;
        }
        let next = match self.step {
            None => {
                let tls_record = self.first_byte.is_some_and(|b| (0x15..=0x16).contains(&b));
                let silent = self.probed_quiet
                    && matches!(self.kind, Kind::Http(_))
                    && (self.received == 0 || tls_record);
                silent.then_some(SERIES[0])
            }
            Some(step) if self.named_nothing() => step.next(),
            Some(_) => None,
        }?;
        (next.number() <= cfg.identify_tries).then_some(NextTry::Identify(next))
    }

    /// Whether this connection's reply named no service: none came, or bytes no parser knows.
    fn named_nothing(&self) -> bool {
        self.received == 0 || matches!(self.kind, Kind::Detect | Kind::Raw(_))
    }

    /// A connection `--identify` opens for `step` ([`NextTry::Identify`]): its hello appended
    /// to `out`.
    pub fn start_try(
        step: Step,
        ip: IpAddr,
        port: u16,
        cfg: &BannerConfig,
        out: &mut Vec<u8>,
    ) -> Self {
        let mut s = Session::fresh(port, true);
        s.step = Some(step);
        match step {
            Step::Tls => s.kind = s.hello(ClientFirst::Tls, ip, cfg, out),
            Step::Redis => out.extend_from_slice(redis::HELLO),
            Step::Mqtt => out.extend_from_slice(mqtt::CONNECT),
        }
        s
    }

    /// The parser for the first bytes of a try's reply: the protocol asked when the reply is
    /// of it, else what the bytes say ([`super::detect`]).
    pub(super) fn detect_reply(&self, data: &[u8]) -> Kind {
        self.step
            .and_then(|s| s.parser_for(data))
            .unwrap_or_else(|| super::detect(data, self.port))
    }

    /// How many hello waits after it opened a connection that got no byte ends, so that the
    /// series goes on: two for the first (the HTTP hello goes out after one), one for a try
    /// (its hello goes out at once); `None` when silence waits for the connection's timeout.
    pub fn silent_waits(&self, cfg: &BannerConfig) -> Option<u64> {
        if !cfg.identify || self.received > 0 {
            return None;
        }
        match self.step {
            Some(_) => Some(1),
            None if self.probed_quiet => Some(2),
            None => None,
        }
    }
}

#[cfg(test)]
#[path = "identify_tests.rs"]
mod tests;
