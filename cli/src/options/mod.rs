//! Every option, grouped by what it sets: each module holds one clap `Args` struct (the
//! options' names, aliases, help and value parsers, under one `--help` heading) and, beside it,
//! the builder that turns those options into their part of the engine's `ScanConfig` or of the
//! run. `crate::args::Args` flattens the groups; `crate::settings` assembles what they build.

pub mod banners;
pub mod io;
pub mod nics;
pub mod pace;
pub mod probe;
pub mod report;
pub mod run;
pub mod targets;
pub mod threads;
pub mod udp;

/// `1048576` as help texts (and the coverage line) write it: `1,048,576`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(4096), "4,096");
        assert_eq!(thousands(1 << 20), "1,048,576");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(100_000), "100,000");
    }
}
