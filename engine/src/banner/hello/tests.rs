//! Each hello reaches its port through the session (the hello table), and each reply through
//! it gives the banner its unit tests expect.

use std::net::{IpAddr, Ipv4Addr};

use crate::banner::{app, BannerConfig, Found, Session};

pub(crate) const IP: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 18, 1, 1));

fn session(port: u16, reply: &[u8]) -> (Vec<u8>, Vec<Found>) {
    let cfg = BannerConfig::default();
    let mut sent = Vec::new();
    let mut s = Session::start(IP, port, &cfg, &mut sent);
    s.data(IP, reply, &cfg, &mut sent);
    let mut found = Vec::new();
    s.finish(&cfg, &mut found);
    (sent, found)
}

#[test]
fn every_port_of_the_original_gets_its_hello() {
    let cases: &[(&[u16], &[u8])] = &[
        (&[6000, 6010, 6019], b"l\0\x0b\0"),
        (&[1098, 1099], b"JRMI"),
        (&[88], b"\0\0\0"),
        (&[27017, 9001, 49153], b"\x41\0\0\0"),
        (&[104, 2345, 2761, 2762, 4242, 11112], b"\x01\0\0\0\0\xcd"),
        (&[389, 390, 256, 257, 1702, 3268, 3892, 11711], b"\x30"),
        (&[5060, 406, 8081, 31337], b"OPTIONS sip:"),
        (&[554, 8554], b"OPTIONS * RTSP/1.0"),
        (&[111, 2049], b"\x80\0\0\x28"),
    ];
    for (ports, prefix) in cases {
        for &port in *ports {
            let (sent, _) = session(port, b"");
            assert!(sent.starts_with(prefix), "port {port}: {sent:?}");
        }
    }
    assert!(session(6020, b"").0.is_empty());
}

#[test]
fn each_reply_through_the_session() {
    let cases = [
        (6000, super::x11::tests::accepted(), app::X11),
        (1099, super::javarmi::tests::ack(), app::JAVA_RMI),
        (88, super::kerberos::tests::error(6), app::KERBEROS),
        (
            27017,
            super::mongodb::tests::op_reply(&super::mongodb::tests::status()),
            app::MONGODB,
        ),
        (104, super::dicom::tests::ac(), app::DICOM),
        (389, super::ldap::tests::root_dse(), app::LDAP),
        (5060, super::sip::tests::KAMAILIO.to_vec(), app::SIP),
        (554, super::rtsp::tests::REPLY.to_vec(), app::RTSP),
        (111, super::rpc::tests::reply(0x72fe_1d13, 1, &[]), app::RPC),
    ];
    for (port, reply, want) in cases {
        let (_, found) = session(port, &reply);
        assert_eq!(found.len(), 1, "port {port}: {found:?}");
        assert_eq!(found[0].app, want, "port {port}");
    }
}

/// Another kind of server on a hello's port (here one that trickles `t`s) is kept as it comes
/// until the connection ends and reported unlabelled, as on a port without a hello.
#[test]
fn another_kind_of_server_is_reported_unlabelled() {
    let cfg = BannerConfig::default();
    for port in [6000, 1099, 88, 27017, 104, 389, 5060, 554, 111] {
        let mut sent = Vec::new();
        let mut s = Session::start(IP, port, &cfg, &mut sent);
        for _ in 0..12 {
            s.data(IP, b"t", &cfg, &mut sent);
            assert!(!s.is_done(), "port {port}");
        }
        let mut found = Vec::new();
        s.finish(&cfg, &mut found);
        assert_eq!(
            found,
            [Found::new(app::HEUR, "tttttttttttt")],
            "port {port}"
        );
    }
}

#[test]
fn an_ssh_server_on_a_hello_port_is_still_recognised() {
    let (_, found) = session(389, b"SSH-2.0-OpenSSH_9.2\r\n");
    assert_eq!(found[0].app, app::SSH2);
}
