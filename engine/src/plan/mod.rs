//! The scan plan: what is scanned ([`targets`] from [`ranges`] and [`ports`], [`top_ports`]),
//! from where ([`source`]), in which order ([`permutation`], [`blackrock`]); and here the
//! index space `targets x ports`, walked in the permuted order, with retries
//! folded in, cut into `--shards`, `--resume-index/--resume-count` and per-thread slices.
//!
//! Index layers, from what a thread iterates to what goes on the wire:
//! - a *scan index* `j` in `[0, total)` (this is what `--resume-index` counts and shards split);
//! - with `--retries R`, `j` maps to a *base index* (or to an empty slot): the base space is cut
//!   into windows of `W` indices and window `b` is sent again in epochs `b+1 .. b+R`, so every
//!   target gets exactly `R` extra probes about one second apart (`W` is derived from the rate);
//! - the permutation maps the base index to a *target number* `x`, and `x` splits into an
//!   address (`x % hosts`) and a port (`x / hosts`), IPv4 addresses first, then IPv6.
//!
//! `--permutation blackrock` replaces the last two steps with the original masscan's: scan index
//! `i` sends `R + 1` probes, to the targets `blackrock((i + k * rate) mod N)` for `k = R+1 .. 1`,
//! IPv6 targets first, over `N` scan indices (the original runs on to `N + R * rate`, sending
//! duplicates); and `-sL` lists `blackrock(i)` for `N + R * rate` indices with IPv4 first, as
//! the original's does.
//!
//! A pair scan (targets written `IP:PORT`, [`pairs`]) has one more last step: the target number
//! `x` is the pair `pairs[x]`, whatever the order, so everything above works unchanged.
//!
//! `--canaries N` ([`crate::canary`]) gives every host `N` more port slots after its ports:
//! `x / hosts` past the last port is the host's canary `k`, whose TCP port is computed from the
//! key and the address. So canaries are permuted, sharded, paused and resumed as any probe.

pub mod blackrock;
mod lanes;
pub use lanes::LANES;
pub mod pairs;
pub mod permutation;
pub mod ports;
pub mod ranges;
pub mod source;
pub mod targets;
pub mod top_ports;

use crate::canary::Canaries;
use crate::cookie::CookieKey;
use crate::plan::blackrock::BlackRock;
use crate::plan::pairs::PairList;
use crate::plan::permutation::Permutation;
use crate::plan::ports::PortSet;
use crate::plan::targets::TargetSet;
use std::sync::Arc;
use strength_reduce::StrengthReducedU64;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error(
        "scan too large: {hosts} addresses x {ports} ports{retries} exceeds 2^63 probes; split the \
         targets (e.g. several smaller IPv6 ranges) and scan them one after another"
    )]
    TooLarge {
        hosts: u128,
        ports: u64,
        retries: String,
    },
    #[error("no ports to scan: give -p (e.g. -p80,443), or --ping, or --arp")]
    NoPorts,
    #[error("bad --shards '{0}': use x/y with 1 <= x <= y <= 4294967295 (e.g. --shards 1/3)")]
    BadShard(String),
    #[error("--resume-index {index} is past the end of the scan ({total} probes)")]
    ResumePastEnd { index: u64, total: u64 },
    #[error("--canaries works with targets given as addresses and ranges, not with IP:PORT pairs")]
    CanaryPairs,
    #[error("{0}")]
    Canary(#[from] crate::canary::CanaryError),
}

/// One probe destination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetIp {
    V4(u32),
    V6(u128),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    pub ip: TargetIp,
    /// Port-space value (see [`crate::plan::ports::Proto`]).
    pub port: u32,
    /// The target number (the permuted base index); selects the source address and port.
    pub number: u64,
    /// Which of the target's `--retries + 1` probes this is (0 the first): a TCP SYN adds it to
    /// its cookie, so a reply says which probe it answers (the coverage estimate's captures).
    pub attempt: u16,
    /// A canary probe (`--canaries`): a high TCP port the scan does not probe.
    pub canary: bool,
}

/// `--shards x/y`: this machine scans the scan indices `i` with `i % y == x - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub one: u64,
    pub of: u64,
}

impl Default for Shard {
    fn default() -> Self {
        Self { one: 1, of: 1 }
    }
}

impl Shard {
    pub fn parse(s: &str) -> Result<Self, PlanError> {
        let bad = || PlanError::BadShard(s.to_string());
        let (a, b) = s.split_once('/').ok_or_else(bad)?;
        let one: u64 = a.trim().parse().map_err(|_| bad())?;
        let of: u64 = b.trim().parse().map_err(|_| bad())?;
        if one == 0 || of == 0 || one > of || of > u32::MAX as u64 {
            return Err(bad());
        }
        Ok(Self { one, of })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.one, self.of)
    }
}

/// Which permutation orders the scan (`--permutation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanOrder {
    /// Ours: a keyed Feistel network over a power-of-two domain (faster; `--permutation
    /// feistel`).
    Feistel,
    /// The original masscan's BlackRock with this many rounds (`--blackrock-rounds`): the
    /// default, so that a scan splits and resumes with the original's instances.
    BlackRock { rounds: u32 },
}

impl Default for ScanOrder {
    fn default() -> Self {
        ScanOrder::BlackRock {
            rounds: blackrock::DEFAULT_ROUNDS,
        }
    }
}

/// How the plan walks the scan: the order, and for BlackRock the `--rate` (its retry spacing
/// and offset) and whether this is a `-sL` listing (whose order differs in the original).
#[derive(Clone, Copy, Debug, Default)]
pub struct OrderSpec {
    pub order: ScanOrder,
    pub rate: u64,
    pub listing: bool,
    /// Canary ports per host (`--canaries`, 0: none).
    pub canaries: u8,
}

#[derive(Clone, Debug)]
enum Order {
    Feistel {
        perm: Permutation,
        window: u64,
        epoch: u64,
    },
    BlackRock {
        br: Box<BlackRock>,
        /// `Some(rate)` for a scan (index `i` sends `(i + k * rate) mod N`), `None` for `-sL`.
        rotate: Option<u64>,
        /// Probes per scan index: `R + 1` for a scan, 1 for `-sL`.
        group: u64,
    },
}

#[derive(Clone, Debug)]
pub struct Plan {
    targets: TargetSet,
    ports: PortSet,
    /// A pair scan's pairs: target number `x` is `pairs[x]`.
    pairs: Option<Arc<PairList>>,
    v4_hosts: u64,
    /// Divisors by the host counts, strength-reduced to multiplies (the pick is per probe).
    v4_div: StrengthReducedU64,
    v6_div: StrengthReducedU64,
    hosts: u64,
    port_count: u64,
    /// Port slots per host: the ports, then the canaries.
    slots: u64,
    canaries: Option<Arc<Canaries>>,
    v4_probes: u64,
    base: u64,
    order: Order,
    retries: u64,
    total: u64,
}

impl Plan {
    /// `window` is the retry spacing in probes (about one second's worth at the scan rate).
    pub fn new(
        targets: TargetSet,
        ports: PortSet,
        seed: u64,
        retries: u32,
        window: u64,
    ) -> Result<Self, PlanError> {
        let spec = OrderSpec {
            order: ScanOrder::Feistel,
            ..OrderSpec::default()
        };
        Self::ordered(targets, ports, seed, retries, window, spec)
    }

    /// A plan in the order `spec` asks for (`window` only matters to the Feistel order).
    pub fn ordered(
        targets: TargetSet,
        ports: PortSet,
        seed: u64,
        retries: u32,
        window: u64,
        spec: OrderSpec,
    ) -> Result<Self, PlanError> {
        let pairs = targets.pairs.clone();
        // A pair scan's ports are its pairs' (the caller passes them, or none).
        let ports = match &pairs {
            Some(p) if ports.count() == 0 => p.ports(),
            _ => ports,
        };
        let port_count = ports.count();
        if port_count == 0 {
            return Err(PlanError::NoPorts);
        }
        let canaries = match spec.canaries {
            0 => None,
            _ if pairs.is_some() => return Err(PlanError::CanaryPairs),
            n => Some(Arc::new(Canaries::new(
                CookieKey::from_seed(seed),
                n,
                &ports,
            )?)),
        };
        let slots = port_count + u64::from(spec.canaries);
        let hosts128 = targets.host_count();
        let too_large = |r: u32| PlanError::TooLarge {
            hosts: hosts128,
            ports: slots,
            retries: if r > 0 {
                format!(" x {} tries", r as u64 + 1)
            } else {
                String::new()
            },
        };
        const LIMIT: u128 = 1 << 63;
        let base128 = match &pairs {
            Some(p) => p.len() as u128,
            None => hosts128.saturating_mul(slots as u128),
        };
        if base128 > LIMIT {
            return Err(too_large(0));
        }
        let v4_hosts = targets.v4.len_u64().expect("checked above");
        let hosts = hosts128 as u64;
        let base = base128 as u64;
        let retries = retries as u64;
        let (order, total) = match spec.order {
            ScanOrder::Feistel => Self::feistel(base, seed, retries, window)
                .ok_or_else(|| too_large(retries as u32))?,
            ScanOrder::BlackRock { rounds } => {
                // -sL lists the original's N + R * rate indices (past N it repeats targets);
                // a scan walks N indices of R + 1 probes each, so every target gets exactly
                // R + 1 (the original's over-run sends many more, duplicates).
                let extra = if spec.listing {
                    retries.saturating_mul(spec.rate)
                } else {
                    0
                };
                let total = base.checked_add(extra);
                let probes = total.and_then(|t| t.checked_mul(retries + 1));
                let total = total
                    .filter(|_| probes.is_some_and(|p| p <= LIMIT as u64))
                    .ok_or_else(|| too_large(retries as u32))?;
                let order = Order::BlackRock {
                    br: Box::new(BlackRock::new(base, seed, rounds)),
                    rotate: (!spec.listing).then_some(spec.rate),
                    group: if spec.listing { 1 } else { retries + 1 },
                };
                (order, total)
            }
        };
        Ok(Self {
            order,
            v4_div: StrengthReducedU64::new(v4_hosts.max(1)),
            v6_div: StrengthReducedU64::new((hosts - v4_hosts).max(1)),
            v4_probes: v4_hosts * slots,
            targets,
            ports,
            pairs,
            v4_hosts,
            hosts,
            port_count,
            slots,
            canaries,
            base,
            retries,
            total,
        })
    }

    /// Our order: the permutation and the windowed retry schedule of the module comment.
    fn feistel(base: u64, seed: u64, retries: u64, window: u64) -> Option<(Order, u64)> {
        let window = window.clamp(1, base);
        let (epoch, total) = if retries == 0 {
            (window, base)
        } else {
            let blocks = base.div_ceil(window) as u128;
            let epoch = window as u128 * (retries as u128 + 1);
            let total = (blocks + retries as u128) * epoch;
            if total > 1 << 63 {
                return None;
            }
            (epoch as u64, total as u64)
        };
        let perm = Permutation::new(base, seed);
        Some((
            Order::Feistel {
                perm,
                window,
                epoch,
            },
            total,
        ))
    }

    pub fn targets(&self) -> &TargetSet {
        &self.targets
    }

    pub fn ports(&self) -> &PortSet {
        &self.ports
    }

    /// Addresses to scan (both families).
    pub fn host_count(&self) -> u64 {
        self.hosts
    }

    /// Ports per host (canaries not counted).
    pub fn port_count(&self) -> u64 {
        self.port_count
    }

    /// The scan's canary ports (`--canaries`), if it has any.
    pub fn canaries(&self) -> Option<&Arc<Canaries>> {
        self.canaries.as_ref()
    }

    /// Probes per host and try: the ports and the canaries (`-sL` shows ports when above 1).
    pub fn slot_count(&self) -> u64 {
        self.slots
    }

    /// Whether this is a pair scan (targets written `IP:PORT`).
    pub fn is_pairs(&self) -> bool {
        self.pairs.is_some()
    }

    /// Distinct (address, port) targets, canary slots included.
    pub fn base_count(&self) -> u64 {
        self.base
    }

    /// Size of the scan index space, retries included (some slots are empty when retrying).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Extra probes per target (`--retries`).
    pub fn retries(&self) -> u64 {
        self.retries
    }

    /// Maps a scan index to a base index in the Feistel order's retry schedule and the probe's
    /// attempt (its pass); `None` for the schedule's empty slots.
    #[inline(always)]
    fn feistel_base(&self, j: u64, window: u64, epoch: u64) -> Option<(u64, u16)> {
        if self.retries == 0 {
            return Some((j, 0));
        }
        let k = j / epoch;
        let r = j % epoch;
        let pass = r / window;
        let off = r % window;
        let block = k.checked_sub(pass)?;
        let base = block.checked_mul(window)?.checked_add(off)?;
        (base < self.base).then_some((base, pass as u16))
    }

    /// The target of a base index (a position in the permuted order).
    #[inline(always)]
    pub fn pick(&self, base_index: u64) -> Target {
        match &self.order {
            Order::Feistel { perm, .. } => self.target(perm.shuffle(base_index), false, 0),
            Order::BlackRock { br, rotate, .. } => {
                self.target(br.shuffle(base_index), rotate.is_some(), 0)
            }
        }
    }

    /// Target number `x` as probe `attempt` of it: a pair of a pair scan, else [`Self::split`].
    #[inline(always)]
    fn target(&self, x: u64, v6_first: bool, attempt: u16) -> Target {
        let t = match &self.pairs {
            None => self.split(x, v6_first),
            Some(pairs) => pair_target(pairs, x),
        };
        Target { attempt, ..t }
    }

    /// Target number `x` as an address and a port: `x % hosts` and `x / hosts` within the
    /// IPv4 targets, then the IPv6 ones (or IPv6 first, as the original's scans go).
    #[inline(always)]
    fn split(&self, x: u64, v6_first: bool) -> Target {
        let v6_probes = self.base - self.v4_probes;
        let (is_v4, y) = if v6_first {
            if x < v6_probes {
                (false, x)
            } else {
                (true, x - v6_probes)
            }
        } else if x < self.v4_probes {
            (true, x)
        } else {
            (false, x - self.v4_probes)
        };
        let (ip, port_index) = if is_v4 {
            let (h, p) = if self.slots == 1 {
                (y, 0)
            } else {
                let p = y / self.v4_div;
                (y - p * self.v4_hosts, p)
            };
            (TargetIp::V4(self.targets.v4.pick(h)), p)
        } else {
            let (h, p) = if self.slots == 1 {
                (y, 0)
            } else {
                let p = y / self.v6_div;
                (y - p * self.v6_div.get(), p)
            };
            (TargetIp::V6(self.targets.v6.pick(h)), p)
        };
        if port_index >= self.port_count {
            return self.canary_target(ip, port_index - self.port_count, x);
        }
        Target {
            ip,
            port: self.ports.list.pick(port_index),
            number: x,
            attempt: 0,
            canary: false,
        }
    }

    /// Canary `k` of the host `ip`, as target number `x`.
    #[cold]
    fn canary_target(&self, ip: TargetIp, k: u64, x: u64) -> Target {
        let c = self
            .canaries
            .as_ref()
            .expect("slots past the ports are canaries");
        Target {
            ip,
            port: c.target_port(ip, k as u8),
            number: x,
            attempt: 0,
            canary: true,
        }
    }

    /// Scan index `j`'s target, if the slot is not empty.
    #[inline(always)]
    pub fn probe(&self, j: u64) -> Option<Target> {
        match &self.order {
            Order::Feistel {
                perm,
                window,
                epoch,
            } => {
                let (b, attempt) = self.feistel_base(j, *window, *epoch)?;
                Some(self.target(perm.shuffle(b), false, attempt))
            }
            Order::BlackRock {
                br, rotate: None, ..
            } => Some(self.target(br.shuffle(j), false, 0)),
            Order::BlackRock {
                br,
                rotate: Some(rate),
                group,
            } => {
                // Probe m of a group is the target's attempt m: its k = group - m is distinct.
                let (i, m) = (j / group, j % group);
                let b = i.wrapping_add((group - m).wrapping_mul(*rate)) % self.base;
                Some(self.target(br.shuffle(b), true, m as u16))
            }
        }
    }

    /// Probes per scan index (`j = i * group + m` for the `m`-th probe of scan index `i`).
    fn group(&self) -> u64 {
        match self.order {
            Order::BlackRock { group, .. } => group,
            Order::Feistel { .. } => 1,
        }
    }

    /// The scan indices one transmit thread walks: of `[start, end)`, those of this shard, then
    /// every `threads`-th of those starting at `thread`.
    pub fn slice(&self, start: u64, end: u64, shard: Shard, thread: u64, threads: u64) -> Slice {
        let end = end.min(self.total);
        let offset = (shard.one - 1) + shard.of * thread;
        let step = shard.of * threads;
        let first = if start <= offset {
            offset
        } else {
            offset + (start - offset).div_ceil(step) * step
        };
        Slice {
            next: first,
            end,
            step,
            group: self.group(),
            sub: 0,
        }
    }
}

/// Pair `x` of a pair scan as a target.
#[inline(always)]
fn pair_target(pairs: &PairList, x: u64) -> Target {
    let (ip, port) = pairs.get(x);
    Target {
        ip,
        port,
        number: x,
        attempt: 0,
        canary: false,
    }
}

/// An arithmetic progression of scan indices `next, next + step, ...` below `end`, each
/// carrying `group` probes (`j = index * group + m`; `group` is 1 but for the BlackRock order
/// with retries). `sub` is the next probe's `m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slice {
    pub next: u64,
    pub end: u64,
    pub step: u64,
    pub group: u64,
    pub sub: u64,
}

impl Slice {
    /// Number of probes left.
    pub fn remaining(&self) -> u64 {
        if self.next >= self.end {
            0
        } else {
            (self.end - self.next).div_ceil(self.step) * self.group - self.sub
        }
    }
}

impl Iterator for Slice {
    type Item = u64;
    #[inline(always)]
    fn next(&mut self) -> Option<u64> {
        if self.next >= self.end {
            return None;
        }
        let j = self.next * self.group + self.sub;
        self.sub += 1;
        if self.sub == self.group {
            self.sub = 0;
            self.next = self.next.saturating_add(self.step);
        }
        Some(j)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ports::PortSetBuilder;
    use crate::plan::targets::TargetSetBuilder;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn plan(targets: &str, ports: &str, seed: u64, retries: u32, window: u64) -> Plan {
        let mut t = TargetSetBuilder::new();
        t.add_targets(targets).unwrap();
        let mut p = PortSetBuilder::new();
        p.add_spec(ports).unwrap();
        Plan::new(t.build().unwrap(), p.build(), seed, retries, window).unwrap()
    }

    fn base_of(p: &Plan, j: u64) -> Option<u64> {
        match p.order {
            Order::Feistel { window, epoch, .. } => {
                p.feistel_base(j, window, epoch).map(|(b, _)| b)
            }
            Order::BlackRock { .. } => unreachable!("a Feistel plan"),
        }
    }

    fn all_targets(p: &Plan, it: impl Iterator<Item = u64>) -> Vec<(TargetIp, u32)> {
        it.filter_map(|j| p.probe(j))
            .map(|t| (t.ip, t.port))
            .collect()
    }

    #[test]
    fn covers_every_target_once() {
        let p = plan(
            "10.0.0.0/28,10.0.1.0/30,2001:db8::/126",
            "80,443,U:53",
            5,
            0,
            1,
        );
        assert_eq!(p.base_count(), (16 + 4 + 4) * 3);
        let mut seen = all_targets(&p, 0..p.total());
        seen.sort_by_key(|t| format!("{t:?}"));
        let before = seen.len();
        seen.dedup();
        assert_eq!(before, seen.len());
        assert_eq!(seen.len() as u64, p.base_count());
    }

    #[test]
    fn shards_and_threads_partition_the_space() {
        let p = plan("10.0.0.0/22", "1-7", 11, 0, 1);
        let mut all: Vec<_> = Vec::new();
        for one in 1..=3 {
            for t in 0..2 {
                all.extend(p.slice(0, u64::MAX, Shard { one, of: 3 }, t, 2));
            }
        }
        all.sort_unstable();
        assert_eq!(all, (0..p.total()).collect::<Vec<_>>());
    }

    #[test]
    fn resume_chunks_join() {
        let p = plan("10.0.0.0/24", "80", 3, 0, 1);
        let whole: Vec<_> = p.slice(0, u64::MAX, Shard::default(), 0, 1).collect();
        let mut joined: Vec<_> = p.slice(0, 100, Shard::default(), 0, 1).collect();
        joined.extend(p.slice(100, 200, Shard::default(), 0, 1));
        joined.extend(p.slice(200, u64::MAX, Shard::default(), 0, 1));
        assert_eq!(whole, joined);
    }

    #[test]
    fn retries_send_each_target_exactly_n_plus_one_times_spaced_out() {
        let p = plan("10.0.0.0/24", "80,81", 1, 2, 50);
        let mut positions: HashMap<(TargetIp, u32), Vec<u64>> = HashMap::new();
        for j in 0..p.total() {
            if let Some(t) = p.probe(j) {
                positions.entry((t.ip, t.port)).or_default().push(j);
            }
        }
        assert_eq!(positions.len() as u64, p.base_count());
        for pos in positions.values() {
            assert_eq!(pos.len(), 3);
            for w in pos.windows(2) {
                // Consecutive tries are at least one window apart.
                assert!(w[1] - w[0] >= 50, "{pos:?}");
            }
        }
    }

    fn blackrock_plan(targets: &str, ports: &str, retries: u32, rate: u64, listing: bool) -> Plan {
        let mut t = TargetSetBuilder::new();
        t.add_targets(targets).unwrap();
        let mut p = PortSetBuilder::new();
        p.add_spec(ports).unwrap();
        let spec = OrderSpec {
            order: ScanOrder::BlackRock { rounds: 14 },
            rate,
            listing,
            canaries: 0,
        };
        Plan::ordered(t.build().unwrap(), p.build(), 5, retries, 1, spec).unwrap()
    }

    #[test]
    fn blackrock_scan_is_the_originals_rotated_order_ipv6_first() {
        let p = blackrock_plan("10.0.0.0/30,2001:db8::/126", "80,U:53", 0, 3, false);
        let br = BlackRock::new(16, 5, 14);
        let got = all_targets(&p, p.slice(0, u64::MAX, Shard::default(), 0, 1));
        assert_eq!(got.len(), 16);
        for (i, (ip, port)) in got.iter().enumerate() {
            // The original: x = blackrock((i + rate) mod N), IPv6 below 8, then IPv4.
            let x = br.shuffle((i as u64 + 3) % 16);
            let (is_v6, y) = if x < 8 { (true, x) } else { (false, x - 8) };
            assert_eq!(matches!(ip, TargetIp::V6(_)), is_v6, "{i}");
            assert_eq!(*port, if y / 4 == 0 { 80 } else { (1 << 16) + 53 }, "{i}");
        }
        let mut sorted = got.clone();
        sorted.sort_by_key(|t| format!("{t:?}"));
        sorted.dedup();
        assert_eq!(sorted.len(), 16, "each target once");
    }

    #[test]
    fn blackrock_retries_send_the_originals_groups_and_shards_split_by_index() {
        // R = 2: index i sends (i + 3r) mod N, (i + 2r), (i + r), over N indices.
        let p = blackrock_plan("10.0.0.0/28", "80", 2, 4, false);
        assert_eq!(p.total(), 16);
        let br = BlackRock::new(16, 5, 14);
        let s = p.slice(0, u64::MAX, Shard::default(), 0, 1);
        assert_eq!(s.remaining(), 16 * 3);
        let got: Vec<u64> = s.filter_map(|j| p.probe(j)).map(|t| t.number).collect();
        // Every target exactly R + 1 times.
        let mut count = [0; 16];
        got.iter().for_each(|&x| count[x as usize] += 1);
        assert_eq!(count, [3; 16]);
        for (n, x) in got.iter().enumerate() {
            let (i, k) = (n as u64 / 3, 3 - n as u64 % 3);
            assert_eq!(*x, br.shuffle((i + 4 * k) % 16));
        }
        // Shards and threads take whole indices (all of an index's probes).
        let mut all = Vec::new();
        for one in 1..=3 {
            for t in 0..2 {
                all.extend(p.slice(0, u64::MAX, Shard { one, of: 3 }, t, 2));
            }
        }
        all.sort_unstable();
        assert_eq!(all, (0..p.total() * 3).collect::<Vec<_>>());
        // A resume point is an index: slices from it join.
        let mut joined: Vec<u64> = p.slice(0, 10, Shard::default(), 0, 1).collect();
        joined.extend(p.slice(10, u64::MAX, Shard::default(), 0, 1));
        assert_eq!(joined, (0..p.total() * 3).collect::<Vec<_>>());
    }

    #[test]
    fn canaries_are_extra_port_slots_of_every_host() {
        for order in [ScanOrder::Feistel, ScanOrder::BlackRock { rounds: 14 }] {
            let mut t = TargetSetBuilder::new();
            t.add_targets("10.0.0.0/26,2001:db8::/126").unwrap();
            let mut p = PortSetBuilder::new();
            p.add_spec("80,443,U:53,50000-50010").unwrap();
            let ports = p.build();
            let spec = OrderSpec {
                order,
                rate: 7,
                listing: false,
                canaries: 3,
            };
            let plan = Plan::ordered(t.build().unwrap(), ports.clone(), 9, 1, 5, spec).unwrap();
            assert_eq!(plan.port_count(), 14);
            assert_eq!(plan.slot_count(), 17);
            assert_eq!(plan.base_count(), 68 * 17);
            let c = plan.canaries().unwrap().clone();
            let mut per_host: HashMap<TargetIp, Vec<u32>> = HashMap::new();
            let mut probes = 0;
            for j in plan.slice(0, u64::MAX, Shard::default(), 0, 1) {
                let Some(t) = plan.probe(j) else { continue };
                probes += 1;
                assert_eq!(t.canary, !ports.list.contains(t.port), "{t:?}");
                if t.canary {
                    assert!(t.port >= 49152 && t.port <= 65535, "{t:?}");
                    let ip = match t.ip {
                        TargetIp::V4(v) => std::net::IpAddr::V4(v.into()),
                        TargetIp::V6(v) => std::net::IpAddr::V6(v.into()),
                    };
                    assert!(c.is_canary(ip, t.port as u16));
                    per_host.entry(t.ip).or_default().push(t.port);
                }
            }
            // Every try of every slot: (ports + canaries) x hosts x (retries + 1).
            assert_eq!(probes, 68 * 17 * 2);
            assert_eq!(per_host.len(), 68);
            for ports in per_host.values_mut() {
                ports.sort_unstable();
                ports.dedup();
                assert_eq!(ports.len(), 3, "three distinct canaries per host");
            }
        }
    }

    #[test]
    fn canaries_with_pairs_are_refused() {
        let mut t = TargetSetBuilder::new();
        t.add_targets("10.0.0.1:80").unwrap();
        let spec = OrderSpec {
            canaries: 1,
            ..OrderSpec::default()
        };
        let e = Plan::ordered(
            t.build().unwrap(),
            PortSetBuilder::new().build(),
            1,
            0,
            1,
            spec,
        )
        .unwrap_err();
        assert_eq!(e, PlanError::CanaryPairs);
    }

    #[test]
    fn too_large_is_refused_clearly() {
        // (build_listing: without an exclude, build() refuses these sizes before the plan.)
        let mut t = TargetSetBuilder::new();
        t.add_targets("2001:db8::/64").unwrap();
        let mut ports = PortSetBuilder::new();
        ports.add_spec("0-65535").unwrap();
        let e = Plan::new(t.build_listing().unwrap(), ports.build(), 0, 0, 1).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("scan too large: 18446744073709551616 addresses"),
            "{e}"
        );
        let mut t = TargetSetBuilder::new();
        t.add_targets("::/1").unwrap();
        let mut ports = PortSetBuilder::new();
        ports.add_spec("80").unwrap();
        assert!(Plan::new(t.build_listing().unwrap(), ports.build(), 0, 0, 1).is_err());
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(Shard::parse("2/3"), Ok(Shard { one: 2, of: 3 }));
        for bad in ["3/2", "0/1", "1/0", "x", "1/", "/2", "1-2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn retries_schedule_is_exact(n in 1u64..400, r in 0u32..4, w in 1u64..64) {
            let p = plan(&format!("10.0.0.0-{}", std::net::Ipv4Addr::from(0x0a00_0000 + n as u32 - 1)), "80", 7, r, w);
            let mut count = vec![0u32; n as usize];
            for j in 0..p.total() {
                if let Some(b) = base_of(&p, j) {
                    count[b as usize] += 1;
                }
            }
            prop_assert!(count.iter().all(|&c| c == r + 1));
        }

        /// In both orders a target's R + 1 probes are its attempts 0..=R, each once.
        #[test]
        fn each_probe_of_a_target_is_a_different_attempt(
            n in 1u32..300, r in 0u32..4, rate in 1u64..500, blackrock: bool,
        ) {
            let last = std::net::Ipv4Addr::from(0x0a00_0000 + n - 1);
            let p = if blackrock {
                blackrock_plan(&format!("10.0.0.0-{last}"), "80,443", r, rate, false)
            } else {
                plan(&format!("10.0.0.0-{last}"), "80,443", 7, r, rate)
            };
            let mut seen: HashMap<u64, Vec<u16>> = HashMap::new();
            for j in p.slice(0, u64::MAX, Shard::default(), 0, 1) {
                if let Some(t) = p.probe(j) {
                    seen.entry(t.number).or_default().push(t.attempt);
                }
            }
            prop_assert_eq!(seen.len() as u64, p.base_count());
            for attempts in seen.values_mut() {
                attempts.sort_unstable();
                prop_assert_eq!(&attempts[..], &(0..=r as u16).collect::<Vec<_>>()[..]);
            }
        }
    }
}
