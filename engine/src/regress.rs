//! `--regress`: the built-in self checks, run by the shipped binary on the user's machine (so a
//! miscompiled or mis-ported build shows itself before it scans anything).

use crate::cookie::CookieKey;
use crate::frame::{fold, sum_words};
use crate::plan::permutation::Permutation;
use crate::plan::ports::PortSetBuilder;
use crate::plan::targets::{parse_range, TargetSetBuilder};
use crate::plan::{Plan, Shard};
use crate::probe::tcp_syn::SynTemplate;
use crate::template::TemplateParams;

type Check = (&'static str, fn() -> Result<(), String>);

/// Every check, by name.
pub const CHECKS: &[Check] = &[
    ("permutation is a bijection", permutation),
    ("cookie matches reference SipHash-2-4", cookie),
    ("SYN template checksums", template),
    ("target parsing and excludes", targets),
    ("shards partition the scan", shards),
];

fn permutation() -> Result<(), String> {
    for range in (1..600).chain([65535, 65536, 65537, 1 << 20]) {
        let p = Permutation::new(range, range ^ 0x5555);
        let mut seen = vec![false; range as usize];
        for i in 0..range {
            let y = p.shuffle(i) as usize;
            if y >= seen.len() || std::mem::replace(&mut seen[y], true) {
                return Err(format!(
                    "range {range}: index {i} maps to {y}, out of range or repeated"
                ));
            }
        }
    }
    Ok(())
}

fn cookie() -> Result<(), String> {
    let mut x = 0x1234_5678_9abc_def0u64;
    for _ in 0..10_000 {
        x = crate::plan::permutation::splitmix64(&mut x);
        let k = CookieKey::from_keys(x, x.rotate_left(17));
        let (a, b, p, q) = (
            x as u32,
            (x >> 32) as u32,
            (x >> 7) as u16,
            (x >> 23) as u16,
        );
        if k.v4(a, b, p, q) != k.v4_reference(a, b, p, q) {
            return Err(format!("inlined cookie differs for key {x:#x}"));
        }
    }
    Ok(())
}

/// The ones'-complement sum of `b`, folded: 0xffff over a header or segment whose checksum holds.
fn fold_sum(b: &[u8]) -> u16 {
    fold(sum_words(b))
}

fn template() -> Result<(), String> {
    let t = SynTemplate::new(&TemplateParams::default(), false).map_err(|e| e.to_string())?;
    let mut f = [0u8; 128];
    let mut x = 7u64;
    for _ in 0..1000 {
        x = crate::plan::permutation::splitmix64(&mut x);
        let n = t.fill_v4(
            &mut f,
            x as u32,
            (x >> 32) as u32,
            x as u16,
            (x >> 16) as u16,
            x,
        );
        let ip = &f[14..34];
        if fold_sum(ip) != 0xffff {
            return Err("IPv4 header checksum does not verify".into());
        }
        // TCP: pseudo-header + segment must sum to 0xffff.
        let tcp = &f[34..58];
        let mut pseudo = Vec::with_capacity(12 + tcp.len());
        pseudo.extend_from_slice(&ip[12..20]);
        pseudo.extend_from_slice(&[0, 6, 0, tcp.len() as u8]);
        pseudo.extend_from_slice(tcp);
        if fold_sum(&pseudo) != 0xffff || n != 60 {
            return Err("TCP checksum does not verify".into());
        }
    }
    Ok(())
}

fn targets() -> Result<(), String> {
    let mut b = TargetSetBuilder::new();
    b.add_targets("10.0.0.0/8").map_err(|e| e.to_string())?;
    b.add_excludes("10.5.0.0/16").map_err(|e| e.to_string())?;
    let t = b.build().map_err(|e| e.to_string())?;
    if t.v4.len_u64() != Some((1 << 24) - (1 << 16)) {
        return Err("exclude not applied".into());
    }
    for bad in ["300.1.1.1", "10.0.0.9-10.0.0.1", "1.2.3.4/40"] {
        if parse_range(bad).is_ok() {
            return Err(format!("'{bad}' was accepted"));
        }
    }
    Ok(())
}

fn shards() -> Result<(), String> {
    let mut b = TargetSetBuilder::new();
    b.add_targets("10.0.0.0/20").map_err(|e| e.to_string())?;
    let mut p = PortSetBuilder::new();
    p.add_spec("80,443").map_err(|e| e.to_string())?;
    let plan = Plan::new(b.build().map_err(|e| e.to_string())?, p.build(), 99, 0, 1)
        .map_err(|e| e.to_string())?;
    let mut seen = vec![false; plan.total() as usize];
    for one in 1..=3 {
        for j in plan.slice(0, u64::MAX, Shard { one, of: 3 }, 0, 1) {
            if std::mem::replace(&mut seen[j as usize], true) {
                return Err(format!("index {j} in two shards"));
            }
        }
    }
    if seen.iter().any(|s| !s) {
        return Err("an index is in no shard".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_checks_pass() {
        for (name, check) in super::CHECKS {
            check().unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
