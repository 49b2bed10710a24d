//! Target addresses: parsing masscan's target syntax (single addresses, `a-b` ranges, CIDR, comma
//! lists, include/exclude files, for IPv4 and IPv6) into merged range lists, excludes applied;
//! or, when the targets are written `IP:PORT`, into a pair list ([`crate::plan::pairs`]).

use crate::plan::pairs::{parse_pair, PairList, PairListBuilder};
use crate::plan::ranges::{RangeList, RangeListBuilder};
use std::fmt::Write as _;
use std::io::BufRead;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("bad target '{spec}': {why}")]
    Bad { spec: String, why: String },
    #[error("{path}:{line}: bad target '{spec}': {why}")]
    BadInFile {
        path: String,
        line: usize,
        spec: String,
        why: String,
    },
    #[error("cannot read {what} '{path}': {why}")]
    File {
        what: &'static str,
        path: String,
        why: String,
    },
    #[error(
        "range too big, need confirmation: to prevent accidents, at least one --exclude must be \
         specified when scanning more than a billion addresses (use \"--exclude {0}\" as a \
         simple confirmation)"
    )]
    NeedsExclude(&'static str),
    #[error("no targets: give addresses or ranges to scan (e.g. 10.0.0.0/8), or -iL FILE")]
    Empty,
    #[error("every target is excluded: nothing left to scan")]
    AllExcluded,
    #[error(
        "targets with ports (IP:PORT) cannot be mixed with plain targets ({0}): write every \
         target as a pair, or none and give the ports with -p"
    )]
    Mixed(String),
    #[error(
        "exclude '{0}' names one port of one address, which only a scan of IP:PORT pairs can \
         leave out: exclude the address, or use --exclude-ports, or give the targets as pairs"
    )]
    PairExcluded(String),
}

/// A scan of more addresses than this needs an `--exclude` (the original's limit).
pub const HUGE_SCAN: u128 = 1_000_000_000;

/// A parsed address range of either family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddrRange {
    V4(u32, u32),
    V6(u128, u128),
}

fn bad(spec: &str, why: impl Into<String>) -> TargetError {
    TargetError::Bad {
        spec: spec.to_string(),
        why: why.into(),
    }
}

fn parse_v4(s: &str, whole: &str) -> Result<u32, TargetError> {
    s.parse::<Ipv4Addr>()
        .map(u32::from)
        .map_err(|_| bad(whole, format!("'{s}' is not an IPv4 address")))
}

fn parse_v6(s: &str, whole: &str) -> Result<u128, TargetError> {
    s.parse::<Ipv6Addr>()
        .map(u128::from)
        .map_err(|_| bad(whole, format!("'{s}' is not an IPv6 address")))
}

/// Parses one range: `addr`, `first-last` or `addr/prefix`, IPv4 or IPv6.
pub fn parse_range(spec: &str) -> Result<AddrRange, TargetError> {
    let s = spec.trim();
    if s.is_empty() {
        return Err(bad(spec, "empty"));
    }
    let is_v6 = s.contains(':');
    if let Some((addr, bits)) = s.split_once('/') {
        let bits: u32 = bits
            .parse()
            .map_err(|_| bad(spec, format!("'{bits}' is not a prefix length")))?;
        if is_v6 {
            if bits > 128 {
                return Err(bad(spec, "IPv6 prefix length must be 0-128"));
            }
            let a = parse_v6(addr, spec)?;
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            return Ok(AddrRange::V6(a & mask, (a & mask) | !mask));
        }
        if bits > 32 {
            return Err(bad(spec, "IPv4 prefix length must be 0-32"));
        }
        let a = parse_v4(addr, spec)?;
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        return Ok(AddrRange::V4(a & mask, (a & mask) | !mask));
    }
    if let Some((a, b)) = s.split_once('-') {
        if a.contains(':') != b.contains(':') {
            return Err(bad(
                spec,
                "a range's two ends must be of one family (both IPv4 or both IPv6)",
            ));
        }
        let r = if is_v6 {
            let (a, b) = (parse_v6(a.trim(), spec)?, parse_v6(b.trim(), spec)?);
            if a > b {
                return Err(bad(spec, "first address is after the last"));
            }
            AddrRange::V6(a, b)
        } else {
            let (a, b) = (parse_v4(a.trim(), spec)?, parse_v4(b.trim(), spec)?);
            if a > b {
                return Err(bad(spec, "first address is after the last"));
            }
            AddrRange::V4(a, b)
        };
        return Ok(r);
    }
    Ok(if is_v6 {
        let a = parse_v6(s, spec)?;
        AddrRange::V6(a, a)
    } else {
        let a = parse_v4(s, spec)?;
        AddrRange::V4(a, a)
    })
}

/// Accumulates targets and excludes from arguments and files.
#[derive(Default, Clone, Debug)]
pub struct TargetSetBuilder {
    v4: RangeListBuilder<u32>,
    v6: RangeListBuilder<u128>,
    ex_v4: RangeListBuilder<u32>,
    ex_v6: RangeListBuilder<u128>,
    has_exclude: bool,
    pairs: PairListBuilder,
    /// Pairs to leave out of a pair scan (`--exclude IP:PORT`).
    ex_pairs: PairListBuilder,
    /// The first plain target given, to name it when pairs are mixed in.
    first_plain: Option<String>,
    /// The first pair excluded, to name it when the targets are not pairs.
    first_pair_exclude: Option<String>,
}

impl TargetSetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, r: AddrRange, exclude: bool) {
        match (r, exclude) {
            (AddrRange::V4(a, b), false) => self.v4.add(a, b),
            (AddrRange::V6(a, b), false) => self.v6.add(a, b),
            (AddrRange::V4(a, b), true) => self.ex_v4.add(a, b),
            (AddrRange::V6(a, b), true) => self.ex_v6.add(a, b),
        }
        self.has_exclude |= exclude;
    }

    /// One word of a target or exclude list: a pair or a range.
    fn add_item(&mut self, part: &str, exclude: bool) -> Result<(), TargetError> {
        match parse_pair(part) {
            Some(Ok(pair)) if exclude => {
                self.ex_pairs.add(pair);
                self.has_exclude = true;
                self.first_pair_exclude
                    .get_or_insert_with(|| part.to_string());
                Ok(())
            }
            Some(Ok(pair)) => {
                self.pairs.add(pair);
                Ok(())
            }
            Some(Err(why)) => Err(bad(part, why)),
            None => {
                let r = parse_range(part)?;
                if !exclude && self.first_plain.is_none() {
                    self.first_plain = Some(part.to_string());
                }
                self.push(r, exclude);
                Ok(())
            }
        }
    }

    /// Adds a target argument: one or more ranges (or `IP:PORT` pairs) separated by commas or
    /// whitespace.
    pub fn add_targets(&mut self, spec: &str) -> Result<(), TargetError> {
        for part in split_list(spec) {
            self.add_item(part, false)?;
        }
        Ok(())
    }

    /// Adds an exclude argument: one or more ranges separated by commas or whitespace.
    pub fn add_excludes(&mut self, spec: &str) -> Result<(), TargetError> {
        for part in split_list(spec) {
            self.add_item(part, true)?;
        }
        Ok(())
    }

    /// Adds the text of a file of ranges or pairs (`-iL`, `--excludefile`), one or more per
    /// line, `#` starting a comment; errors name `path` and the line.
    pub fn add_file_text(
        &mut self,
        path: &Path,
        text: &[u8],
        exclude: bool,
    ) -> Result<(), TargetError> {
        self.add_file(path, text, exclude)
    }

    /// As [`Self::add_file_text`], reading line by line from `reader` (the caller opens the
    /// file: the engine reads none itself), so a file of millions of pairs is never held whole.
    pub fn add_file(
        &mut self,
        path: &Path,
        mut reader: impl BufRead,
        exclude: bool,
    ) -> Result<(), TargetError> {
        let file_error = |e: std::io::Error| TargetError::File {
            what: if exclude {
                "exclude file"
            } else {
                "include file"
            },
            path: path.display().to_string(),
            why: e.to_string(),
        };
        let mut raw = Vec::new();
        let mut n = 0;
        while reader.read_until(b'\n', &mut raw).map_err(file_error)? > 0 {
            n += 1;
            let line = String::from_utf8_lossy(&raw);
            let line = line.split('#').next().unwrap_or("");
            for part in split_list(line) {
                self.add_item(part, exclude).map_err(|e| match e {
                    TargetError::Bad { spec, why } => TargetError::BadInFile {
                        path: path.display().to_string(),
                        line: n,
                        spec,
                        why,
                    },
                    other => other,
                })?;
            }
            raw.clear();
        }
        // An empty exclude file still counts as the user's confirmation.
        self.has_exclude |= exclude;
        Ok(())
    }

    /// Merges everything, applies excludes, and refuses an accidental huge scan: more than
    /// [`HUGE_SCAN`] addresses left to scan and no `--exclude`/`--excludefile` at all, as the
    /// original refuses it (an exclude, even one that removes nothing, is the confirmation).
    pub fn build(self) -> Result<TargetSet, TargetError> {
        let has_exclude = self.has_exclude;
        let t = self.build_listing()?;
        if !has_exclude && t.host_count() > HUGE_SCAN {
            let any_v4 = !t.v4.is_empty();
            return Err(TargetError::NeedsExclude(if any_v4 {
                "255.255.255.255"
            } else {
                "ff00::/8"
            }));
        }
        Ok(t)
    }

    /// Merges everything and applies excludes, refusing only an empty result: what `-sL`,
    /// `--readrange` and `--echo-cidr` use (they send nothing, so any size is fine).
    pub fn build_listing(self) -> Result<TargetSet, TargetError> {
        if self.v4.is_empty() && self.v6.is_empty() && self.pairs.is_empty() {
            return Err(TargetError::Empty);
        }
        if let (false, Some(plain)) = (self.pairs.is_empty(), &self.first_plain) {
            return Err(TargetError::Mixed(plain.clone()));
        }
        if let (true, Some(pair)) = (self.pairs.is_empty(), &self.first_pair_exclude) {
            return Err(TargetError::PairExcluded(pair.clone()));
        }
        let t = self.merge();
        if t.v4.is_empty() && t.v6.is_empty() {
            return Err(TargetError::AllExcluded);
        }
        Ok(t)
    }

    /// Merges and applies excludes without the checks (for `--echo`, which scans nothing).
    pub fn build_lenient(self) -> TargetSet {
        self.merge()
    }

    /// The targets minus the excludes, each family built in the one vector its ranges were
    /// collected in (a list of a million ranges is never held twice).
    fn merge(self) -> TargetSet {
        let excludes_v4 = self.ex_v4.build();
        let excludes_v6 = self.ex_v6.build();
        let mut v4 = self.v4.build_excluding(&excludes_v4);
        let mut v6 = self.v6.build_excluding(&excludes_v6);
        let pairs = (!self.pairs.is_empty()).then(|| {
            let ex_pairs = self
                .ex_pairs
                .build(&RangeList::default(), &RangeList::default());
            let pairs = self
                .pairs
                .build_excluding(&excludes_v4, &excludes_v6, &ex_pairs);
            // A pair scan's addresses (for the interface, local neighbours, --readrange) are
            // the pairs' (in a lenient --echo build that mixes them in, the ranges' too).
            let (a4, a6) = pairs.addresses();
            v4 = merge(&v4, &a4);
            v6 = merge(&v6, &a6);
            Arc::new(pairs)
        });
        TargetSet {
            v4,
            v6,
            excludes_v4,
            excludes_v6,
            pairs,
        }
    }
}

/// The union of two range lists.
fn merge<T: crate::plan::ranges::RangeInt>(a: &RangeList<T>, b: &RangeList<T>) -> RangeList<T> {
    if a.is_empty() {
        return b.clone();
    }
    let mut m = RangeListBuilder::new();
    for s in a.spans().iter().chain(b.spans()) {
        m.add(s.first, s.last);
    }
    m.build()
}

fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|p| !p.is_empty())
}

/// The addresses to scan, excludes already removed (the excludes are kept for `--echo`).
#[derive(Clone, Debug)]
pub struct TargetSet {
    pub v4: RangeList<u32>,
    pub v6: RangeList<u128>,
    pub excludes_v4: RangeList<u32>,
    pub excludes_v6: RangeList<u128>,
    /// The pairs of a pair scan (`IP:PORT` targets), whose addresses `v4` and `v6` then hold.
    pub pairs: Option<Arc<PairList>>,
}

impl TargetSet {
    /// Number of addresses, both families (saturating).
    pub fn host_count(&self) -> u128 {
        self.v4.len128().saturating_add(self.v6.len128())
    }

    /// `range = ` lines for config output (one pair per line for a pair scan), then
    /// `exclude = ` lines.
    pub fn write_conf(&self, out: &mut String) {
        if let Some(pairs) = &self.pairs {
            for p in pairs.iter() {
                out.push_str("range = ");
                PairList::write_pair(out, p);
                out.push('\n');
            }
        }
        for s in self.v4.spans().iter().filter(|_| self.pairs.is_none()) {
            let _ = writeln!(out, "range = {}", fmt_v4_range(s.first, s.last));
        }
        for s in self.v6.spans().iter().filter(|_| self.pairs.is_none()) {
            let _ = writeln!(out, "range = {}", fmt_v6_range(s.first, s.last));
        }
        for s in self.excludes_v4.spans() {
            let _ = writeln!(out, "exclude = {}", fmt_v4_range(s.first, s.last));
        }
        for s in self.excludes_v6.spans() {
            let _ = writeln!(out, "exclude = {}", fmt_v6_range(s.first, s.last));
        }
    }
}

/// Formats a range as masscan does in config files: a single address, or `first-last`.
/// The prefix length when `[a, b]` is exactly one CIDR block of `bits`-bit addresses.
fn cidr_len(a: u128, b: u128, bits: u32) -> Option<u32> {
    let host = (a ^ b).checked_add(1)?; // 2^host_bits when the block is exact
    let exact = host.is_power_of_two() && a & (host - 1) == 0 && b - a + 1 == host;
    exact.then(|| bits - host.trailing_zeros())
}

/// An IPv4 range as the original writes it (`--echo`, `--readrange`): one address, a CIDR
/// block when the range is exactly one, else `a-b`.
/// `[first, last]` of `bits`-bit addresses as the fewest CIDR blocks: (start, prefix length).
pub fn cidr_blocks(mut first: u128, last: u128, bits: u32) -> Vec<(u128, u32)> {
    // The last offset of a block of `host` host bits (2^host - 1), for host up to 128.
    let span = |host: u32| {
        if host >= 128 {
            u128::MAX
        } else {
            (1u128 << host) - 1
        }
    };
    let mut v = Vec::new();
    loop {
        // The largest block that starts at `first` (alignment) and stays within `last`.
        let mut host = first.trailing_zeros().min(bits);
        while host > 0 && first.checked_add(span(host)).is_none_or(|end| end > last) {
            host -= 1;
        }
        v.push((first, bits - host));
        let end = first + span(host);
        if end >= last {
            return v;
        }
        first = end + 1;
    }
}

impl TargetSet {
    /// `--echo-cidr`: every target range as the fewest CIDR blocks, one per line (IPv4, then
    /// IPv6; a single address as /32 or /128), as the original writes them.
    pub fn cidr_lines(&self) -> String {
        let mut out = String::new();
        for s in self.v4.spans() {
            for (a, len) in cidr_blocks(s.first.into(), s.last.into(), 32) {
                out.push_str(&format!("{}/{len}\n", Ipv4Addr::from(a as u32)));
            }
        }
        for s in self.v6.spans() {
            for (a, len) in cidr_blocks(s.first, s.last, 128) {
                out.push_str(&format!("{}/{len}\n", Ipv6Addr::from(a)));
            }
        }
        out
    }

    /// `--readrange`: each range on a line, IPv4 then IPv6, in the forms of [`fmt_v4_range`].
    pub fn range_lines(&self) -> String {
        let mut out = String::new();
        for s in self.v4.spans() {
            out.push_str(&fmt_v4_range(s.first, s.last));
            out.push('\n');
        }
        for s in self.v6.spans() {
            out.push_str(&fmt_v6_range(s.first, s.last));
            out.push('\n');
        }
        out
    }
}

pub fn fmt_v4_range(a: u32, b: u32) -> String {
    if a == b {
        Ipv4Addr::from(a).to_string()
    } else if let Some(len) = cidr_len(a.into(), b.into(), 32) {
        format!("{}/{len}", Ipv4Addr::from(a))
    } else {
        format!("{}-{}", Ipv4Addr::from(a), Ipv4Addr::from(b))
    }
}

/// An IPv6 range in the same forms.
pub fn fmt_v6_range(a: u128, b: u128) -> String {
    if a == b {
        Ipv6Addr::from(a).to_string()
    } else if a == 0 && b == u128::MAX {
        "::/0".to_string()
    } else if let Some(len) = cidr_len(a, b, 128) {
        format!("{}/{len}", Ipv6Addr::from(a))
    } else {
        format!("{}-{}", Ipv6Addr::from(a), Ipv6Addr::from(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_split_into_the_fewest_cidr_blocks() {
        let b = |a: &str, z: &str| cidr_blocks(v4(a).into(), v4(z).into(), 32);
        assert_eq!(b("10.0.0.0", "10.0.0.255"), [(v4("10.0.0.0").into(), 24)]);
        assert_eq!(
            b("10.0.0.1", "10.0.0.6"),
            [
                (v4("10.0.0.1").into(), 32),
                (v4("10.0.0.2").into(), 31),
                (v4("10.0.0.4").into(), 31),
                (v4("10.0.0.6").into(), 32)
            ]
        );
        assert_eq!(cidr_blocks(0, u32::MAX.into(), 32), [(0, 0)]);
        assert_eq!(cidr_blocks(0, u128::MAX, 128), [(0, 0)]);
        assert_eq!(cidr_blocks(5, 5, 128), [(5, 128)]);
    }

    #[test]
    fn ranges_print_as_cidr_when_exact() {
        assert_eq!(
            fmt_v4_range(v4("10.0.0.0"), v4("10.0.255.255")),
            "10.0.0.0/16"
        );
        assert_eq!(fmt_v4_range(0, u32::MAX), "0.0.0.0/0");
        assert_eq!(
            fmt_v4_range(v4("10.0.0.0"), v4("10.4.255.255")),
            "10.0.0.0-10.4.255.255"
        );
        assert_eq!(
            fmt_v4_range(v4("10.0.0.1"), v4("10.0.0.2")),
            "10.0.0.1-10.0.0.2"
        );
        assert_eq!(fmt_v4_range(v4("10.0.0.1"), v4("10.0.0.1")), "10.0.0.1");
        let base = 0x2001_0db8u128 << 96;
        assert_eq!(fmt_v6_range(base, base + 0xffff), "2001:db8::/112");
        assert_eq!(fmt_v6_range(0, u128::MAX), "::/0");
        assert_eq!(fmt_v6_range(base, base + 2), "2001:db8::-2001:db8::2");
    }

    fn v4(s: &str) -> u32 {
        u32::from(s.parse::<Ipv4Addr>().unwrap())
    }

    #[test]
    fn forms() {
        assert_eq!(
            parse_range("10.0.0.1"),
            Ok(AddrRange::V4(v4("10.0.0.1"), v4("10.0.0.1")))
        );
        assert_eq!(
            parse_range("10.0.0.9/8"),
            Ok(AddrRange::V4(v4("10.0.0.0"), v4("10.255.255.255")))
        );
        assert_eq!(
            parse_range("10.0.0.1 - 10.0.0.9"),
            Ok(AddrRange::V4(v4("10.0.0.1"), v4("10.0.0.9")))
        );
        assert_eq!(parse_range("0.0.0.0/0"), Ok(AddrRange::V4(0, u32::MAX)));
        assert_eq!(parse_range("2001:db8::/126"), {
            let a = u128::from("2001:db8::".parse::<Ipv6Addr>().unwrap());
            Ok(AddrRange::V6(a, a + 3))
        });
    }

    #[test]
    fn bad_forms_are_errors() {
        for s in [
            "300.1.1.1",
            "10.0.0.9-10.0.0.1",
            "10.0.0.0/33",
            "1.2.3",
            "hello",
            "::1/129",
            "10.0.0.1-",
            "2001:db8::9-2001:db8::1",
        ] {
            assert!(parse_range(s).is_err(), "{s} should be refused");
        }
        assert_eq!(
            parse_range("10.0.0.9-10.0.0.1").unwrap_err().to_string(),
            "bad target '10.0.0.9-10.0.0.1': first address is after the last"
        );
    }

    #[test]
    fn excludes_win_and_lists_merge() {
        let mut b = TargetSetBuilder::new();
        b.add_targets("10.0.0.0/24,10.0.0.128/25 10.0.1.0").unwrap();
        b.add_excludes("10.0.0.0/25").unwrap();
        let t = b.build().unwrap();
        assert_eq!(t.v4.len_u64(), Some(129));
        assert!(!t.v4.contains(v4("10.0.0.5")));
        assert!(t.v4.contains(v4("10.0.1.0")));
    }

    #[test]
    fn whole_internet_needs_exclude() {
        let mut b = TargetSetBuilder::new();
        b.add_targets("0.0.0.0/0").unwrap();
        assert_eq!(
            b.clone().build().unwrap_err(),
            TargetError::NeedsExclude("255.255.255.255")
        );
        b.add_excludes("255.255.255.255").unwrap();
        assert_eq!(b.build().unwrap().v4.len_u64(), Some((1 << 32) - 1));
        let mut b6 = TargetSetBuilder::new();
        b6.add_targets("::/0").unwrap();
        assert_eq!(
            b6.clone().build().unwrap_err(),
            TargetError::NeedsExclude("ff00::/8")
        );
        assert!(b6.build_listing().is_ok(), "-sL lists any size");
    }

    #[test]
    fn more_than_a_billion_addresses_need_an_exclude() {
        let mut b = TargetSetBuilder::new();
        b.add_targets("0.0.0.0/1").unwrap(); // 2^31
        assert!(matches!(
            b.clone().build(),
            Err(TargetError::NeedsExclude(_))
        ));
        assert!(b.clone().build_listing().is_ok());
        b.add_excludes("10.0.0.1").unwrap();
        assert!(b.build().is_ok());
        // Exactly a billion, and the original's 1,000,000,001 in two families.
        let mut b = TargetSetBuilder::new();
        b.add_targets("0.0.0.0-59.154.201.255").unwrap(); // 1,000,000,000 addresses
        assert_eq!(b.clone().build().unwrap().host_count(), HUGE_SCAN);
        b.add_targets("2001:db8::1").unwrap();
        assert!(matches!(
            b.build(),
            Err(TargetError::NeedsExclude("255.255.255.255"))
        ));
    }

    #[test]
    fn include_file_reports_line() {
        let text = b"# comment\n10.0.0.1\n10.0.0.2 # x\n\n10.0.0.300\n";
        let mut b = TargetSetBuilder::new();
        let e = b
            .add_file_text(Path::new("in.txt"), text, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("in.txt:5: bad target '10.0.0.300'"), "{e}");
        let mut b = TargetSetBuilder::new();
        b.add_file_text(Path::new("in.txt"), &text[..33], false)
            .unwrap();
        b.add_file_text(Path::new("ex.txt"), b"10.0.0.2\n", true)
            .unwrap();
        assert_eq!(b.build().unwrap().v4.len_u64(), Some(1));
    }
}
