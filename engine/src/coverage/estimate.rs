//! Capture-recapture over a scan's probes. Each of a target's `t` probes is one capture
//! occasion; an open port is caught on an occasion when that probe's answer came back. From the
//! ports found (`M`) and the answers per occasion (`n_j`):
//! - two occasions: Chapman's form of the Lincoln-Petersen estimator,
//!   `N = (n1 + 1)(n2 + 1) / (m + 1) - 1` with `m = n1 + n2 - M` caught twice, and its variance
//!   (Seber 1970);
//! - three or more: the maximum-likelihood estimate of model M_t (Darroch 1958; Otis et al. 1978):
//!   the root `N > M` of `1 - M/N = prod_j (1 - n_j/N)`, with its asymptotic variance
//!   `N / (N/(N - M) + t - 1 - sum_j N/(N - n_j))`.
//!
//! The interval is Chao's (1987) log-normal one for the ports not found, `f0 = N - M`, so it
//! never goes below what was found: `[M + f0/C, M + f0*C]`, `C = exp(z sqrt(ln(1 + var/f0^2)))`.
//! Both models assume each probe is caught independently with a chance that may differ by
//! occasion but not by port (losses on the way, not ports that answer only sometimes).

/// What the scan can say of the open ports it did not find.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Probes per target that were told apart.
    pub occasions: u16,
    /// Open ports found (`M`).
    pub found: u64,
    /// Estimated open ports in all (`N`).
    pub open: f64,
    /// The 95% confidence interval of `open`.
    pub low: f64,
    pub high: f64,
    /// Chapman (two probes) or Darroch M_t (more).
    pub method: &'static str,
}

impl Estimate {
    /// The share of the open ports the scan found, with its interval (from `open`'s).
    pub fn coverage(&self) -> (f64, f64, f64) {
        let share = |n: f64| if n > 0.0 { self.found as f64 / n } else { 1.0 };
        (share(self.open), share(self.high), share(self.low))
    }
}

/// Why there is no estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoEstimate {
    /// One probe per target: nothing to compare (`--retries 1` or more gives an estimate).
    OneProbe,
    /// No open port found.
    NothingFound,
    /// No port answered more than one probe: the data cannot bound what was missed.
    NoRecapture,
}

impl std::fmt::Display for NoEstimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NoEstimate::OneProbe => "one probe per target (--retries 1 or more estimates it)",
            NoEstimate::NothingFound => "no open port found",
            NoEstimate::NoRecapture => "no open port answered two probes",
        })
    }
}

/// The normal quantile of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The estimate from `found` ports and `answers[j]` answers to probe `j` of `occasions`.
pub fn estimate(occasions: u16, found: u64, answers: &[u64]) -> Result<Estimate, NoEstimate> {
    let t = usize::from(occasions).min(answers.len());
    if t < 2 {
        return Err(NoEstimate::OneProbe);
    }
    if found == 0 {
        return Err(NoEstimate::NothingFound);
    }
    let n = &answers[..t];
    let (m, total) = (found as f64, n.iter().sum::<u64>());
    if total <= found {
        return Err(NoEstimate::NoRecapture);
    }
    let (open, var, method) = if t == 2 {
        let (n1, n2) = (n[0] as f64, n[1] as f64);
        let both = n1 + n2 - m;
        let open = (n1 + 1.0) * (n2 + 1.0) / (both + 1.0) - 1.0;
        let var = (n1 + 1.0) * (n2 + 1.0) * (n1 - both) * (n2 - both)
            / ((both + 1.0).powi(2) * (both + 2.0));
        (open.max(m), var, "Chapman")
    } else {
        let (open, var) = darroch(m, n);
        (open, var, "Darroch M_t")
    };
    let f0 = open - m;
    let (low, high) = if f0 <= 0.0 || var <= 0.0 {
        (m, open.max(m))
    } else {
        let c = (Z95 * (1.0 + var / (f0 * f0)).ln().sqrt()).exp();
        (m + f0 / c, m + f0 * c)
    };
    Ok(Estimate {
        occasions: t as u16,
        found,
        open,
        low,
        high,
        method,
    })
}

/// Model M_t's estimate and variance for `m` found and `n` answers per occasion (some port
/// answered twice, so the root exists).
fn darroch(m: f64, n: &[u64]) -> (f64, f64) {
    // One occasion caught every port found: nothing else is there to find.
    if n.iter().any(|&k| k as f64 >= m) {
        return (m, 0.0);
    }
    // g < 0 just above M and > 0 far out; one root between.
    let g = |big: f64| {
        (1.0 - m / big).ln() - n.iter().map(|&k| (1.0 - k as f64 / big).ln()).sum::<f64>()
    };
    let (mut lo, mut hi) = (m, m * 2.0 + 1.0);
    while g(hi) <= 0.0 && hi < 1e18 {
        (lo, hi) = (hi, hi * 2.0);
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if g(mid) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let big = 0.5 * (lo + hi);
    let t = n.len() as f64;
    let info = big / (big - m) + (t - 1.0) - n.iter().map(|&k| big / (big - k as f64)).sum::<f64>();
    let var = if info > 0.0 { big / info } else { 0.0 };
    (big, var)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded generator for the simulations (splitmix64 to a uniform in [0, 1)).
    struct Rng(u64);
    impl Rng {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// One simulated scan: `open` ports, each probe answered with chance `p[j]`.
    fn simulate(rng: &mut Rng, open: u64, p: &[f64]) -> (u64, Vec<u64>) {
        let (mut found, mut n) = (0, vec![0; p.len()]);
        for _ in 0..open {
            let mut caught = false;
            for (j, &pj) in p.iter().enumerate() {
                if rng.uniform() < pj {
                    n[j] += 1;
                    caught = true;
                }
            }
            found += u64::from(caught);
        }
        (found, n)
    }

    #[test]
    fn chapman_by_hand() {
        // n1 = 60, n2 = 50, 30 caught twice: found 80.
        let e = estimate(2, 80, &[60, 50]).unwrap();
        let want = 61.0 * 51.0 / 31.0 - 1.0;
        assert!((e.open - want).abs() < 1e-9, "{e:?}");
        assert!(e.low > 80.0 && e.low < e.open && e.open < e.high, "{e:?}");
        assert_eq!(e.method, "Chapman");
        let (share, lo, hi) = e.coverage();
        assert!(lo < share && share < hi && hi <= 1.0);
    }

    #[test]
    fn darroch_on_two_occasions_is_lincoln_petersen() {
        let (open, var) = darroch(80.0, &[60, 50]);
        assert!((open - 60.0 * 50.0 / 30.0).abs() < 1e-6, "{open}");
        // Its variance is Lincoln-Petersen's: n1 n2 (n1 - m)(n2 - m) / m^3.
        let lp = 60.0 * 50.0 * 30.0 * 20.0 / 27_000.0;
        assert!((var - lp).abs() / lp < 1e-6, "{var} vs {lp}");
    }

    #[test]
    fn no_estimate_without_two_probes_a_find_or_a_recapture() {
        assert_eq!(estimate(1, 10, &[10]), Err(NoEstimate::OneProbe));
        assert_eq!(estimate(2, 0, &[0, 0]), Err(NoEstimate::NothingFound));
        assert_eq!(estimate(2, 20, &[10, 10]), Err(NoEstimate::NoRecapture));
        assert_eq!(estimate(3, 20, &[10, 5, 5]), Err(NoEstimate::NoRecapture));
    }

    #[test]
    fn everything_caught_every_time_is_all_there_is() {
        for t in 2..=4u16 {
            let e = estimate(t, 500, &[500; 4]).unwrap();
            assert_eq!((e.open, e.low, e.high), (500.0, 500.0, 500.0), "{t}");
        }
    }

    /// Over simulated scans the 95% interval holds the true count about 95% of the time, and
    /// the estimate is unbiased to within a percent, for two to four probes and several losses.
    #[test]
    fn the_interval_holds_the_truth_about_95_percent_of_the_time() {
        let mut rng = Rng(7);
        let cases: [&[f64]; 5] = [
            &[0.9, 0.9],
            &[0.6, 0.5],
            &[0.3, 0.3],
            &[0.5, 0.5, 0.5],
            &[0.7, 0.4, 0.6, 0.5],
        ];
        for p in cases {
            let (runs, open) = (400, 3000u64);
            let (mut held, mut sum) = (0, 0.0);
            for _ in 0..runs {
                let (found, n) = simulate(&mut rng, open, p);
                let e = estimate(p.len() as u16, found, &n).unwrap();
                held += u32::from(e.low <= open as f64 && open as f64 <= e.high);
                sum += e.open;
            }
            let share = f64::from(held) / f64::from(runs);
            assert!((0.91..=0.99).contains(&share), "{p:?}: held {share}");
            let bias = sum / f64::from(runs) / open as f64 - 1.0;
            assert!(bias.abs() < 0.01, "{p:?}: bias {bias}");
        }
    }
}
