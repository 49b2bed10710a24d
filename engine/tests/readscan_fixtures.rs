//! The original masscan's `-oB` files (../shared/fixtures/masscan) read with our reader and
//! written in each text format must equal the original's own `--readscan` conversions, byte for
//! byte; and our binary writer must reproduce the original's file from the records.

use masscan_engine::output::binary::{write_all, BinaryReader};
use masscan_engine::output::text::{render, TextFormat, TextWriter};
use masscan_engine::output::Record;
use masscan_engine::output::ServiceNames;
use std::path::PathBuf;

fn fixtures() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/masscan");
    d.exists().then_some(d)
}

/// Blanks the lines that carry the writer's own clock (XML start and finish, grepable header and
/// footer); every other byte must match.
fn normalize_times(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if line.starts_with("<nmaprun ")
            || line.starts_with("<finished ")
            || line.starts_with("# Masscan ")
        {
            out.push_str("(time line)");
            out.push_str(if line.ends_with("\r\n") { "\r\n" } else { "\n" });
        } else {
            out.push_str(line);
        }
    }
    out.into_bytes()
}

fn read(path: &PathBuf) -> (Option<u64>, Vec<Record>) {
    let bytes = std::fs::read(path).unwrap();
    let r = BinaryReader::new(&bytes[..]).unwrap();
    let start = r.start_time;
    let recs: Vec<Record> = r.map(|x| x.unwrap()).collect();
    (start, recs)
}

#[test]
fn conversions_match_the_originals() {
    let Some(dir) = fixtures() else {
        eprintln!("skipping: shared fixtures not present");
        return;
    };
    for scan in ["nobanners", "banners"] {
        let (_, recs) = read(&dir.join(format!("scan-{scan}.bin")));
        assert!(!recs.is_empty());
        // The original named ports from /etc/services (netbase); these are the entries it used.
        let services = ServiceNames::parse("ftp 21/tcp\nssh 22/tcp\nsmtp 25/tcp\nhttp 80/tcp\n");
        for (format, ext) in [
            (TextFormat::List, "list"),
            (TextFormat::Ndjson, "ndjson"),
            (TextFormat::Json, "json"),
            (TextFormat::HostOnly, "hostonly"),
            (TextFormat::Xml, "xml"),
            (TextFormat::Grepable, "grep"),
            (TextFormat::Unicornscan, "unicorn"),
        ] {
            let want = normalize_times(
                &std::fs::read(dir.join(format!("readscan-{scan}.{ext}"))).unwrap(),
            );
            let got = normalize_times(&render(
                TextWriter::new(format).with_services(services.clone()),
                &recs,
            ));
            if got != want {
                let (g, w) = (
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want),
                );
                let line = g.lines().zip(w.lines()).position(|(a, b)| a != b);
                panic!(
                    "{scan}.{ext} differs at line {line:?}:\n ours: {:?}\n orig: {:?}",
                    line.and_then(|l| g.lines().nth(l)),
                    line.and_then(|l| w.lines().nth(l))
                );
            }
        }
    }
}

#[test]
fn our_binary_writer_reproduces_the_originals_files() {
    let Some(dir) = fixtures() else { return };
    for scan in ["nobanners", "banners"] {
        let path = dir.join(format!("scan-{scan}.bin"));
        let (start, recs) = read(&path);
        let mut ours = Vec::new();
        write_all(&mut ours, start.unwrap(), &recs).unwrap();
        assert_eq!(ours, std::fs::read(&path).unwrap(), "{scan}.bin");
    }
}

#[test]
fn console_lines_match_the_originals() {
    use masscan_engine::output::text::console_line;
    let Some(dir) = fixtures() else { return };
    // The console files come from separate live runs of the same lab: the results are the same,
    // but dates, uptimes and SSH key exchanges differ. Compare the lines that cannot vary.
    let stable = |l: &str| {
        l.starts_with("Discovered ")
            || ["[title]", "[http.server]", "[ftp]", "[smtp]"]
                .iter()
                .any(|t| l.contains(t))
    };
    for scan in ["nobanners", "banners"] {
        let (_, recs) = read(&dir.join(format!("scan-{scan}.bin")));
        let mut ours = Vec::new();
        for r in &recs {
            console_line(&mut ours, r);
        }
        let ours = String::from_utf8(ours).unwrap();
        let mut ours: Vec<&str> = ours.lines().filter(|l| stable(l)).collect();
        let text = std::fs::read_to_string(dir.join(format!("console-{scan}.txt"))).unwrap();
        let mut want: Vec<&str> = text.lines().filter(|l| stable(l)).collect();
        ours.sort_unstable();
        want.sort_unstable();
        assert_eq!(ours.len(), want.len(), "console-{scan}.txt: line count");
        if let Some((a, b)) = ours.iter().zip(&want).find(|(a, b)| a != b) {
            panic!("console-{scan}.txt differs:\n ours: {a:?}\n orig: {b:?}");
        }
    }
}
