//! The industrial banners against the lab's stand-ins (scripts/lab-servers/industrial.sh,
//! test-support/industrial-standins.py: built from the specifications, not real devices, as
//! Debian packages none): EtherNet/IP's ListIdentity, Niagara Fox's hello, and S7comm's whole
//! conversation, whose first TSAP the stand-in refuses so the second connection (TSAP 0x0200)
//! is what reads the SZLs.

use crate::common::*;
use masscan_test_support::*;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn enip_fox_and_s7_fields() {
    let lab = Lab::with_industrial_servers(MASSCAN);
    let out = banner_scan(&lab, "198.18.1.60-198.18.1.62", "102,1911,44818", &[]);
    has(
        &out,
        "port 44818/tcp on 198.18.1.60: [enip] vendor 1 (Rockwell Automation/Allen-Bradley), \
         device type 14 (programmable logic controller), product code 54, revision 20.11, \
         status 0x0060, serial 0x00c0ffee, product name masscan-rs ENIP stand-in, state 0x03, \
         address 198.18.1.60:44818\n",
    );
    has(
        &out,
        "port 1911/tcp on 198.18.1.61: [fox] fox version 1.0.1, id 4242, hostName standin-jace, \
         hostAddress 198.18.1.61, app Station, app version 4.10.0.154, vm Stand-in VM, vm \
         version 1.8.0_stand-in, os Linux, os version 6.1, station Standin_Station, lang en, \
         timeZone UTC, hostId Linux-STAND-IN0-0000-0001, vmUuid \
         00000000-0000-4000-8000-000000000001, brandId standin\n",
    );
    // The first connection's TSAP refused, the second's conversation in full.
    has(
        &out,
        "port 102/tcp on 198.18.1.62: [s7] COTP TSAP 0x0102 refused (DR reason 0x80)\n",
    );
    has(
        &out,
        "port 102/tcp on 198.18.1.62: [s7] COTP connected to TSAP 0x0200, S7comm PDU 240, \
         order number 6ES7 214-1AG40-0XB0, hardware 1.0.0, firmware 4.4.0, system Stand-in S7, \
         module CPU stand-in, plant id Lab plant, copyright Stand-in, not Siemens, serial \
         number S STAND-IN-0001, module type CPU 1214C stand-in\n",
    );
    // Nothing else: the six closed pairs of the three hosts gave no banner.
    assert_eq!(out.lines().count(), 4, "{out}");
}
