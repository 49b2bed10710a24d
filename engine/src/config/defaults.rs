//! Every option's default, named once: the engine, the command line's help texts,
//! `--echo-all` and the banner stack all read these.

/// `--rate`: packets per second, all transmit threads together.
pub const RATE: f64 = 100.0;
/// `--ttl`: IPv4 TTL / IPv6 hop limit of probes.
pub const TTL: u8 = 255;
/// `--wait`: seconds to keep receiving after the last probe.
pub const WAIT_SECS: u64 = 10;
/// `--retries`: extra probes per target.
pub const RETRIES: u32 = 0;
/// `--blackrock-rounds`: rounds of the BlackRock order.
pub const BLACKROCK_ROUNDS: u32 = crate::plan::blackrock::DEFAULT_ROUNDS;
/// `--hello-timeout`: seconds a server may stay silent before our hello.
pub const HELLO_TIMEOUT_SECS: u64 = 2;
/// `--connection-timeout`: seconds a banner connection may last at most.
pub const CONNECTION_TIMEOUT_SECS: u64 = 30;
/// `--banner-bytes`: bytes kept from one banner connection.
pub const BANNER_BYTES: usize = 4096;
/// `--max-connections` when not given is derived from the rate, within these bounds.
pub const MAX_CONNECTIONS_MIN: usize = 4096;
pub const MAX_CONNECTIONS_MAX: usize = 1 << 20;
/// `--top-ports` given without its number (the original's current source: 20).
pub const TOP_PORTS: u32 = 20;
/// `--redis IP` without a port.
pub const REDIS_PORT: u16 = 6379;

/// The SYN's MSS option (`--tcp-mss`; `--tcp-mss enable` gives it too).
pub const TCP_MSS: u16 = 1460;
/// The window scale `--tcp-wscale` alone (or `enable`) announces.
pub const TCP_WSCALE: u8 = 3;
/// The timestamp value `--tcp-tsecho` alone (or `enable`) sends.
pub const TCP_TSECHO: u32 = 0x1234_5678;
