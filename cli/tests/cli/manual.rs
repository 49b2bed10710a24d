//! The manual page, the completions and `scripts/install.sh`: the page renders without a
//! warning and names every option `--help` lists; bash completes option names; the install
//! script puts the binary, page and completions under a prefix and removes them again; the
//! example configs the README uses parse.

use super::{masscan, stderr, stdout};
use std::collections::BTreeSet;
use std::process::Command;

/// Every `--long` option `--help` lists (its own spelling: not the aliases).
fn help_options() -> BTreeSet<String> {
    let help = stdout(&masscan(&["--help"]));
    help.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let first = l.split([' ', '=']).find(|w| w.starts_with("--"))?;
            l.starts_with('-')
                .then(|| first.trim_end_matches([',', '.']).to_string())
        })
        .filter(|w| w.len() > 2)
        .collect()
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_manual_page_renders_cleanly_and_names_every_option() {
    let o = masscan(&["--man-page"]);
    assert!(o.status.success());
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("masscan.8");
    std::fs::write(&page, &o.stdout).unwrap();
    if !have("man") {
        eprintln!("SKIPPED the rendering: man is not installed (scripts/setup.sh installs man-db)");
        return;
    }
    let r = Command::new("man")
        .args(["--warnings", "-l"])
        .arg(&page)
        .env("MANWIDTH", "120")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .unwrap();
    assert!(r.status.success());
    let warnings = String::from_utf8_lossy(&r.stderr);
    assert!(warnings.trim().is_empty(), "{warnings}");
    // Rendered text: hyphenation and justification aside, every option is there.
    let text = String::from_utf8_lossy(&r.stdout)
        .replace("\u{2010}\n", "")
        .replace("-\n", "");
    let words: BTreeSet<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']' || c == '|')
        .collect();
    let options = help_options();
    assert!(options.len() > 60, "{options:?}");
    for opt in options {
        assert!(
            words.iter().any(|w| w.starts_with(opt.as_str())),
            "{opt} is not in the page"
        );
    }
    for section in [
        "CONFIGURATION FILES",
        "PAUSE AND RESUME",
        "DRIVERS AND STEERING",
        "EXIT STATUS",
        "EXAMPLES",
    ] {
        assert!(text.contains(section), "no {section} section");
    }
}

#[test]
fn bash_completes_option_names() {
    let o = masscan(&["--completions", "bash"]);
    assert!(o.status.success());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("masscan.bash");
    std::fs::write(&script, &o.stdout).unwrap();
    let r = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(masscan --rat); COMP_CWORD=1; COMP_LINE='masscan --rat'; \
             COMP_POINT=${{#COMP_LINE}}; _masscan masscan --rat masscan; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .unwrap();
    let got = String::from_utf8_lossy(&r.stdout);
    assert!(
        got.lines().any(|l| l.trim() == "--rate"),
        "{got}{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let bad = masscan(&["--completions", "cmd.exe"]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn install_script_puts_everything_under_the_prefix_and_removes_it() {
    let prefix = tempfile::tempdir().unwrap();
    let install = masscan_test_support::repo().join("scripts/install.sh");
    let run = |args: &[&str]| {
        Command::new(&install)
            .args(args)
            .env("PREFIX", prefix.path())
            .env("MASSCAN_BIN", env!("CARGO_BIN_EXE_masscan"))
            .output()
            .unwrap()
    };
    let o = run(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = [
        "bin/masscan",
        "share/man/man8/masscan.8.gz",
        "share/bash-completion/completions/masscan",
        "share/zsh/site-functions/_masscan",
        "share/fish/vendor_completions.d/masscan.fish",
    ];
    for f in files {
        assert!(prefix.path().join(f).is_file(), "{f} missing");
    }
    let v = Command::new(prefix.path().join("bin/masscan"))
        .arg("-V")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&v.stdout).contains("Masscan version 1.3.2"));
    if have("man") {
        // man finds the page by name in the prefix's man directory.
        let m = Command::new("man")
            .args([
                "-M",
                &prefix.path().join("share/man").to_string_lossy(),
                "-w",
                "masscan",
            ])
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&m.stdout).contains("man8/masscan.8.gz"));
    }
    assert!(run(&["--uninstall"]).status.success());
    for f in files {
        assert!(!prefix.path().join(f).exists(), "{f} left");
    }
}

/// The README's config example: every file in examples/ is a valid config whose --echo keeps
/// its targets and ports.
#[test]
fn the_example_configs_parse() {
    let dir = masscan_test_support::repo().join("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "conf") {
            continue;
        }
        let o = masscan(&["-c", path.to_str().unwrap(), "--echo"]);
        assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
        assert!(stdout(&o).contains("range = "), "{}", stdout(&o));
        seen += 1;
    }
    assert!(seen > 0, "no example config in {}", dir.display());
}
