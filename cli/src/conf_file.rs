//! Config files (`-c FILE`, `--resume paused.conf`, `/etc/masscan/masscan.conf`): each
//! `name = value` line becomes long-option arguments, checked on its own against the same clap
//! definition as the command line, so every long option works in a file and a bad line is
//! reported with its file and line number.

use crate::args::{one_line, suggest, Args, UserError};
use crate::names::{fold, resolve, Resolved};
use crate::spellings::bracketed;
use clap::builder::{BoolishValueParser, TypedValueParser};
use clap::{ArgAction, CommandFactory, Parser};
use masscan_engine::config::parse_conf;
use std::path::Path;

/// A boolean as config files write it: clap's boolish values (`true`/`false`, `yes`/`no`,
/// `on`/`off`, `1`/`0`, `y`/`n`, `t`/`f`), any case.
pub fn boolish(value: &str) -> Option<bool> {
    let cmd = Args::command();
    BoolishValueParser::new()
        .parse_ref(&cmd, None, std::ffi::OsStr::new(value))
        .ok()
}

/// Turns a config file into long-option arguments, checking each line on its own so that an
/// error names the file and line.
pub fn conf_file_args(path: &Path, depth: usize) -> Result<Vec<String>, UserError> {
    if depth > 8 {
        return Err(UserError(format!(
            "{}: config files include each other too deeply",
            path.display()
        )));
    }
    let text = std::fs::read(path)
        .map_err(|e| UserError(format!("cannot read config file '{}': {e}", path.display())))?;
    let text = String::from_utf8_lossy(&text);
    // A UTF-8 byte order mark (some Windows editors write one) is not part of the first name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let shown = path.display().to_string();
    let lines = parse_conf(text, &shown)?;
    let cmd = Args::command();
    let mut out = Vec::new();
    for l in lines {
        let name = l.name.as_str();
        // Nested config files and the resume point itself.
        if matches!(fold(name).as_str(), "conf" | "config" | "resume") {
            out.extend(conf_file_args(Path::new(&l.value), depth + 1)?);
            continue;
        }
        if let Some((opt, port, _)) = bracketed(name) {
            out.push(format!("--{opt}"));
            out.push(format!("{port}:{}", l.value));
            continue;
        }
        let at = |why: String| UserError(format!("{shown}:{}: {why}", l.line));
        let (name, value) = match resolve(name) {
            Some(Resolved::Long { long, prefix }) => (long, format!("{prefix}{}", l.value)),
            Some(Resolved::Ignored { .. }) => continue,
            Some(Resolved::Refused(why)) => return Err(at(why)),
            None => {
                let hint = suggest(name)
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                return Err(at(format!("unknown option '{name}'{hint}")));
            }
        };
        let arg = cmd
            .get_arguments()
            .find(|a| a.get_long() == Some(name.as_str()))
            .expect("resolve gives clap's long names");
        let pair = match arg.get_action() {
            ArgAction::Count => match boolish(&value) {
                Some(true) => vec![format!("--{name}")],
                Some(false) => vec![],
                // A level as a number (`verbose = 3`); clap counts in a u8.
                None => match value.parse::<u8>() {
                    Ok(n) => vec![format!("--{name}"); usize::from(n)],
                    Err(_) => {
                        return Err(UserError(format!(
                        "{shown}:{}: {name}: expected a level from 0 to 255, or yes/no, got '{}'",
                        l.line, value
                    )))
                    }
                },
            },
            ArgAction::SetTrue => match boolish(&value) {
                Some(true) => vec![format!("--{name}")],
                Some(false) => vec![],
                None => {
                    return Err(UserError(format!(
                        "{shown}:{}: {name}: '{}' is not a boolean (true or false)",
                        l.line, value
                    )))
                }
            },
            // One argument, so a value that starts with `-` (`resume-count = -1`) is the
            // option's value, for its parser to judge, not an unknown option.
            _ => vec![format!("--{name}={value}")],
        };
        // Check the line alone, so the error can point at it.
        let mut probe = vec!["masscan".to_string()];
        probe.extend(pair.iter().cloned());
        if let Err(e) = Args::try_parse_from(&probe) {
            return Err(UserError(format!("{shown}:{}: {}", l.line, one_line(&e))));
        }
        out.extend(pair);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_booleans_are_claps_boolish_values() {
        for (v, want) in [
            ("yes", Some(true)),
            ("Off", Some(false)),
            ("1", Some(true)),
            ("maybe", None),
        ] {
            assert_eq!(boolish(v), want, "{v}");
        }
    }
}
