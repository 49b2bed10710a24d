//! What is reported and where: `--show`/`--noshow`, output formats and files, redis, XML
//! stylesheets and rotation; the builder of the engine's `Report` and its `OutputSpec`s.

use crate::args::UserError;
use crate::values;
use masscan_engine::config::{defaults, Report};
use masscan_engine::output::{FileFormat, OutputSpec};

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Results and output")]
pub struct ReportOptions {
    /// Report only open ports.
    #[arg(long = "open-only", alias = "open")]
    pub open_only: bool,
    /// Also report these results: `closed` (RST replies); `open` is on by default.
    #[arg(long = "show", value_name = "open|closed")]
    pub show: Vec<String>,
    /// Do not report these results: `open` or `closed`.
    #[arg(long = "noshow", value_name = "open|closed")]
    pub noshow: Vec<String>,
    /// Output format (-oX xml, -oJ json, -oD ndjson, -oG grepable, -oL list, -oB binary, -oU
    /// unicornscan, -oH hostonly), or nmapxml (Nmap XML valid against its DTD). May repeat,
    /// pairing with --output-filename in order.
    #[arg(long = "output-format", value_name = "FORMAT", value_parser = values::output_format)]
    pub output_format: Vec<String>,
    #[arg(
        long = "redis",
        help = format!(
            "Also write results to this redis server, IP[:port] (default port {}), as the \
             original's `-oR`/`--redis` does",
            defaults::REDIS_PORT
        ),
        value_name = "IP[:PORT]", value_parser = crate::redis_out::parse_target)]
    pub redis: Option<std::net::SocketAddr>,
    /// Password for --redis (sent with AUTH).
    #[arg(long = "redis-pwd", value_name = "PASSWORD")]
    pub redis_pwd: Option<String>,
    /// XML output names this XSL stylesheet (`<?xml-stylesheet?>`), so a browser renders it.
    #[arg(long = "stylesheet", value_name = "URL")]
    pub stylesheet: Option<String>,
    /// The stylesheet is Nmap's (https://nmap.org/svn/docs/nmap.xsl), as the original's.
    #[arg(long = "webxml")]
    pub webxml: bool,
    /// No stylesheet (the default; overrides one from a config file).
    #[arg(long = "no-stylesheet")]
    pub no_stylesheet: bool,
    /// Output file (with --output-format).
    #[arg(long = "output-filename", alias = "output-file", value_name = "FILE")]
    pub output_filename: Vec<String>,
    /// Add to existing output files instead of replacing them (set by --resume).
    #[arg(long = "append-output", alias = "append")]
    pub append_output: bool,
    /// Rotate output files: seconds, or `10min`, `hourly`, `6hours`, `daily` (aligned on even
    /// boundaries of that length).
    #[arg(long = "rotate", alias = "output-rotate", value_name = "TIME", value_parser = values::rotate)]
    pub rotate: Option<u64>,
    /// Shift the rotation boundaries by this much (e.g. `30min` with `hourly`).
    #[arg(long = "rotate-offset", value_name = "TIME", value_parser = values::rotate_offset)]
    pub rotate_offset: Option<u64>,
    /// Also rotate when a file reaches this size (bytes, or with K, M, G).
    #[arg(long = "rotate-size", alias = "rotate-filesize", value_name = "SIZE", value_parser = values::rotate_size)]
    pub rotate_size: Option<u64>,
    /// Directory rotated files are moved to (default: the current directory).
    #[arg(long = "rotate-dir", alias = "output-rotate-dir", value_name = "DIR")]
    pub rotate_dir: Option<String>,
    /// Print results on the console even when writing an output file.
    #[arg(long = "interactive")]
    pub interactive: bool,
}

impl ReportOptions {
    /// What is reported, and where: --show/--noshow, outputs and their rotation. `resumed`: a
    /// `--resume`, which appends to the files it was writing.
    pub fn build(&self, resumed: bool) -> Result<Report, UserError> {
        let mut r = Report {
            open_only: self.open_only,
            // A resumed scan adds to the files it was writing (as masscan's --resume does).
            append_output: self.append_output || resumed,
            ..Report::default()
        };
        for (on, list) in [(true, &self.show), (false, &self.noshow)] {
            for what in list.iter().flat_map(|s| s.split(',')) {
                match (on, what.trim().to_ascii_lowercase().as_str()) {
                    (true, "closed") => r.show_closed = true,
                    (true, "open") => r.noshow_open = false,
                    (false, "closed") => r.show_closed = false,
                    (false, "open") => r.noshow_open = true,
                    (_, w) => {
                        return Err(UserError(format!(
                            "unknown --{}show '{w}' (choose open or closed)",
                            if on { "" } else { "no" }
                        )))
                    }
                }
            }
        }
        r.rotate = self.rotate;
        r.rotate_offset = self.rotate_offset;
        r.rotate_size = self.rotate_size;
        r.rotate_dir = self.rotate_dir.clone();
        r.interactive = self.interactive;
        r.stylesheet = match (self.no_stylesheet, self.webxml, &self.stylesheet) {
            (true, ..) => None,
            (_, true, _) => Some("http://nmap.org/svn/docs/nmap.xsl".into()),
            (_, _, s) => s.clone().filter(|s| !s.is_empty()),
        };
        if self.output_format.iter().any(|f| f == "interactive") {
            r.interactive = true;
        }
        r.outputs = self.outputs()?;
        for (i, n) in r
            .outputs
            .iter()
            .enumerate()
            .filter_map(|(i, o)| Some((i, o.file()?)))
        {
            if n != "-" && r.outputs[..i].iter().any(|o| o.file() == Some(n)) {
                return Err(UserError(format!("output file '{n}' is given twice")));
            }
        }
        if r.open_only && r.show_closed {
            return Err(UserError(
                "--open-only and --show closed contradict each other: give one of them".into(),
            ));
        }
        let rotating = r.rotate.is_some() || r.rotate_size.is_some();
        if rotating && !r.outputs.iter().any(|o| o.file() != Some("-")) {
            return Err(UserError(
                "--rotate and --rotate-size rotate an output file: add one (e.g. -oJ scan.json)"
                    .into(),
            ));
        }
        Ok(r)
    }

    /// The outputs, in order given.
    fn outputs(&self) -> Result<Vec<OutputSpec>, UserError> {
        let mut outputs = Vec::new();
        // Formats and file names pair up in order (`-oX a.xml -oJ b.json` writes both); a lone
        // --output-format applies to the last file name, a file name alone is XML.
        // Redis is a server, not a file: `-oR`/`--output-format redis` need --redis IP[:port].
        // `none` writes nothing at all (not even console lines); `interactive` is the console.
        let named = |f: &str| self.output_format.iter().any(|g| g == f);
        if named("none") {
            outputs.push(OutputSpec::Nothing);
        }
        let formats: Vec<String> = self
            .output_format
            .iter()
            .filter(|f| !matches!(f.as_str(), "redis" | "none" | "interactive"))
            .cloned()
            .collect();
        let wants_redis = named("redis");
        match (self.redis, wants_redis) {
            (Some(server), _) => outputs.push(OutputSpec::Redis {
                server,
                password: self.redis_pwd.clone(),
            }),
            (None, true) => {
                return Err(UserError(
                    "redis output needs the server: --redis IP[:PORT] (e.g. -oR 127.0.0.1)".into(),
                ))
            }
            (None, false) => {}
        }
        let (formats, names) = (&formats, &self.output_filename);
        let file = |format: &str, file: &String| match FileFormat::from_name(format) {
            Some(format) => Ok(OutputSpec::File {
                format,
                file: file.clone(),
            }),
            None => Err(UserError(format!("cannot write --output-format {format}"))),
        };
        if formats.len() == names.len() {
            for (f, n) in formats.iter().zip(names) {
                outputs.push(file(f, n)?);
            }
        } else {
            match (formats.last(), names.last()) {
                (Some(f), Some(n)) => outputs.push(file(f, n)?),
                (None, Some(n)) => outputs.push(file("xml", n)?),
                (Some(f), None) => {
                    return Err(UserError(format!(
                        "--output-format {f} needs --output-filename FILE (or use -o{})",
                        &f[..1].to_uppercase()
                    )))
                }
                (None, None) => {}
            }
        }
        Ok(outputs)
    }
}
