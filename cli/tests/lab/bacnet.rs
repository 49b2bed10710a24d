//! BACnet/IP and DNP3 (ZGrab2's `bacnet` and `dnp3`) against the stand-ins of
//! scripts/lab-servers/bacnet.sh (test-support/bacnet-dnp3-standins.py: built from the
//! specifications, not real devices; no Debian package serves either protocol): the UDP
//! probe's ReadPropertyMultiple answered with every property (one missing) by a device, and
//! rejected by a device that executes ReadProperty only; the DNP3 outstation's LINK_STATUS
//! to the Request Link Status of its address. And an HTTP redirect's Location from the lab's
//! nginx (its own 301 for a directory asked without its slash).

use crate::common::*;
use masscan_test_support::*;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn bacnet_devices_and_a_dnp3_outstation() {
    let lab = Lab::with_bacnet_servers(MASSCAN);
    let out = banner_scan(&lab, "198.18.1.65-198.18.1.67", "20000,U:47808", &[]);
    has(
        &out,
        "port 47808/udp on 198.18.1.65: [bacnet] instance_number 389001, vendor_id 260, \
         vendor_name masscan-rs lab stand-in, firmware_revision 1.2.3, \
         application_software_revision standin-app 4.5, object_name AHU-3 controller, \
         model_name LAB-BAC-100, description error property/unknown-property, location lab \
         rack 2\n",
    );
    has(
        &out,
        "port 47808/udp on 198.18.1.67: [bacnet] Reject unrecognized-service (9)\n",
    );
    has(
        &out,
        "port 20000/tcp on 198.18.1.66: [dnp3] function LINK_STATUS (11), source 10, \
         destination 0, from outstation, DFC 0\n",
    );
    assert_eq!(out.lines().count(), 3, "{out}");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn an_http_redirect_gives_its_location() {
    let lab = Lab::with_bacnet_servers(MASSCAN);
    let scan = |extra: &[&str]| banner_scan(&lab, "198.18.1.1", "80", extra);
    let out = scan(&["--http-url", "/moved"]);
    has(
        &out,
        "port 80/tcp on 198.18.1.1: [http] HTTP/1.1 301 Moved Permanently",
    );
    let location = out
        .lines()
        .find(|l| l.contains("[http.location]"))
        .unwrap_or_else(|| panic!("no Location in\n{out}"));
    assert!(
        location.ends_with("[http.location] http://198.18.1.1/moved/"),
        "{location}"
    );
    // The index page is no redirect: no Location reported.
    let out = scan(&[]);
    has(&out, "port 80/tcp on 198.18.1.1: [http] HTTP/1.1 200 OK");
    assert!(!out.contains("http.location"), "{out}");
}
