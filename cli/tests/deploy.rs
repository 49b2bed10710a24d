//! The Kubernetes Indexed Job of `scripts/deploy/`: valid against Kubernetes' own schemas
//! (kubernetes-validate --strict, from PyPI in the lab's venv), its pods' shard arguments agree
//! with its completion count, and the shards its config makes with this masscan, listed with
//! -sL, are the whole scan, each target once. Ignored unless asked for (it needs the venv that
//! scripts/setup.sh makes as root): `./scripts/test.sh` runs it.

use std::collections::BTreeSet;
use std::process::Command;

const MASSCAN: &str = env!("CARGO_BIN_EXE_masscan");
const VENV: &str = "/var/lib/masscan-lab/pyclients/bin";

/// Prints the Job's completions, parallelism, its container's shell args and the ConfigMap's
/// scan.conf, separated by NUL bytes.
const EXTRACT: &str = r#"
import sys, yaml
docs = list(yaml.safe_load_all(open(sys.argv[1])))
job = next(d for d in docs if d["kind"] == "Job")
conf = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["scan.conf"]
c = job["spec"]["template"]["spec"]["containers"][0]
sys.stdout.write("\0".join([str(job["spec"]["completions"]), str(job["spec"]["parallelism"]), c["args"][0], conf]))
"#;

#[test]
#[ignore = "needs scripts/setup.sh's venv (root); ./scripts/test.sh runs it"]
fn the_indexed_job_is_valid_and_its_shards_are_the_whole_scan() {
    let manifest = masscan_test_support::repo().join("scripts/deploy/masscan-indexed-job.yaml");
    let v = Command::new(format!("{VENV}/kubernetes-validate"))
        .arg("--strict")
        .arg(&manifest)
        .output()
        .expect("kubernetes-validate (scripts/setup.sh installs it)");
    assert!(
        v.status.success(),
        "{}{}",
        String::from_utf8_lossy(&v.stdout),
        String::from_utf8_lossy(&v.stderr)
    );
    let x = Command::new(format!("{VENV}/python"))
        .args(["-c", EXTRACT])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(x.status.success(), "{}", String::from_utf8_lossy(&x.stderr));
    let text = String::from_utf8(x.stdout).unwrap();
    let parts: Vec<&str> = text.split('\0').collect();
    let (completions, parallelism, args, conf) = (parts[0], parts[1], parts[2], parts[3]);
    assert_eq!(completions, parallelism);
    let n: u64 = completions.parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scan.conf"), conf).unwrap();
    let list = |extra: &[&str]| -> Vec<String> {
        let o = Command::new(MASSCAN)
            .arg("-c")
            .arg(dir.path().join("scan.conf"))
            .args(extra)
            .args(["-sL", "--resume-count", "20000"])
            .env("MASSCAN_DEFAULT_CONF", "")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let mut union = BTreeSet::new();
    let mut total = 0;
    for k in 0..n {
        // What pod k runs, as its shell expands it.
        let shown = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "masscan() {{ printf '%s\\n' \"$@\"; }}; JOB_COMPLETION_INDEX={k}; {}",
                args.replace("exec masscan", "masscan")
            ))
            .output()
            .unwrap();
        let words: Vec<String> = String::from_utf8_lossy(&shown.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        let at = words
            .iter()
            .position(|w| w == "--shards")
            .expect("--shards");
        assert_eq!(words[at + 1], format!("{}/{n}", k + 1));
        assert!(
            words.contains(&format!("/results/shard-{k}.bin")),
            "{words:?}"
        );
        assert!(
            words.contains(&format!("/results/shard-{k}.json")),
            "{words:?}"
        );
        let shard = list(&["--shards", &words[at + 1]]);
        total += shard.len();
        union.extend(shard);
    }
    // The first 20,000 indices of each shard together: every target of the scan's first
    // 20,000 x N indices once, as one machine lists them.
    assert_eq!(total, union.len(), "a target in two shards");
    let whole: BTreeSet<String> = list(&["--resume-count", &(20_000 * n).to_string()])
        .into_iter()
        .collect();
    assert_eq!(union, whole);
}
