//! The PF_RING backend in the lab, against a STAND-IN for libpfring.so
//! (test-support/pfring-standin.c, built here with cc): the same exported functions over an
//! AF_PACKET socket. It proves masscan-rs's binding (run-time loading, symbol lookup, the
//! rings and the loops), not PF_RING itself, which is not on these machines. An interface
//! named `zc:IF` selects PF_RING as in the original; the scan finds what AF_XDP finds, with
//! banners; a missing library or kernel module is one line. Ignored unless asked for (root):
//! `./scripts/test.sh` runs them.

use crate::common::*;
use masscan_test_support::*;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn pfring_through_the_standin_finds_what_af_xdp_finds_with_banners() {
    let lab = Lab::up(MASSCAN);
    let lib = build_pfring_standin(&lab.path("standin"), None);
    let zc = format!("zc:{}", lab.scan_if);
    // The helper also checks the driver's name and every banner.
    let (out, err) = scan_every_banner_server_with(
        &lab,
        "pfring",
        &["-e", &zc, "--adapter-ip", "198.18.0.50"],
        &[("LD_LIBRARY_PATH", &lib)],
    );
    assert!(
        err.contains("[pfring] stand-in library, not PF_RING"),
        "{err}"
    );
    assert!(err.contains(" [pfring]"), "{err}");
    check_banners(&out, &banner_ports());
    let want = open_port_lines(&scan_every_banner_server(
        &lab,
        "afxdp",
        &["--driver", "afxdp"],
    ));
    assert!(want.len() >= 11, "{want:?}");
    assert_eq!(open_port_lines(&out), want);
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn pfring_without_the_library_or_the_module_is_one_line() {
    let lab = Lab::up(MASSCAN);
    let not_standin = build_pfring_standin(&lab.path("real"), Some("NOT_A_STANDIN"));
    let empty = lab.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for (dir, says) in [
        (&empty, "cannot load libpfring.so"),
        (&not_standin, "pf_ring kernel module is not loaded"),
    ] {
        let o = lab
            .masscan()
            .env("LD_LIBRARY_PATH", dir)
            .args([
                "198.18.1.1",
                "-p80",
                "--wait",
                "0",
                "--pfring",
                "-e",
                &lab.scan_if,
            ])
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("masscan:")).collect();
        assert_eq!(ours.len(), 1, "{err}");
        assert!(ours[0].contains(says), "{err}");
    }
}
