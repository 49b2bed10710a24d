//! The command line: masscan's spellings (`-p80`, `-pU:53`, `-oX f`, `-iL f`, `-sS`, `-Pn`,
//! `-rate 100`, config files given with `-c` or read from `/etc/masscan/masscan.conf`) are
//! normalized into plain long options, which clap then parses. Config files go through the same
//! clap definition, one line at a time, so every long option works in a file and a bad line is
//! reported with its file and line number. The options themselves are defined by concern in
//! `crate::options`; [`Args`] flattens those groups into one command.

use crate::conf_file::conf_file_args;
use crate::options::banners::BannerOptions;
use crate::options::io::IoOptions;
use crate::options::nics::NicOptions;
use crate::options::pace::PaceOptions;
use crate::options::report::ReportOptions;
use crate::options::run::{ModeOptions, RunOptions};
use crate::options::targets::TargetOptions;
use crate::options::threads::ThreadOptions;
use crate::options::udp::UdpOptions;
use crate::spellings::{long_names, normalize};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Parser;
use std::path::PathBuf;

/// The default config file, read first when it exists (as masscan does).
pub const DEFAULT_CONF: &str = "/etc/masscan/masscan.conf";

#[derive(Parser, Debug)]
#[command(
    name = "masscan",
    about = "masscan-rs: an Internet-scale port scanner, compatible with masscan's options and files",
    args_override_self = true,
    disable_help_subcommand = true,
    after_help = "Examples:\n  masscan 10.0.0.0/8 -p80 -sL | head\n  masscan 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 100000000\n  masscan -c scan.conf --echo"
)]
pub struct Args {
    #[command(flatten)]
    pub targets: TargetOptions,
    #[command(flatten)]
    pub udp: UdpOptions,
    #[command(flatten)]
    pub pace: PaceOptions,
    #[command(flatten)]
    pub threads: ThreadOptions,
    #[command(flatten)]
    pub io: IoOptions,
    #[command(flatten)]
    pub nics: NicOptions,
    #[command(flatten)]
    pub report: ReportOptions,
    #[command(flatten)]
    pub banners: BannerOptions,
    #[command(flatten)]
    pub probe: crate::options::probe::ProbeOptions,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub modes: ModeOptions,
}

/// A user error: printed as one line, exit code 1.
#[derive(Debug)]
pub struct UserError(pub String);

impl<T: std::fmt::Display> From<T> for UserError {
    fn from(e: T) -> Self {
        UserError(e.to_string())
    }
}

/// What the command line asks for, with where `--resume` came from.
pub struct Parsed {
    pub args: Args,
    /// Set when `--resume FILE` was given.
    pub resumed_from: Option<PathBuf>,
}

/// The long option clap would suggest for an unknown `name` (without dashes), if any.
pub fn suggest(name: &str) -> Option<String> {
    let e = Args::try_parse_from(["masscan", &format!("--{name}")]).err()?;
    match e.get(ContextKind::SuggestedArg) {
        Some(ContextValue::String(s)) => Some(s.trim_start_matches('-').to_string()),
        _ => None,
    }
}

/// A clap error as one line. A bad value gives the value parser's own message, which names
/// the option (see `values`).
pub fn one_line(e: &clap::Error) -> String {
    match e.kind() {
        ErrorKind::UnknownArgument => {
            let arg = match e.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(s)) => s.clone(),
                _ => String::from("?"),
            };
            match e.get(ContextKind::SuggestedArg) {
                Some(ContextValue::String(t)) => {
                    format!("unknown option '{arg}' (did you mean '{t}'?)")
                }
                _ => format!("unknown option '{arg}' (see masscan --help)"),
            }
        }
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(why) => named(e, why.to_string()),
            None => first_line(e),
        },
        _ => first_line(e),
    }
}

/// A value error names its option: our value parsers say `bad --NAME VALUE: ...` themselves;
/// a message that does not (clap's own number parsers) gets that form put in front.
fn named(e: &clap::Error, why: String) -> String {
    let arg = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.split(' ').next().unwrap_or("").to_string(),
        _ => return why,
    };
    if arg.is_empty() || why.contains(arg.as_str()) {
        return why;
    }
    match e.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(v)) => format!("bad {arg} {v}: {why}"),
        _ => format!("bad {arg}: {why}"),
    }
}

fn first_line(e: &clap::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("bad arguments")
        .trim_start_matches("error: ")
        .to_string()
}

/// Parses the whole command line (without the program name).
pub fn parse(argv: &[String]) -> Result<Parsed, UserError> {
    let longs = long_names();
    let mut full = Vec::new();
    // MASSCAN_DEFAULT_CONF names another default file (empty: none), for tests and packagers.
    let default_conf = std::env::var_os("MASSCAN_DEFAULT_CONF")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONF));
    // The original reads its default file for scans, not for --readscan.
    let readscan = argv.iter().any(|a| {
        a.strip_prefix("--").is_some_and(|b| {
            crate::names::fold(b.split(['=', ':']).next().unwrap_or("")) == "readscan"
        })
    });
    if !readscan && !default_conf.as_os_str().is_empty() && default_conf.exists() {
        full.extend(conf_file_args(&default_conf, 0)?);
    }
    let (cmdline, resumed_from) = normalize(argv, &longs, 0)?;
    full.extend(cmdline);
    let mut with_prog = vec!["masscan".to_string()];
    with_prog.extend(full);
    match Args::try_parse_from(&with_prog) {
        Ok(args) => Ok(Parsed { args, resumed_from }),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            std::process::exit(0);
        }
        Err(e) => Err(UserError(one_line(&e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_is_under_its_groups_heading() {
        use clap::CommandFactory;
        let cmd = Args::command();
        let loose: Vec<_> = cmd
            .get_arguments()
            .filter(|a| a.get_help_heading().is_none())
            .map(|a| a.get_id().to_string())
            .collect();
        assert!(
            loose.is_empty(),
            "options outside crate::options' groups: {loose:?}"
        );
    }

    #[test]
    fn a_clap_number_parsers_error_names_its_option() {
        // Should an option use clap's own parser again, its error still names the option.
        let cmd = clap::Command::new("masscan").arg(
            clap::Arg::new("hops")
                .long("hops")
                .value_parser(clap::value_parser!(u8).range(1..)),
        );
        let e = cmd
            .try_get_matches_from(["masscan", "--hops", "0"])
            .unwrap_err();
        assert_eq!(one_line(&e), "bad --hops 0: 0 is not in 1..=255");
        let e = Args::try_parse_from(["masscan", "--ttl", "300"]).unwrap_err();
        assert_eq!(one_line(&e), "bad --ttl 300: use 0 to 255");
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("rat").as_deref(), Some("rate"));
        assert_eq!(suggest("exclud").as_deref(), Some("exclude"));
        assert_eq!(suggest("zzzzzzzzzz"), None);
    }

    #[test]
    fn a_bad_value_is_its_parsers_message_on_the_command_line_and_in_files() {
        let e = Args::try_parse_from(["masscan", "--rate", "fast"]).unwrap_err();
        assert!(
            one_line(&e).starts_with("bad --rate 'fast': "),
            "{}",
            one_line(&e)
        );
        let e = Args::try_parse_from(["masscan", "--adapter-vlan", "5000"]).unwrap_err();
        assert_eq!(one_line(&e), "bad --adapter-vlan 5000: VLAN ids are 0-4095");
        let a =
            Args::try_parse_from(["masscan", "--tx-cores", "0-1", "--wait", "forever"]).unwrap();
        assert_eq!(a.threads.tx_cores, Some(crate::values::CpuList(vec![0, 1])));
        assert_eq!(a.pace.wait, Some(masscan_engine::config::Wait::Forever));
    }

    #[test]
    fn unknown_option_is_one_line_with_a_suggestion() {
        let e = Args::try_parse_from(["masscan", "--rat", "5"]).unwrap_err();
        assert_eq!(
            one_line(&e),
            "unknown option '--rat' (did you mean '--rate'?)"
        );
    }
}
