//! masscan's and nmap's spellings (`-p80`, `-pU:53`, `-oX f`, `-iL f`, `-sS`, `-Pn`, `-rate 100`,
//! `--hello-string[80]`) rewritten into plain long options before clap parses them; `-c FILE`
//! and `--resume FILE` expanded in place, so later options override the file's.

use crate::args::{Args, UserError};
use crate::conf_file::{boolish, conf_file_args};
use crate::console::errln;
use crate::names::{fold, resolve, Resolved};
use clap::CommandFactory;
use masscan_engine::config::defaults;
use std::path::{Path, PathBuf};

/// Every long option name and alias clap knows, without dashes.
pub fn long_names() -> Vec<String> {
    let cmd = Args::command();
    let mut names = Vec::new();
    for a in cmd.get_arguments() {
        if let Some(l) = a.get_long() {
            names.push(l.to_string());
        }
        if let Some(al) = a.get_all_aliases() {
            names.extend(al.into_iter().map(str::to_string));
        }
    }
    names.push("help".into());
    names.push("version".into());
    names
}

fn output_format_for(code: &str) -> Option<&'static str> {
    Some(match code {
        "X" => "xml",
        "J" => "json",
        "D" => "ndjson",
        "G" => "grepable",
        "L" => "list",
        "B" => "binary",
        "U" => "unicornscan",
        "H" => "hostonly",
        _ => return None,
    })
}

type ArgIter<'a> = std::iter::Peekable<std::slice::Iter<'a, String>>;

fn need(it: &mut ArgIter<'_>, opt: &str) -> Result<String, UserError> {
    it.next()
        .cloned()
        .ok_or_else(|| UserError(format!("option '{opt}' needs a value")))
}

/// The protocol that `-p` values without a prefix mean: `-sU` makes them UDP and `-sZ` SCTP
/// for the `-p` options after it, as in the original.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PortDefault {
    Tcp,
    Udp,
    Sctp,
}

impl PortDefault {
    fn prefix(self) -> &'static str {
        match self {
            PortDefault::Tcp => "",
            PortDefault::Udp => "U:",
            PortDefault::Sctp => "S:",
        }
    }
}

/// Rewrites masscan/nmap spellings into long options, expanding `-c FILE` and `--resume FILE`
/// in place. `args` excludes the program name.
pub fn normalize(
    args: &[String],
    longs: &[String],
    depth: usize,
) -> Result<(Vec<String>, Option<PathBuf>), UserError> {
    let mut out = Vec::new();
    let mut resumed = None;
    let mut ports = PortDefault::Tcp;
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        let a = a.as_str();
        // Config files and resume: expanded where they appear, so later options override them.
        let conf_value = match a {
            "-c" | "--conf" | "--config" | "-conf" | "-config" => Some(need(&mut it, a)?),
            _ => ["--conf=", "--config=", "-c="]
                .iter()
                .find_map(|p| a.strip_prefix(p).map(str::to_string)),
        };
        if let Some(path) = conf_value {
            out.extend(conf_file_args(Path::new(&path), depth)?);
            continue;
        }
        if a == "--resume" || a == "-resume" || a.starts_with("--resume=") {
            let path = match a.strip_prefix("--resume=") {
                Some(p) => p.to_string(),
                None => need(&mut it, a)?,
            };
            out.extend(conf_file_args(Path::new(&path), depth)?);
            resumed = Some(PathBuf::from(path));
            continue;
        }
        // --hello-string[80] X, --hello-file[80]=F: the port goes into the value.
        if let Some((name, port, value)) = bracketed(a) {
            let value = match value {
                Some(v) => v.to_string(),
                None => need(&mut it, a)?,
            };
            out.push(format!("--{name}"));
            out.push(format!("{port}:{value}"));
            continue;
        }
        if let Some(body) = a.strip_prefix("--").filter(|b| !b.is_empty()) {
            long_option(body, &mut it, &mut out, ports)?;
            continue;
        }
        if nmap_option(a, &mut it, &mut out, &mut ports)? {
            continue;
        }
        // -p80, -pU:53, -p-, -p-100 (but not --ports, nor a single-dash word like -ping).
        if let Some(rest) = a.strip_prefix("-p") {
            let b = rest.as_bytes();
            let is_ports = !b.is_empty()
                && (b[0].is_ascii_digit() || b[0] == b'-' || (b.len() >= 2 && b[1] == b':'));
            if is_ports || a == "-p" {
                let value = if a == "-p" {
                    need(&mut it, a)?
                } else {
                    rest.to_string()
                };
                out.push(format!("--ports={}{value}", ports.prefix()));
                continue;
            }
        }
        // Single-dash long options: -rate 100, -exclude x.
        if a.len() > 2 && a.starts_with('-') {
            let name = a[1..].split('=').next().unwrap_or("");
            if name.len() > 1 && longs.iter().any(|l| l == name) {
                out.push(format!("-{a}"));
                continue;
            }
        }
        out.push(a.to_string());
    }
    Ok((out, resumed))
}

/// `--name`, `--name=value` or `--name:value`, the name spelled as the original allows (see
/// [`crate::names`]).
fn long_option(
    body: &str,
    it: &mut ArgIter<'_>,
    out: &mut Vec<String>,
    ports: PortDefault,
) -> Result<(), UserError> {
    let split = body.find('=').or_else(|| body.find(':'));
    let (name, inline) = match split {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let resolved = resolve(name);
    if let (Some(Resolved::Long { long, .. }), None) = (&resolved, inline) {
        if let Some(v) = optional_value(long, it) {
            out.push(format!("--{long}={v}"));
            return Ok(());
        }
    }
    if fold(name) == "outputappend" && inline.is_none() {
        // The original's `--output-append` takes a value (`--append-output` does not).
        let v = need(it, name)?;
        match crate::values::bool_word(&v).or_else(|| v.parse::<u8>().ok().map(|n| n != 0)) {
            Some(true) => out.push("--append-output".into()),
            Some(false) => {}
            None => {
                return Err(UserError(format!(
                    "bad --output-append {v}: use true or false"
                )))
            }
        }
        return Ok(());
    }
    match resolved {
        Some(Resolved::Long { long, prefix }) => {
            let prefix: &str = if long == "ports" && prefix.is_empty() {
                ports.prefix()
            } else {
                &prefix
            };
            if is_flag(&long) {
                // `--banners=false` and the like: a boolean inline value.
                let on = inline.map(|v| boolish(v).unwrap_or(true)).unwrap_or(true);
                if on {
                    out.push(format!("--{long}"));
                }
                return Ok(());
            }
            // A negative number is this option's value (`--wait -1` is a bad wait, not an
            // unknown option `-1`), so the value parser can say what is wrong with it.
            let negative = it.peek().is_some_and(|v| {
                v.len() > 1 && v.starts_with('-') && v.as_bytes()[1].is_ascii_digit()
            });
            match inline {
                Some(v) => out.push(format!("--{long}={prefix}{v}")),
                None if !prefix.is_empty() || negative => {
                    out.push(format!("--{long}={prefix}{}", need(it, name)?))
                }
                None => out.push(format!("--{long}")),
            }
        }
        Some(Resolved::Ignored { takes_value, note }) => {
            if let Some(note) = note {
                errln!("{note}");
            }
            if takes_value && inline.is_none() {
                it.next();
            }
        }
        Some(Resolved::Refused(why)) => return Err(UserError(why)),
        // Unknown: clap reports it, with a suggestion.
        None => out.push(format!("--{body}")),
    }
    Ok(())
}

/// The options whose value may be left out, as the original's "numable" options: the next
/// argument is their value only when it is a number (or, for the SYN options, a boolean
/// word); else they take their default. `None`: not such an option.
fn optional_value(long: &str, it: &mut ArgIter<'_>) -> Option<String> {
    let (dflt, words) = match long {
        "top-ports" => (defaults::TOP_PORTS.to_string(), false),
        "tcp-mss" | "tcp-wscale" | "tcp-tsecho" => ("enable".to_string(), true),
        // A flag in the original: a value only inline (`--tcp-sackok=false`).
        "tcp-sackok" => return Some("enable".into()),
        _ => return None,
    };
    let next_is_value = it.peek().is_some_and(|v| {
        v.parse::<u64>().is_ok() || (words && crate::values::bool_word(v).is_some())
    });
    Some(match next_is_value {
        true => it.next().map(|v| v.to_string()).unwrap_or(dflt),
        false => dflt,
    })
}

fn is_flag(long: &str) -> bool {
    use clap::CommandFactory;
    crate::args::Args::command()
        .get_arguments()
        .find(|a| a.get_long() == Some(long))
        .is_some_and(|a| matches!(a.get_action(), clap::ArgAction::SetTrue))
}

/// nmap's single-dash options as the original answers them: the ones it does rewritten, the
/// others refused with why. Returns whether `a` was one of them.
fn nmap_option(
    a: &str,
    it: &mut ArgIter<'_>,
    out: &mut Vec<String>,
    ports: &mut PortDefault,
) -> Result<bool, UserError> {
    let refuse = |why: &str| Err(UserError(format!("nmap({a}): {why}")));
    let b = a.as_bytes();
    if b.len() < 2 || b[0] != b'-' || b[1] == b'-' {
        return Ok(false);
    }
    match (b[1], &a[2..]) {
        (b'6', "") | (b'n', "") | (b'P', "n") => {}
        (b'A', "") => return refuse("masscan does SYN scans (with --banners for what servers say), no OS, version or script detection"),
        (b'b', _) => return refuse("FTP bounce scans are not supported"),
        (b'd', rest) if rest.bytes().all(|c| c == b'd') => {
            out.extend(std::iter::repeat_n("-v".to_string(), a.len() - 1));
        }
        (b'f', "") => return refuse("masscan does not fragment probes"),
        (b'F', "") => return refuse("no fast mode: use --top-ports 100"),
        (b'i', "L") => out.extend(["--includefile".to_string(), need(it, a)?]),
        (b'i', "R") => out.extend(["--range".to_string(), "0.0.0.0/0".to_string()]),
        (b'i', rest) if rest.len() == 1 && !rest.as_bytes()[0].is_ascii_digit() => {
            return refuse("unsupported input option")
        }
        // -i eth0 / -ieth0: the interface, as the original reads it.
        (b'i', rest) => {
            let name = if rest.is_empty() { need(it, a)? } else { rest.to_string() };
            out.extend(["--adapter".to_string(), name]);
        }
        (b'o', "A" | "N" | "S") => {
            return refuse("this output format is not supported (use -oX, -oJ, -oD, -oG, -oL, -oB, -oU or -oH)")
        }
        // -oR [IP[:port]]: redis output, the server given here or by --redis.
        (b'o', "R") => {
            out.extend(["--output-format".to_string(), "redis".to_string()]);
            if let Some(server) = it.next_if(|v| !v.starts_with('-')) {
                out.extend(["--redis".to_string(), server.clone()]);
            }
        }
        (b'o', code) if code.len() == 1 => {
            let fmt = output_format_for(code).ok_or_else(|| {
                UserError(format!(
                    "unknown output option '{a}' (use -oX, -oJ, -oD, -oG, -oL, -oB, -oU or -oH)"
                ))
            })?;
            let file = match it.next() {
                Some(f) if !(f.starts_with('-') && f.len() > 1) => f.clone(),
                _ => return Err(UserError(format!("{a} needs a file name (or - for stdout)"))),
            };
            out.extend(["--output-format".into(), fmt.into(), "--output-filename".into(), file]);
        }
        (b'O', "") => return refuse("masscan does no OS detection"),
        (b'P', _) => return refuse("host discovery options are not supported; masscan probes every target (-Pn)"),
        (b'r', "") => return refuse("masscan always scans in random order; that is how it scales"),
        (b'R', "") => return refuse("masscan never resolves names"),
        (b's', kinds) if !kinds.is_empty() && kinds.bytes().all(|c| c.is_ascii_alphabetic()) => {
            scan_kinds(a, kinds, out, ports)?
        }
        (b'T', _) => return refuse("timing templates do not apply: masscan sends at --rate"),
        (b'W', "") => out.push("--iflist".into()),
        (b'h' | b'?', "") => out.push("--help".into()),
        _ => return Ok(false),
    }
    Ok(true)
}

/// `-sS`, `-sU`, `-sSU`...: what each scan type letter means here.
fn scan_kinds(
    a: &str,
    kinds: &str,
    out: &mut Vec<String>,
    ports: &mut PortDefault,
) -> Result<(), UserError> {
    for k in kinds.chars() {
        let why = match k {
            'S' => {
                out.push("--scan-type=tcp".into());
                continue;
            }
            'Y' => continue,
            'L' => {
                out.push("--list-scan".into());
                continue;
            }
            'U' => {
                *ports = PortDefault::Udp;
                out.push("--scan-type=udp".into());
                continue;
            }
            'Z' => {
                *ports = PortDefault::Sctp;
                out.push("--scan-type=sctp".into());
                continue;
            }
            // As in the original: accepted, and the protocols are `-pO:N` or `--oproto N`
            // (a bare `-p` stays TCP).
            'O' => continue,
            'n' => {
                out.push("--ping".into());
                continue;
            }
            'T' => {
                errln!(
                    "nmap({a}): masscan does no connect() scans; doing a SYN scan (-sS) instead"
                );
                continue;
            }
            'A' | 'F' | 'M' | 'N' | 'W' | 'X' => {
                "only SYN scans are supported (not ACK, FIN, Maimon, NULL, Window or Xmas)"
            }
            'I' => "idle (zombie) scans are not supported",
            'V' => "no version detection: --banners reports what servers say",
            'C' => "no scripts: --banners reports what servers say",
            _ => "unknown scan type",
        };
        return Err(UserError(format!("nmap({a}): {why}")));
    }
    Ok(())
}

/// `--hello-string[80]`, `--hello-file[80]=F` or `--http-header[Name] V` (one or two dashes, or
/// a config-file name): (option name, what is in brackets, value after `=` if any).
pub fn bracketed(a: &str) -> Option<(&'static str, &str, Option<&str>)> {
    let bare = a.trim_start_matches('-');
    let (name, rest) = bare.split_once('[')?;
    let name = match name {
        "hello-string" => "hello-string",
        "hello-file" | "hello-filename" => "hello-file",
        // The original's other header spelling: `--http-header[Name] value`.
        "http-header" | "http-field" => "http-header",
        _ => return None,
    };
    let (port, after) = rest.split_once(']')?;
    let value = after.strip_prefix('=');
    Some((name, port, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(v: &[&str]) -> Vec<String> {
        let v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        normalize(&v, &long_names(), 0).unwrap().0
    }

    #[test]
    fn masscan_spellings() {
        assert_eq!(norm(&["-p80"]), ["--ports=80"]);
        assert_eq!(norm(&["-pU:53"]), ["--ports=U:53"]);
        assert_eq!(norm(&["-p-"]), ["--ports=-"]);
        assert_eq!(norm(&["-p", "80"]), ["--ports=80"]);
        assert_eq!(norm(&["-p-100"]), ["--ports=-100"]);
        assert_eq!(norm(&["-ping"]), ["--ping"]);
        assert_eq!(norm(&["-pingx"]), ["-pingx"]);
        assert_eq!(
            norm(&["-oX", "f.xml"]),
            ["--output-format", "xml", "--output-filename", "f.xml"]
        );
        assert_eq!(norm(&["-iL", "t.txt"]), ["--includefile", "t.txt"]);
        assert_eq!(
            norm(&["-sS", "-Pn", "-n", "-sL"]),
            ["--scan-type=tcp", "--list-scan"]
        );
        assert_eq!(norm(&["-sU"]), ["--scan-type=udp"]);
        assert_eq!(
            norm(&["-rate", "100", "-max-rate", "5"]),
            ["--rate", "100", "--max-rate", "5"]
        );
        assert_eq!(
            norm(&["-e", "eth0", "-S", "1.2.3.4"]),
            ["-e", "eth0", "-S", "1.2.3.4"]
        );
    }
}
