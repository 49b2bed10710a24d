//! The Slurm job array of `scripts/deploy/` on a single-node Slurm from Debian's packages
//! (munge, slurmctld, slurmd, started by the test inside the lab's scanner namespace): three
//! array tasks each scan one shard of the lab, the merge job checks their --metadata and merges
//! their -oB files, and the merged result equals one single-machine scan of the same config;
//! the shards' probes add up to that scan's. A missing shard makes the merge fail and name it.
//! Ignored unless asked for (it needs root): `./scripts/test.sh` runs it.

use crate::common::*;
use masscan_test_support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The Slurm daemons of one test; stopped when dropped (lab.sh down would end them too).
struct Slurm {
    dir: PathBuf,
    conf: String,
}

impl Slurm {
    fn up(lab: &Lab) -> Slurm {
        let dir = lab.path("slurm");
        let o = Command::new(repo().join("test-support/slurm-single-node.sh"))
            .arg("up")
            .arg(&dir)
            .arg(&lab.scan_ns)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let conf = String::from_utf8_lossy(&o.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("SLURM_CONF=").map(str::to_string))
            .expect("SLURM_CONF");
        Slurm { dir, conf }
    }

    /// A deploy script run as a submit host in the lab would run it.
    fn deploy(&self, lab: &Lab, script: &str, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", &lab.scan_ns])
            .arg(repo().join("scripts/deploy").join(script))
            .args(args)
            .env("SLURM_CONF", &self.conf)
            .env("MASSCAN", MASSCAN)
            .env("MASSCAN_ARGS", "--wait 2")
            .env("MASSCAN_DEFAULT_CONF", "")
            .output()
            .unwrap()
    }
}

impl Drop for Slurm {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("test-support/slurm-single-node.sh"))
            .arg("down")
            .arg(&self.dir)
            .status();
    }
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn a_slurm_job_array_scans_the_shards_and_merges_them_into_the_whole_scan() {
    let lab = Lab::up(MASSCAN);
    let slurm = Slurm::up(&lab);
    let conf = lab.path("scan.conf");
    std::fs::write(
        &conf,
        "range = 198.18.1.0/24\nrange = 198.19.0.0/20\nports = 21,22,80,443,8080,11211\n\
         rate = 20000\nseed = 11\n",
    )
    .unwrap();
    let results = lab.path("results");
    let (conf_s, results_s) = (conf.to_str().unwrap(), results.to_str().unwrap());
    let o = slurm.deploy(&lab, "slurm-scan.sh", &["--wait", conf_s, results_s, "3"]);
    let said = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{said}{}", stderr(&o));
    assert!(said.contains("3 shards of scan sha256:"), "{said}");

    // One machine, the same config.
    let one = lab
        .masscan()
        .args([
            "-c",
            conf_s,
            "--wait",
            "2",
            "-oL",
            "one.txt",
            "--metadata",
            "one.json",
        ])
        .output()
        .unwrap();
    ok(&one);
    let whole = list_file(&lab.path("one.txt"));
    assert!(whole.is_superset(&services_open()), "{whole:?}");
    assert_eq!(list_file(&results.join("merged.txt")), whole);
    let one = json(&lab.path("one.json"));
    let mut sent = 0;
    for i in 1..=3 {
        let shard = json(&results.join(format!("shard-{i}.json")));
        assert_eq!(shard["scan"]["fingerprint"], one["scan"]["fingerprint"]);
        assert_eq!(shard["shard"]["index"], i);
        assert_eq!(shard["exit"], "completed");
        assert_eq!(shard["probes"]["indices_left"], 0);
        assert_eq!(shard["probes"]["sent"], shard["run"]["indices"]);
        sent += shard["probes"]["sent"].as_u64().unwrap();
    }
    assert_eq!(sent, one["probes"]["sent"].as_u64().unwrap());
    assert!(python_parses_xml(&results.join("merged.xml")));

    // A shard that left no metadata (its node died): the merge refuses and names it.
    std::fs::remove_file(results.join("shard-2.json")).unwrap();
    let o = slurm.deploy(&lab, "slurm-merge.sh", &[results_s, "3"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--tasks 2 "), "{}", stderr(&o));
    // Running that task again completes the scan.
    let o = slurm.deploy(
        &lab,
        "slurm-scan.sh",
        &["--wait", "--tasks", "2", conf_s, results_s, "3"],
    );
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    assert_eq!(list_file(&results.join("merged.txt")), whole);
}
