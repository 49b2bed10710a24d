//! The depth banners (ZGrab2's databases and brokers) against Debian's servers in the lab
//! (scripts/lab-servers/depth.sh): mosquitto open to anonymous clients and requiring a
//! password, PostgreSQL 15 without TLS (its refusal of protocol 255.255) and with TLS (the
//! certificate after `S`); AMQP 0-9-1 and Modbus/TCP against stand-ins built from their
//! specifications (test-support/depth-standins.py: stand-ins, not RabbitMQ or a real device);
//! MariaDB 10.11 offering TLS: its greeting, then its certificate.

use crate::common::*;
use masscan_test_support::*;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn brokers_and_databases_say_what_they_allow() {
    let lab = Lab::with_depth_servers(MASSCAN);
    let out = banner_scan(&lab, "198.18.1.40-198.18.1.43", "1883,5432", &[]);
    has(
        &out,
        "port 1883/tcp on 198.18.1.40: [mqtt] CONNACK accepted (0): open, no authentication; \
         session present no\n",
    );
    has(
        &out,
        "port 1883/tcp on 198.18.1.42: [mqtt] CONNACK not authorized (5): authentication \
         required; session present no\n",
    );
    has(
        &out,
        "port 5432/tcp on 198.18.1.41: [postgres] TLS not offered (N), protocol 3.0 to 3.0, \
         error FATAL 0A000: unsupported frontend protocol 255.255: server supports 3.0 to 3.0 \
         (postmaster.c:",
    );
    has(&out, " ProcessStartupPacket)\n");
    has(
        &out,
        "port 5432/tcp on 198.18.1.43: [postgres] TLS offered (S)\n",
    );
    has(&out, "port 5432/tcp on 198.18.1.43: [ssl] TLS/1.2 cipher:");
    let ssl = out
        .lines()
        .find(|l| l.contains("198.18.1.43: [ssl]"))
        .unwrap_or_default();
    assert!(ssl.ends_with("lab.masscan-rs.test"), "{ssl}");
    // Nothing else answered: the two quiet ports of each host are not there.
    assert_eq!(out.lines().count(), 6, "{out}");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn amqp_and_modbus_stand_ins() {
    let lab = Lab::with_depth_servers(MASSCAN);
    let out = banner_scan(&lab, "198.18.1.44", "502,5672", &[]);
    has(
        &out,
        "port 5672/tcp on 198.18.1.44: [amqp] AMQP 0-9, product AMQP stand-in, version \
         0.9.1-standin, platform Python stand-in, cluster_name standin@lab, mechanisms PLAIN \
         AMQPLAIN, locales en_US\n",
    );
    has(
        &out,
        "port 502/tcp on 198.18.1.44: [modbus] unit 0, vendor Stand-in Automation, product \
         code SIM-502, revision v1.1b3, conformity 0x81 (basic)\n",
    );
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn mariadb_greeting_then_its_certificate() {
    let lab = Lab::with_depth_servers(MASSCAN);
    let out = banner_scan(&lab, "198.18.1.45", "3306", &[]);
    has(
        &out,
        "port 3306/tcp on 198.18.1.45: [mysql] protocol 10, version 5.5.5-10.11.",
    );
    has(&out, "-MariaDB-0+deb12u1, connection id ");
    has(&out, ", TLS offered, ");
    has(&out, "port 3306/tcp on 198.18.1.45: [ssl] TLS/1.2 cipher:");
    let ssl = out
        .lines()
        .find(|l| l.contains("198.18.1.45: [ssl]"))
        .unwrap_or_default();
    assert!(ssl.ends_with("lab.masscan-rs.test"), "{ssl}");
}
