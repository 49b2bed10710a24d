//! `masscan`: the command-line front end of masscan-rs. Thin: parse the masscan-compatible
//! command line, then list, echo, self-check or scan. Every user error is one line on stderr and
//! exit code 1.

#![forbid(unsafe_code)]

use crate::console::{errln, out, outln};
mod args;
mod benchmark;
mod bypass;
mod checkpoint;
mod conf_file;
mod console;
mod coverage;
mod link_drops;
mod manual;
mod metadata;
mod metrics;
mod names;
mod nic;
mod options;
mod output_thread;
mod outputs;
mod readscan;
mod redis_out;
mod run;
mod scan;
mod settings;
mod spellings;
mod status;
mod supervise;
mod threads;
mod values;

use masscan_engine::canary::Results;
use settings::Mode;

const NMAP_HELP: &str = "\
masscan-rs: the nmap-compatible options (masscan's own options are in --help)
  <ip/range>       targets: 10.0.0.1, 10.0.0.0/8, 10.0.0.1-10.0.0.9, 2001:db8::/120
  -p <ports>       ports: -p80, -p 20-25, -p80,443,U:53, -p- (1-65535)
  -iL <file>       read targets from a file
  --exclude <r>    never scan these addresses; --excludefile <file>
  -sS              TCP SYN scan (always on; accepted and ignored)
  -sL              list the targets in scan order, send nothing
  -Pn, -n          no host discovery, no DNS (always so; accepted and ignored)
  -e <iface>       interface to scan from
  -S <ip>          source address (spoofing needs --router-mac too)
  -g <port>        source port (--source-port)
  --ttl <n>        TTL of probes
  --max-rate <n>   packets per second (--rate)
  --max-retries <n>  extra probes per target (--retries)
  --open           report only open ports
  -oX/-oJ/-oG/-oL/-oB <file>  output file (XML, JSON, grepable, list, binary; also -oD, -oU, -oH)
  -v               more messages
Unlike nmap, masscan keeps no per-target state: it scans the whole range at --rate.
";

fn run() -> Result<i32, args::UserError> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() {
        return Err(args::UserError(
            "no arguments: give targets and ports, e.g. masscan 10.0.0.0/8 -p80 (see masscan --help)".into(),
        ));
    }
    if argv.iter().any(|a| a == "-V" || a == "--version") {
        out!("{}", version_text());
        return Ok(0);
    }
    let parsed = args::parse(&argv)?;
    if parsed.args.modes.version {
        // Spelled another way than -V/--version (`--Version`, `version = yes` in a file).
        out!("{}", version_text());
        return Ok(0);
    }
    if parsed.args.modes.man_page {
        manual::write_man_page(&mut std::io::stdout().lock())
            .map_err(|e| args::UserError(format!("cannot write the manual page: {e}")))?;
        return Ok(0);
    }
    if let Some(shell) = parsed.args.modes.completions {
        manual::write_completions(shell, &mut std::io::stdout().lock());
        return Ok(0);
    }
    let run = settings::build(parsed)?;
    match run.mode {
        Mode::Nmap => {
            out!("{NMAP_HELP}");
            Ok(0)
        }
        Mode::Regress => {
            let mut failed = 0;
            for (name, check) in masscan_engine::regress::CHECKS {
                match check() {
                    Ok(()) => outln!("regress: {name}: ok"),
                    Err(e) => {
                        failed += 1;
                        outln!("regress: {name}: FAILED: {e}");
                    }
                }
            }
            if failed == 0 {
                outln!("regression test: success!");
                Ok(0)
            } else {
                outln!("regression test: {failed} check(s) failed");
                Ok(1)
            }
        }
        Mode::Echo => {
            let mut text = String::new();
            if run.echo_all {
                run.config.write_conf_all(&mut text);
            } else {
                run.config.write_conf(&mut text);
            }
            out!("{text}");
            Ok(0)
        }
        Mode::ListScan => scan::list_scan(&run.config).map(|_| 0),
        Mode::ReadRange => {
            out!("{}", run.config.targets.range_lines());
            Ok(0)
        }
        Mode::EchoCidr => {
            out!("{}", run.config.targets.cidr_lines());
            Ok(0)
        }
        Mode::ReadScan => {
            let c = &run.config;
            let filter = readscan::Filter {
                targets: (c.targets.host_count() > 0).then(|| c.targets.clone()),
                ports: (c.ports.count() > 0).then(|| c.ports.clone()),
                banner_types: run.banner_types.clone(),
                show_open: !c.report.noshow_open,
                show_closed: c.report.show_closed && !c.report.open_only,
                drop_marked: c.pace.canary_results == Results::Drop,
            };
            let xsl = c.report.stylesheet.clone();
            readscan::run(
                &run.readscan,
                &c.report.outputs,
                c.report.append_output,
                &filter,
                xsl,
            )
        }
        Mode::IfList => nic::discover::iflist().map(|_| 0),
        Mode::Benchmark => {
            let rounds = match run.config.pace.order {
                masscan_engine::plan::ScanOrder::BlackRock { rounds } => rounds,
                masscan_engine::plan::ScanOrder::Feistel => {
                    masscan_engine::config::defaults::BLACKROCK_ROUNDS
                }
            };
            Ok(benchmark::run(rounds))
        }
        Mode::DebugIf => nic::debug_if::run(&run.config),
        Mode::Scan => scan::scan(&run),
    }
}

/// `-V`: the original's first line (client libraries that drive masscan match it), then ours.
fn version_text() -> String {
    format!(
        "\nMasscan version {MASSCAN_COMPAT} ( https://github.com/robertdavidgraham/masscan )\n\
         Compiled as: masscan-rs {} (a Rust re-implementation; the options, files and outputs \
         of masscan {MASSCAN_COMPAT})\n\
         Compiler: rustc\nOS: {}\nCPU: {}\nDrivers: afxdp afpacket offline {}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        bypass::built_in()
    )
}

/// The version of the original whose command line and files this one takes.
const MASSCAN_COMPAT: &str = "1.3.2";

fn main() {
    match run() {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            errln!("masscan: {}", e.0);
            std::process::exit(1);
        }
    }
}
