//! The value grammars of options that a config file and the command line share: durations
//! (`--rotate`), sizes (`--rotate-size`), CPU lists (`--tx-cores`), and how rates are written.

/// A time span as `--rotate` takes it: seconds (`3600`), a number with a unit (`10min`,
/// `6hours`, `90s`, `2days`), or `minutely`, `hourly`, `daily`, `weekly`.
pub fn parse_duration_spec(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let named = match t.as_str() {
        "minutely" => Some(60),
        "hourly" => Some(3600),
        "daily" => Some(86400),
        "weekly" => Some(7 * 86400),
        _ => None,
    };
    if let Some(n) = named {
        return Ok(n);
    }
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: u64 = num.parse().map_err(|_| {
        "give seconds, or a number with a unit (10min, 6hours), or hourly/daily".to_string()
    })?;
    let mult = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86400,
        "w" | "week" | "weeks" => 7 * 86400,
        u => return Err(format!("unknown unit '{u}' (use s, min, hours, days)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| "must be more than zero and less than centuries".into())
}

/// A size as `--rotate-size` takes it: bytes, or with `K`, `M`, `G` (powers of 1024).
pub fn parse_size_spec(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.trim_end_matches('b');
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(digits);
    let n: u64 = num
        .parse()
        .map_err(|_| "give bytes, or a number with K, M or G".to_string())?;
    let mult: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        u => return Err(format!("unknown unit '{u}' (use K, M or G)")),
    };
    n.checked_mul(mult)
        .filter(|v| *v > 0)
        .ok_or_else(|| "must be more than zero".into())
}

/// A CPU list as `--tx-cores`/`--rx-cores` take it, in thread order: `2`, `0,2`, `1-3`,
/// `4-5,0`. A CPU may appear once; at most 256 threads, CPU numbers below 4,096.
pub fn parse_cpu_list(s: &str) -> Result<Vec<usize>, String> {
    const MAX_CPU: usize = 4095;
    let mut cpus = Vec::new();
    for part in s.split(',').map(str::trim) {
        let number = |t: &str| -> Result<usize, String> {
            t.trim()
                .parse::<usize>()
                .ok()
                .filter(|&n| n <= MAX_CPU)
                .ok_or_else(|| format!("'{t}' is not a CPU number (0 to {MAX_CPU})"))
        };
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (number(a)?, number(b)?),
            None => {
                let n = number(part)?;
                (n, n)
            }
        };
        if first > last {
            return Err(format!("'{part}' runs backwards"));
        }
        for cpu in first..=last {
            if cpus.contains(&cpu) {
                return Err(format!("CPU {cpu} is listed twice"));
            }
            cpus.push(cpu);
            if cpus.len() > 256 {
                return Err("at most 256 CPUs (one thread each)".into());
            }
        }
    }
    Ok(cpus)
}

/// Writes a CPU list back in the shortest form `parse_cpu_list` reads (`0-3,6`).
pub fn cpu_list(cpus: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cpus.len() {
        let mut j = i;
        while j + 1 < cpus.len() && cpus[j + 1] == cpus[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            cpus[i].to_string()
        } else {
            format!("{}-{}", cpus[i], cpus[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// Rates print as integers when whole (`1000`), else with the digits needed (`0.5`).
pub fn fmt_rate(rate: f64) -> String {
    if rate.fract() == 0.0 && rate < 1e15 {
        format!("{}", rate as u64)
    } else {
        format!("{rate}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(parse_cpu_list("2").unwrap(), [2]);
        assert_eq!(parse_cpu_list("0, 2").unwrap(), [0, 2]);
        assert_eq!(parse_cpu_list("4-6,1").unwrap(), [4, 5, 6, 1]);
        for bad in [
            "", "a", "1,,2", "3-1", "1,1", "0-2,2", "-1", "4096", "0-300",
        ] {
            assert!(parse_cpu_list(bad).is_err(), "{bad}");
        }
        for list in ["0", "0-3", "4-6,1", "1,3,5", "7,0-1"] {
            assert_eq!(cpu_list(&parse_cpu_list(list).unwrap()), list);
        }
    }

    #[test]
    fn rate_formats() {
        assert_eq!(format!("{:<10}|", fmt_rate(1000.0)), "1000      |");
        assert_eq!(fmt_rate(0.1), "0.1");
    }

    #[test]
    fn rotation_specs() {
        assert_eq!(parse_duration_spec("3600"), Ok(3600));
        assert_eq!(parse_duration_spec("hourly"), Ok(3600));
        assert_eq!(parse_duration_spec("6hours"), Ok(6 * 3600));
        assert_eq!(parse_duration_spec("10min"), Ok(600));
        assert_eq!(parse_duration_spec("Daily"), Ok(86400));
        assert!(parse_duration_spec("0").is_err());
        assert!(parse_duration_spec("10 parsecs").is_err());
        assert!(parse_duration_spec("").is_err());
        assert_eq!(parse_size_spec("1000"), Ok(1000));
        assert_eq!(parse_size_spec("10M"), Ok(10 << 20));
        assert_eq!(parse_size_spec("2gb"), Ok(2 << 30));
        assert!(parse_size_spec("lots").is_err());
    }
}
