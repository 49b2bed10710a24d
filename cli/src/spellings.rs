//! masscan's and nmap's spellings (`-p80`, `-pU:53`, `-oX f`, `-iL f`, `-sS`, `-Pn`, `-rate 100`,
//! `--hello-string[80]`) rewritten into plain long options before clap parses them; `-c FILE`
//! and `--resume FILE` expanded in place, so later options override the file's.

use crate::args::{Args, UserError};
use crate::conf_file::conf_file_args;
use clap::CommandFactory;
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

/// Rewrites masscan/nmap spellings into long options, expanding `-c FILE` and `--resume FILE`
/// in place. `args` excludes the program name.
pub fn normalize(
    args: &[String],
    longs: &[String],
    depth: usize,
) -> Result<(Vec<String>, Option<PathBuf>), UserError> {
    let mut out = Vec::new();
    let mut resumed = None;
    let mut it = args.iter().peekable();
    let need = |it: &mut std::iter::Peekable<std::slice::Iter<String>>, opt: &str| {
        it.next()
            .cloned()
            .ok_or_else(|| UserError(format!("option '{opt}' needs a value")))
    };
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
        match a {
            "-sS" | "-Pn" | "-n" | "-sn" | "--randomize-hosts" | "--send-eth" => continue,
            "-sL" => {
                out.push("--list-scan".into());
                continue;
            }
            "-iL" => {
                out.push("--includefile".into());
                out.push(need(&mut it, a)?);
                continue;
            }
            _ => {}
        }
        if let Some(code) = a.strip_prefix("-o").filter(|c| c.len() == 1) {
            let fmt = output_format_for(code).ok_or_else(|| {
                UserError(format!(
                    "unknown output option '{a}' (use -oX, -oJ, -oD, -oG, -oL, -oB, -oU or -oH)"
                ))
            })?;
            let file = need(&mut it, a)?;
            out.extend([
                "--output-format".into(),
                fmt.into(),
                "--output-filename".into(),
                file,
            ]);
            continue;
        }
        // -p80, -pU:53, -p-, -p-100 (but not --ports, nor a single-dash word like -ping).
        if let Some(rest) = a.strip_prefix("-p").filter(|_| !a.starts_with("--")) {
            let b = rest.as_bytes();
            let is_ports = !b.is_empty()
                && (b[0].is_ascii_digit() || b[0] == b'-' || (b.len() >= 2 && b[1] == b':'));
            if is_ports {
                out.push("--ports".into());
                out.push(rest.to_string());
                continue;
            }
        }
        // Single-dash long options: -rate 100, -exclude x.
        if a.len() > 2 && a.starts_with('-') && !a.starts_with("--") {
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

/// `--hello-string[80]` or `--hello-file[80]=F` (one or two dashes, or a config-file name):
/// (option name, port, value after `=` if any).
pub fn bracketed(a: &str) -> Option<(&'static str, &str, Option<&str>)> {
    let bare = a.trim_start_matches('-');
    let (name, rest) = bare.split_once('[')?;
    let name = match name {
        "hello-string" => "hello-string",
        "hello-file" => "hello-file",
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
        assert_eq!(norm(&["-p80"]), ["--ports", "80"]);
        assert_eq!(norm(&["-pU:53"]), ["--ports", "U:53"]);
        assert_eq!(norm(&["-p-"]), ["--ports", "-"]);
        assert_eq!(norm(&["-p", "80"]), ["-p", "80"]);
        assert_eq!(norm(&["-p-100"]), ["--ports", "-100"]);
        assert_eq!(norm(&["-ping"]), ["--ping"]);
        assert_eq!(norm(&["-pingx"]), ["-pingx"]);
        assert_eq!(
            norm(&["-oX", "f.xml"]),
            ["--output-format", "xml", "--output-filename", "f.xml"]
        );
        assert_eq!(norm(&["-iL", "t.txt"]), ["--includefile", "t.txt"]);
        assert_eq!(norm(&["-sS", "-Pn", "-n", "-sL"]), ["--list-scan"]);
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
