//! Target lists of address and port pairs (`IP:PORT`, `[IPv6]:PORT`, `IP:U:PORT`, `IP:S:PORT`):
//! recognising and parsing one pair, and the compact list a pair scan walks. The plan maps a
//! target number `x` to `pairs[x]` instead of splitting it into an address and a port, so the
//! order, shards, threads, retries and resume points are those of any scan.
//!
//! Storage, sorted and without duplicates (the same set of pairs gives the same scan order, in
//! whatever order the lines came): an IPv4 pair is one `u64`, the address above the port-space
//! value (8 bytes); an IPv6 pair is five `u32` words, the address's four then the value (20
//! bytes). IPv4 pairs come first in the target numbers, then IPv6 ones.

use crate::plan::ports::{PortSet, PortSetBuilder, Proto};
use crate::plan::ranges::{RangeList, RangeListBuilder};
use crate::plan::TargetIp;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

/// One pair as parsed: the address and the port-space value (see [`Proto`]).
pub type Pair = (TargetIp, u32);

/// Whether `item` (one word of a target list) is written as a pair, and if so the pair or why
/// it is not a valid one. `None`: a plain address, range or CIDR block.
///
/// A pair is `[IPv6]:PORT`, or an IPv4 address, `:` and a port (the text before the first `:`
/// holds a `.`, which the first group of an IPv6 address never does). `PORT` is `N`, `T:N`,
/// `U:N` or `S:N`, as in `-p`, one port only.
pub fn parse_pair(item: &str) -> Option<Result<Pair, String>> {
    let item = item.trim();
    if let Some(rest) = item.strip_prefix('[') {
        return Some(parse_v6_pair(rest));
    }
    let (head, port) = item.split_once(':')?;
    // No `.` before the first `:`: IPv6. A `-` there: a range from an IPv4 address to an IPv6
    // one, which the range parser refuses in its own words.
    if !head.contains('.') || head.contains('-') {
        return None;
    }
    Some(match head.parse::<Ipv4Addr>() {
        Ok(a) => parse_port(port).map(|p| (TargetIp::V4(u32::from(a)), p)),
        Err(_) => Err(format!(
            "'{head}' is not an IPv4 address (a pair is one address and one port: ranges and \
             CIDR blocks take their ports from -p)"
        )),
    })
}

fn parse_v6_pair(rest: &str) -> Result<Pair, String> {
    let (addr, after) = rest
        .split_once(']')
        .ok_or("no ']' after the IPv6 address (write [2001:db8::1]:80)")?;
    let ip: Ipv6Addr = addr
        .parse()
        .map_err(|_| format!("'{addr}' is not an IPv6 address"))?;
    let port = after
        .strip_prefix(':')
        .ok_or("no ':PORT' after ']' (write [2001:db8::1]:80)")?;
    Ok((TargetIp::V6(u128::from(ip)), parse_port(port)?))
}

/// `N`, `T:N`, `U:N` or `S:N` as a port-space value.
fn parse_port(s: &str) -> Result<u32, String> {
    let (proto, num) = match s.split_once(':') {
        None => (Proto::Tcp, s),
        Some((p, n)) => match p {
            "T" | "t" => (Proto::Tcp, n),
            "U" | "u" => (Proto::Udp, n),
            "S" | "s" => (Proto::Sctp, n),
            _ => {
                return Err(format!(
                    "'{p}:' is not a pair's protocol (use N, U:N or S:N)"
                ))
            }
        },
    };
    let port: u16 = num
        .parse()
        .map_err(|_| format!("'{num}' is not a port number (0-65535)"))?;
    Ok(proto.base() + u32::from(port))
}

/// Pairs as they are read, in any order, duplicates included.
#[derive(Clone, Debug, Default)]
pub struct PairListBuilder {
    v4: Vec<u64>,
    v6: Vec<[u32; 5]>,
}

impl PairListBuilder {
    pub fn add(&mut self, (ip, port): Pair) {
        match ip {
            TargetIp::V4(a) => self.v4.push(u64::from(a) << 32 | u64::from(port)),
            TargetIp::V6(a) => {
                let w = |k: u32| (a >> (96 - 32 * k)) as u32;
                self.v6.push([w(0), w(1), w(2), w(3), port]);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Sorts, folds duplicates and drops the pairs whose address is excluded.
    pub fn build(self, ex_v4: &RangeList<u32>, ex_v6: &RangeList<u128>) -> PairList {
        self.build_excluding(ex_v4, ex_v6, &PairList::default())
    }

    /// As [`Self::build`], also dropping the pairs in `ex_pairs` (`--exclude IP:PORT`).
    pub fn build_excluding(
        mut self,
        ex_v4: &RangeList<u32>,
        ex_v6: &RangeList<u128>,
        ex_pairs: &PairList,
    ) -> PairList {
        self.v4.sort_unstable();
        self.v4.dedup();
        if !ex_v4.is_empty() {
            self.v4.retain(|&p| !ex_v4.contains((p >> 32) as u32));
        }
        if !ex_pairs.v4.is_empty() {
            self.v4.retain(|p| ex_pairs.v4.binary_search(p).is_err());
        }
        self.v4.shrink_to_fit();
        self.v6.sort_unstable();
        self.v6.dedup();
        if !ex_v6.is_empty() {
            self.v6.retain(|p| !ex_v6.contains(v6_addr(p)));
        }
        if !ex_pairs.v6.is_empty() {
            self.v6.retain(|p| ex_pairs.v6.binary_search(p).is_err());
        }
        self.v6.shrink_to_fit();
        PairList {
            v4: self.v4,
            v6: self.v6,
        }
    }
}

fn v6_addr(p: &[u32; 5]) -> u128 {
    p[..4].iter().fold(0u128, |a, &w| a << 32 | u128::from(w))
}

/// The pairs of a pair scan, sorted, distinct, excludes removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PairList {
    v4: Vec<u64>,
    v6: Vec<[u32; 5]>,
}

impl PairList {
    /// Number of pairs.
    pub fn len(&self) -> u64 {
        (self.v4.len() + self.v6.len()) as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pair number `x` (`x < len()`): IPv4 pairs first, then IPv6.
    #[inline(always)]
    pub fn get(&self, x: u64) -> Pair {
        let x = x as usize;
        match self.v4.get(x) {
            Some(&p) => (TargetIp::V4((p >> 32) as u32), p as u32),
            None => {
                let p = &self.v6[x - self.v4.len()];
                (TargetIp::V6(v6_addr(p)), p[4])
            }
        }
    }

    /// Every pair in list order.
    pub fn iter(&self) -> impl Iterator<Item = Pair> + '_ {
        (0..self.len()).map(|x| self.get(x))
    }

    /// The distinct addresses of the pairs, as range lists (IPv4, IPv6).
    pub fn addresses(&self) -> (RangeList<u32>, RangeList<u128>) {
        let mut v4 = RangeListBuilder::new();
        let mut last = None;
        for &p in &self.v4 {
            let a = (p >> 32) as u32;
            if last != Some(a) {
                v4.add(a, a);
                last = Some(a);
            }
        }
        let mut v6 = RangeListBuilder::new();
        let mut last = None;
        for p in &self.v6 {
            let a = v6_addr(p);
            if last != Some(a) {
                v6.add(a, a);
                last = Some(a);
            }
        }
        (v4.build(), v6.build())
    }

    /// The distinct port-space values of the pairs.
    pub fn ports(&self) -> PortSet {
        // One bit per value of the TCP, UDP and SCTP blocks (24 KiB), then runs as ranges.
        let blocks = Proto::Sctp.base() as usize + (1 << 16);
        let mut seen = vec![0u64; blocks / 64];
        let mut mark = |v: u32| seen[v as usize / 64] |= 1 << (v % 64);
        self.v4.iter().for_each(|&p| mark(p as u32));
        self.v6.iter().for_each(|p| mark(p[4]));
        let mut b = PortSetBuilder::new();
        for v in 0..blocks as u32 {
            if seen[v as usize / 64] >> (v % 64) & 1 == 1 {
                b.add_value(v, v);
            }
        }
        b.build()
    }

    /// One pair as a target list writes it (`10.0.0.1:80`, `[2001:db8::1]:U:53`).
    pub fn write_pair(out: &mut String, (ip, port): Pair) {
        let (proto, n) = Proto::split(port);
        let prefix = match proto {
            Proto::Udp => "U:",
            Proto::Sctp => "S:",
            _ => "",
        };
        let _ = match ip {
            TargetIp::V4(a) => write!(out, "{}:{prefix}{n}", Ipv4Addr::from(a)),
            TargetIp::V6(a) => write!(out, "[{}]:{prefix}{n}", Ipv6Addr::from(a)),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> TargetIp {
        TargetIp::V4(u32::from(s.parse::<Ipv4Addr>().unwrap()))
    }

    fn v6(s: &str) -> TargetIp {
        TargetIp::V6(u128::from(s.parse::<Ipv6Addr>().unwrap()))
    }

    #[test]
    fn pair_forms() {
        let ok = |s: &str| parse_pair(s).unwrap().unwrap();
        assert_eq!(ok("10.0.0.1:80"), (v4("10.0.0.1"), 80));
        assert_eq!(ok(" 10.0.0.1:T:443 "), (v4("10.0.0.1"), 443));
        assert_eq!(ok("10.0.0.1:U:53"), (v4("10.0.0.1"), (1 << 16) + 53));
        assert_eq!(ok("10.0.0.1:s:9"), (v4("10.0.0.1"), (2 << 16) + 9));
        assert_eq!(ok("[2001:db8::1]:0"), (v6("2001:db8::1"), 0));
        assert_eq!(
            ok("[::ffff:1.2.3.4]:u:65535"),
            (v6("::ffff:1.2.3.4"), 0x1ffff)
        );
        // Plain targets are not pairs.
        for plain in [
            "10.0.0.1",
            "10.0.0.0/8",
            "2001:db8::1",
            "::ffff:1.2.3.4",
            "64:ff9b::1.2.3.4",
            // A range across families: the range parser says what is wrong with it.
            "10.0.0.1-2001:db8::1",
        ] {
            assert!(parse_pair(plain).is_none(), "{plain}");
        }
    }

    #[test]
    fn bad_pairs_say_why() {
        let why = |s: &str| parse_pair(s).unwrap().unwrap_err();
        assert!(why("10.0.0.1:65536").contains("'65536' is not a port"));
        assert!(why("10.0.0.1:").contains("'' is not a port"));
        assert!(why("10.0.0.1:80-90").contains("'80-90' is not a port"));
        assert!(why("10.0.0.1:I:0").contains("'I:' is not a pair's protocol"));
        assert!(why("10.0.0.0/24:80").contains("ranges and CIDR blocks"));
        assert!(why("10.0.0.300:80").contains("'10.0.0.300' is not an IPv4"));
        assert!(why("[2001:db8::1]").contains("no ':PORT'"));
        assert!(why("[2001:db8::1:80").contains("no ']'"));
        assert!(why("[2001:db8::x]:80").contains("not an IPv6"));
    }

    fn list(items: &[&str], ex: &str) -> PairList {
        let mut b = PairListBuilder::default();
        for i in items {
            b.add(parse_pair(i).unwrap().unwrap());
        }
        let mut e4 = RangeListBuilder::new();
        let mut e6 = RangeListBuilder::new();
        if let Ok(a) = ex.parse::<Ipv4Addr>() {
            e4.add(u32::from(a), u32::from(a));
        } else if let Ok(a) = ex.parse::<Ipv6Addr>() {
            e6.add(u128::from(a), u128::from(a));
        }
        b.build(&e4.build(), &e6.build())
    }

    #[test]
    fn pair_excludes_leave_out_exactly_their_pairs() {
        let mut b = PairListBuilder::default();
        let mut ex = PairListBuilder::default();
        for i in [
            "10.0.0.1:80",
            "10.0.0.1:443",
            "10.0.0.1:U:80",
            "[2001:db8::1]:80",
            "[2001:db8::1]:81",
        ] {
            b.add(parse_pair(i).unwrap().unwrap());
        }
        // Excluded: one TCP pair of each family; 10.0.0.9:80 is in no list.
        for i in ["10.0.0.1:80", "[2001:db8::1]:81", "10.0.0.9:80"] {
            ex.add(parse_pair(i).unwrap().unwrap());
        }
        let none = (RangeList::default(), RangeList::default());
        let ex = ex.build(&none.0, &none.1);
        let got: Vec<String> = b
            .build_excluding(&none.0, &none.1, &ex)
            .iter()
            .map(|p| {
                let mut s = String::new();
                PairList::write_pair(&mut s, p);
                s
            })
            .collect();
        assert_eq!(got, ["10.0.0.1:443", "10.0.0.1:U:80", "[2001:db8::1]:80"]);
    }

    #[test]
    fn sorted_distinct_excluded_ipv4_first() {
        let l = list(
            &[
                "[2001:db8::2]:80",
                "10.0.0.2:80",
                "10.0.0.1:U:53",
                "10.0.0.2:80",
                "[2001:db8::1]:443",
                "10.0.0.9:22",
                "[2001:db8::1]:443",
            ],
            "10.0.0.9",
        );
        let got: Vec<_> = l.iter().collect();
        assert_eq!(
            got,
            [
                (v4("10.0.0.1"), (1 << 16) + 53),
                (v4("10.0.0.2"), 80),
                (v6("2001:db8::1"), 443),
                (v6("2001:db8::2"), 80),
            ]
        );
        let (a4, a6) = l.addresses();
        assert_eq!(a4.len_u64(), Some(2));
        assert_eq!(a6.len_u64(), Some(2));
        assert_eq!(l.ports().to_spec(), "80,443,U:53");
        let mut s = String::new();
        for p in l.iter() {
            PairList::write_pair(&mut s, p);
            s.push(' ');
        }
        assert_eq!(
            s,
            "10.0.0.1:U:53 10.0.0.2:80 [2001:db8::1]:443 [2001:db8::2]:80 "
        );
        // Every written pair parses back to itself.
        for w in s.split_whitespace() {
            let p = parse_pair(w).unwrap().unwrap();
            assert!(l.iter().any(|q| q == p), "{w}");
        }
    }

    mod plan {
        use crate::plan::ports::PortSetBuilder;
        use crate::plan::targets::{TargetError, TargetSetBuilder};
        use crate::plan::{OrderSpec, Plan, ScanOrder, Shard, TargetIp, LANES};
        use proptest::prelude::*;
        use std::path::Path;

        /// `n` IPv4 pairs (a few UDP) and `n6` IPv6 pairs, each line twice.
        fn text(n: u32, n6: u32) -> String {
            let mut t = String::from("# pairs\n");
            for i in 0..n {
                let (a, b) = (i >> 8, i & 0xff);
                let proto = if i % 5 == 0 { "U:" } else { "" };
                t.push_str(&format!("10.1.{a}.{b}:{proto}{}\n", 1000 + i % 7));
                t.push_str(&format!("10.1.{a}.{b}:{proto}{} # again\n", 1000 + i % 7));
            }
            for i in 0..n6 {
                t.push_str(&format!("[2001:db8::{i:x}]:{}\n", 22 + i % 3));
            }
            t
        }

        fn plan(n: u32, n6: u32, order: ScanOrder, retries: u32, rate: u64) -> Plan {
            let mut b = TargetSetBuilder::new();
            b.add_file_text(Path::new("p.txt"), text(n, n6).as_bytes(), false)
                .unwrap();
            let t = b.build().unwrap();
            let spec = OrderSpec {
                order,
                rate,
                listing: false,
                canaries: 0,
            };
            Plan::ordered(t, PortSetBuilder::new().build(), 9, retries, 13, spec).unwrap()
        }

        fn pair_count(p: &Plan) -> usize {
            p.targets().pairs.as_ref().unwrap().len() as usize
        }

        /// Every scan index of `slices`, each pair's number counted.
        fn counts(p: &Plan, slices: impl Iterator<Item = u64>) -> Vec<u32> {
            let mut c = vec![0u32; pair_count(p)];
            for j in slices {
                if let Some(t) = p.probe(j) {
                    let pairs = p.targets().pairs.as_ref().unwrap();
                    assert_eq!(pairs.get(t.number), (t.ip, t.port));
                    c[t.number as usize] += 1;
                }
            }
            c
        }

        const ORDERS: [ScanOrder; 2] = [ScanOrder::Feistel, ScanOrder::BlackRock { rounds: 14 }];

        #[test]
        fn every_pair_once_across_shards_and_a_resume_point() {
            for order in ORDERS {
                let p = plan(300, 40, order, 0, 100);
                assert_eq!(pair_count(&p), 340, "duplicates folded");
                assert_eq!(p.base_count(), 340);
                assert_eq!(p.port_count(), 7 + 7 + 3, "TCP and UDP 1000-1006, 22-24");
                let mut all = vec![0u32; 340];
                for one in 1..=3 {
                    // Each shard in two pieces, cut at a resume point.
                    let shard = Shard { one, of: 3 };
                    let cut = 101;
                    let a = p.slice(0, cut, shard, 0, 1);
                    let b = p.slice(cut, u64::MAX, shard, 0, 1);
                    for (k, c) in counts(&p, a.chain(b)).into_iter().enumerate() {
                        all[k] += c;
                    }
                }
                assert!(all.iter().all(|&c| c == 1), "{order:?}");
            }
        }

        #[test]
        fn retries_probe_every_pair_r_plus_one_times() {
            for order in ORDERS {
                let p = plan(64, 8, order, 2, 10);
                let s = p.slice(0, u64::MAX, Shard::default(), 0, 1);
                assert!(counts(&p, s).iter().all(|&c| c == 3), "{order:?}");
            }
        }

        #[test]
        fn ipv4_ipv6_and_udp_pairs_reach_the_targets() {
            let p = plan(10, 3, ScanOrder::default(), 0, 100);
            let mut got: Vec<_> = (0..p.total()).filter_map(|j| p.probe(j)).collect();
            got.sort_by_key(|t| t.number);
            let t = got[0];
            assert_eq!(
                (t.ip, t.port),
                (TargetIp::V4(0x0a01_0000), (1 << 16) + 1000)
            );
            assert_eq!((got[1].ip, got[1].port), (TargetIp::V4(0x0a01_0001), 1001));
            let v6 = 0x2001_0db8u128 << 96;
            assert_eq!((got[10].ip, got[10].port), (TargetIp::V6(v6), 22));
            assert_eq!((got[12].ip, got[12].port), (TargetIp::V6(v6 + 2), 24));
            assert_eq!(p.host_count(), 13);
        }

        #[test]
        fn bad_lines_name_file_and_line() {
            let mut b = TargetSetBuilder::new();
            let text = b"10.0.0.1:80\n\n10.0.0.2:U:53\n10.0.0.3:99999\n";
            let e = b
                .add_file_text(Path::new("list.txt"), text, false)
                .unwrap_err();
            assert_eq!(
                e.to_string(),
                "list.txt:4: bad target '10.0.0.3:99999': '99999' is not a port number (0-65535)"
            );
            let mut b = TargetSetBuilder::new();
            let e = b
                .add_file_text(Path::new("ex.txt"), b"10.0.0.0/8\n10.0.0.1:99999\n", true)
                .unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("ex.txt:2: bad target '10.0.0.1:99999'"),
                "{e}"
            );
            // A pair exclude leaves out one pair of a pair scan, and is refused for a scan of
            // plain targets (where it would punch one port out of one address).
            let mut b = TargetSetBuilder::new();
            b.add_targets("10.0.0.1:80").unwrap();
            b.add_excludes("10.0.0.1:443").unwrap();
            assert_eq!(b.build().unwrap().pairs.unwrap().len(), 1);
            let mut b = TargetSetBuilder::new();
            b.add_targets("10.0.0.0/24").unwrap();
            b.add_excludes("10.0.0.1:80").unwrap();
            assert_eq!(
                b.build().unwrap_err(),
                TargetError::PairExcluded("10.0.0.1:80".into())
            );
            let mut b = TargetSetBuilder::new();
            b.add_targets("10.0.0.1:80,10.0.0.0/24").unwrap();
            assert_eq!(
                b.build().unwrap_err(),
                TargetError::Mixed("10.0.0.0/24".into())
            );
            let mut b = TargetSetBuilder::new();
            b.add_targets("10.0.0.1:80").unwrap();
            b.add_excludes("10.0.0.0/24").unwrap();
            assert_eq!(b.build().unwrap_err(), TargetError::AllExcluded);
        }

        #[test]
        fn echo_writes_one_range_line_per_pair_and_no_plain_range() {
            let mut b = TargetSetBuilder::new();
            b.add_targets("10.0.0.2:80 [2001:db8::1]:U:53 10.0.0.1:S:9")
                .unwrap();
            b.add_excludes("10.9.0.0/16").unwrap();
            let mut out = String::new();
            b.build().unwrap().write_conf(&mut out);
            assert_eq!(
                out,
                "range = 10.0.0.1:S:9\nrange = 10.0.0.2:80\nrange = [2001:db8::1]:U:53\n\
                 exclude = 10.9.0.0/16\n"
            );
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(32))]
            /// Lanes give `probe`'s targets for a pair scan, in both orders, with retries.
            #[test]
            fn lanes_are_probe_one_by_one(
                n in 1u32..600,
                n6 in 0u32..50,
                blackrock in any::<bool>(),
                retries in 0u32..3,
                start in any::<u64>(),
            ) {
                let p = plan(n, n6, ORDERS[blackrock as usize], retries, 77);
                let start = start % p.total();
                let js: [u64; LANES] = std::array::from_fn(|i| (start + i as u64 * 5) % p.total());
                let mut got = [None; LANES];
                p.probe_lanes(&js, &mut got);
                for i in 0..LANES {
                    prop_assert_eq!(got[i], p.probe(js[i]));
                }
            }
        }
    }
}
