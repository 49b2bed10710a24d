//! Several scan indices' targets at once: the permutations' dependent chains (BlackRock's
//! table look-ups and reductions, the Feistel rounds' multiplies) of [`LANES`] indices run side
//! by side, so the core overlaps them instead of waiting on each in turn. The same targets as
//! [`Plan::probe`] one at a time (a property test holds them to each other).

use super::{pair_target, Order, Plan, Target};

pub use super::blackrock::LANES;

impl Plan {
    /// The targets of scan indices `js` (`None` for an empty slot of the retry schedule).
    #[inline]
    pub fn probe_lanes(&self, js: &[u64; LANES], out: &mut [Option<Target>; LANES]) {
        let mut xs = [0u64; LANES];
        let mut empty = [false; LANES];
        let mut attempts = [0u16; LANES];
        let v6_first = match &self.order {
            Order::Feistel {
                perm,
                window,
                epoch,
            } => {
                for i in 0..LANES {
                    match self.feistel_base(js[i], *window, *epoch) {
                        Some((b, a)) => (xs[i], attempts[i]) = (b, a),
                        None => empty[i] = true,
                    }
                }
                perm.shuffle_lanes(&mut xs);
                false
            }
            Order::BlackRock {
                br, rotate: None, ..
            } => {
                xs = *js;
                br.shuffle_lanes(&mut xs);
                false
            }
            Order::BlackRock {
                br,
                rotate: Some(rate),
                group,
            } => {
                for i in 0..LANES {
                    let (k, m) = (js[i] / group, js[i] % group);
                    xs[i] = k.wrapping_add((group - m).wrapping_mul(*rate)) % self.base;
                    attempts[i] = m as u16;
                }
                br.shuffle_lanes(&mut xs);
                true
            }
        };
        // One branch per batch: a pair scan's target numbers are pairs.
        match &self.pairs {
            None => {
                for i in 0..LANES {
                    out[i] = (!empty[i]).then(|| Target {
                        attempt: attempts[i],
                        ..self.split(xs[i], v6_first)
                    });
                }
            }
            Some(pairs) => {
                for i in 0..LANES {
                    out[i] = (!empty[i]).then(|| Target {
                        attempt: attempts[i],
                        ..pair_target(pairs, xs[i])
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::ports::PortSetBuilder;
    use crate::plan::targets::TargetSetBuilder;
    use crate::plan::{OrderSpec, ScanOrder};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Lanes give `probe`'s targets in both orders, with retries, for -sL and for a scan.
        #[test]
        fn lanes_are_probe_one_by_one(
            hosts in 1u32..5000,
            ports in 1u16..40,
            seed in any::<u64>(),
            retries in 0u32..3,
            blackrock in any::<bool>(),
            listing in any::<bool>(),
            rate in 1u64..100_000,
            start in any::<u64>(),
        ) {
            let mut t = TargetSetBuilder::new();
            t.add_targets(&format!("10.0.0.0-10.0.{}.{}", hosts >> 8, hosts & 0xff)).unwrap();
            let mut p = PortSetBuilder::new();
            p.add_spec(&format!("1-{ports}")).unwrap();
            let order = if blackrock { ScanOrder::BlackRock { rounds: 14 } } else { ScanOrder::Feistel };
            let spec = OrderSpec { order, rate, listing, canaries: 0 };
            let plan = Plan::ordered(t.build().unwrap(), p.build(), seed, retries, 977, spec).unwrap();
            let start = start % plan.total();
            let js: [u64; LANES] = std::array::from_fn(|i| (start + i as u64 * 3) % plan.total());
            let mut got = [None; LANES];
            plan.probe_lanes(&js, &mut got);
            for i in 0..LANES {
                prop_assert_eq!(got[i], plan.probe(js[i]));
            }
        }
    }
}
