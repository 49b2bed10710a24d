//! `--identify`'s series of hellos for a port that stays silent: which connection comes next
//! ([`Session::next_try`]), what each sends ([`Session::start_try`]), which parser names its
//! reply, and how long a silent one waits. The first connection gets the HTTP hello after
//! `--hello-timeout`; the tries after it are, in this order, the plaintext TLS hello, redis's
//! `INFO` (RESP), memcached's `stats`, an MQTT 3.1.1 CONNECT and PostgreSQL's SSLRequest, each
//! on a connection of its own, at most `--identify-tries` of them
//! ([`BannerConfig::identify_tries`]). The series stops at the first reply a parser names.
//! AMQP is not in it: a broker answers any foreign hello with its protocol header and closes
//! (AMQP 0-9-1, section 4.2.2), which names it on the connection that got it; the AMQP try
//! ([`Step::Amqp`]) then follows, out of the series' order, for Connection.Start's product
//! and version.
//!
//! Why this order and one protocol per connection, measured in the lab with plain sockets
//! from the scanner's namespace (redis 7.0, mosquitto 2.0, memcached 1.6.18, PostgreSQL 15;
//! the AMQP server is the lab's stand-in): mosquitto resets a connection whose first bytes are
//! not a CONNECT, and redis goes silent for the rest of a connection once an inline line holds
//! a NUL byte, which every CONNECT has before its first line feed; so no one hello names both.
//! Redis comes before MQTT: mosquitto refuses its `INFO` at once (a RST, no wait), while redis
//! stays silent on a CONNECT until the hello wait ends. memcached closes at the HTTP hello and
//! answers every other foreign hello with `ERROR` lines (a reply no parser names, so one hello
//! wait each); it comes after redis because redis answers `stats` with an error line, which
//! names it but without `INFO`'s version, and before MQTT because mosquitto resets `stats` at
//! once while memcached spends a wait on a CONNECT. PostgreSQL closes at once (a FIN, no
//! bytes) on every other hello, so coming last costs it no wait; memcached and redis would sit
//! silent on its SSLRequest. LZR's survey (USENIX Security '21) found HTTP and TLS name most
//! unexpected services, which is why they lead.

use std::net::IpAddr;

use super::{
    amqp, memcached, mqtt, postgres, redis, BannerConfig, ClientFirst, Kind, NextTry, Session,
};

/// One try of the series after the first connection's HTTP hello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The plaintext TLS hello (a TLS 1.3-only server then gets rustls, outside the count).
    Tls,
    /// redis's `INFO` as a RESP array.
    Redis,
    /// memcached's `stats`.
    Memcached,
    /// An MQTT 3.1.1 CONNECT.
    Mqtt,
    /// PostgreSQL's SSLRequest (then, on `N`, a StartupMessage for protocol 255.255).
    Postgres,
    /// AMQP 0-9-1's protocol header: not in [`SERIES`]; it follows a connection whose reply
    /// was an AMQP broker's protocol header.
    Amqp,
}

/// The tries in the order they are made.
pub const SERIES: [Step; 5] = [
    Step::Tls,
    Step::Redis,
    Step::Memcached,
    Step::Mqtt,
    Step::Postgres,
];

/// `--identify-tries` when not given: the whole series.
pub const DEFAULT_TRIES: u8 = SERIES.len() as u8;

impl Step {
    /// The try after this one, if the series goes on.
    fn next(self) -> Option<Step> {
        let at = SERIES.iter().position(|s| *s == self)?;
        SERIES.get(at + 1).copied()
    }

    /// This try's place in the series, from 1 (0 for [`Step::Amqp`], which is outside it).
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
            (Step::Memcached, _) if reply.starts_with(b"STAT ") => {
                Some(Kind::Other(Box::<memcached::Memcached>::default()))
            }
            (Step::Postgres, _) if postgres::answers_ssl_request(reply) => {
                Some(Kind::Other(Box::<postgres::Postgres>::default()))
            }
            (Step::Amqp, 1) => Some(Kind::Other(amqp::parser())),
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
    /// At most `--identify-tries` tries follow the first connection. A connection answered by
    /// an AMQP broker's protocol header asks for the AMQP try instead, whatever its place
    /// (unless `--identify-tries` is 0); the series ends there.
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
        if self.amqp_refusal && self.step != Some(Step::Amqp) {
            // A broker named itself by refusing our hello: one try for its Connection.Start.
            return (cfg.identify_tries > 0).then_some(NextTry::Identify(Step::Amqp));
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
            Step::Memcached => out.extend_from_slice(memcached::HELLO),
            Step::Mqtt => out.extend_from_slice(mqtt::CONNECT),
            Step::Postgres => out.extend_from_slice(&postgres::SSL_REQUEST),
            Step::Amqp => out.extend_from_slice(amqp::HEADER),
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
