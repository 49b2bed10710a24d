//! The original's protocol hellos, part A, against real servers in the lab
//! (scripts/lab-servers/hellos-a.sh): Xvfb accepting and refusing, slapd's root DSE, rpcbind's
//! portmapper (its versions and DUMP), MIT's KDC, kamailio, an RTSP server, pynetdicom accepting
//! and rejecting. MongoDB, Java RMI and RPC on 2049 have no server here: unit tests only
//! (engine/src/banner/hello/).
//! The test brings up its own lab (unique name, taken down even on failure); it is ignored
//! unless asked for, because it needs root: `./scripts/test.sh` runs it.

use crate::common::*;
use masscan_test_support::*;

/// `(port, address, start of the banner line after the address)`.
const EXPECT: &[(u16, &str, &str)] = &[
    (
        6000,
        "198.18.1.20",
        "[x11] X11 accepted, protocol 11.0, vendor The X.Org Foundation, release ",
    ),
    (
        6001,
        "198.18.1.20",
        "[x11] X11 refused, protocol 11.0: Authorization required, but no authorization protocol specified",
    ),
    (
        389,
        "198.18.1.21",
        "[ldap] LDAP rootDSE; namingContexts=dc=lab,dc=test; supportedLDAPVersion=3; supportedSASLMechanisms=",
    ),
    (
        111,
        "198.18.1.22",
        "[rpc] RPC portmapper, PROG_MISMATCH: versions 2-4; programs: 100000(portmapper) v4,3,2 tcp/111",
    ),
    (
        88,
        "198.18.1.23",
        "[kerberos] Kerberos KRB-ERROR 6 (C_PRINCIPAL_UNKNOWN), server time 20",
    ),
    (
        5060,
        "198.18.1.24",
        "[sip] SIP/2.0 200 OK; Server: kamailio (",
    ),
    (
        554,
        "198.18.1.25",
        "[rtsp] RTSP/1.0 200 OK; Public: OPTIONS, DESCRIBE",
    ),
    (
        104,
        "198.18.1.26",
        "[dicom] DICOM A-ASSOCIATE-AC, AE ANY-SCP, verification accepted, implementation 1.2.826.0.1.3680043.9.3811.",
    ),
    (
        11112,
        "198.18.1.26",
        "[dicom] DICOM A-ASSOCIATE-RJ: permanent, service user: called AE title not recognized",
    ),
];

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn each_hello_gets_its_servers_banner() {
    let lab = Lab::up(MASSCAN);
    let o = lab.run(&[
        "198.18.1.20-198.18.1.26",
        "-p6000,6001,389,111,88,5060,554,104,11112",
        "--banners",
        "--rate",
        "2000",
        "--wait",
        "4",
        "--nostatus",
    ]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    for (port, ip, start) in EXPECT {
        let prefix = format!("Banner on port {port}/tcp on {ip}: {start}");
        let line = out
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in:\n{out}"));
        // The realm asked for (NM) is echoed by MIT's KDC and so not reported.
        if *port == 88 {
            assert!(
                line.contains("text: NULL_CLIENT") && !line.contains("realm"),
                "{line}"
            );
        }
        if *port == 5060 {
            assert!(
                line.contains("; Allow: INVITE, ACK, CANCEL, OPTIONS, BYE"),
                "{line}"
            );
        }
        if *port == 6000 {
            assert!(line.ends_with("1 screen(s), first 1024x768"), "{line}");
        }
    }
    let banners = out.lines().filter(|l| l.starts_with("Banner on")).count();
    // rpcbind listens on every address of the target namespace: port 111 answers on all seven.
    assert_eq!(banners, EXPECT.len() + 6, "{out}");
}
