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
mod tests;
