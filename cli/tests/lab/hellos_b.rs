//! The original's hellos, part B, in the lab: DNS over TCP (the lab's unbound), Redis (open and
//! with a password), SMBv1 on 139 and 445 (a Samba speaking NT1 only) and SMB2 through the same
//! first request, `--hello smbv1|http|ssl`, the `--http-*` options seen by an echoing HTTP
//! server, and the protocols Debian packages no server for (Docker, Minecraft, AFP, MS-SQL,
//! Notes RPC) against stand-ins built from their specifications
//! (test-support/hellos-b-standins.py: they are stand-ins, not the real servers).

use crate::common::*;
use masscan_test_support::*;

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn each_hello_gets_its_servers_banner() {
    let lab = Lab::up(MASSCAN);
    let out = banner_scan(
        &lab,
        "198.18.1.13,198.18.1.30-198.18.1.33",
        "53,139,445,548,1352,1433,2375,6379,8530,25565",
        &[],
    );
    has(
        &out,
        "port 53/tcp on 198.18.1.13: [dns-ver] masscan-rs lab unbound\n",
    );
    has(&out, "port 6379/tcp on 198.18.1.30: [redis] redis_version:");
    has(&out, " redis_mode:standalone os:Linux ");
    has(
        &out,
        "port 6379/tcp on 198.18.1.33: [redis] -NOAUTH Authentication required. (auth required)\n",
    );
    for port in [139, 445] {
        has(
            &out,
            &format!("port {port}/tcp on 198.18.1.31: [smb] SMBv1 NT LM 0.12, signing disabled"),
        );
    }
    has(&out, "native lanman Samba ");
    has(&out, "domain LABSMB1, computer LABSMB1");
    // The stand-ins.
    has(
        &out,
        "port 2375/tcp on 198.18.1.32: [docker] Version:24.0.5 ApiVersion:1.43 Os:linux \
         Arch:amd64 KernelVersion:6.1.0-standin\n",
    );
    has(
        &out,
        "port 25565/tcp on 198.18.1.32: [minecraft] version:1.20.4 protocol:765 players:3/20 \
         description:Stand-in Server\n",
    );
    has(
        &out,
        "port 548/tcp on 198.18.1.32: [afp] server:afp-standin machine:Netatlk \
         afp:AFP3.4,AFP3.3 uams:DHX2,No User Authent flags:0x8f79\n",
    );
    has(
        &out,
        "port 1433/tcp on 198.18.1.32: [ms-sql] version 16.0.4000 (SQL Server 2022), \
         encryption off\n",
    );
    has(
        &out,
        "port 1352/tcp on 198.18.1.32: [notes-rpc] Lotus Domino: CN=standin/O=masscan-rs lab\n",
    );
    has(
        &out,
        "port 8530/tcp on 198.18.1.32: [title] GET / HTTP/1.0 | Host: 198.18.1.32 |",
    );
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn smb_finds_smb2_and_smbv1_only_hosts_and_hello_smbv1_offers_nt1_alone() {
    let lab = Lab::up(MASSCAN);
    // The lab's SMB2 Samba answers the same first request with SMB2.
    let out = banner_scan(&lab, "198.18.1.9,198.18.1.31", "445", &[]);
    has(&out, "port 445/tcp on 198.18.1.9: [smb] SMB 3.");
    has(&out, "port 445/tcp on 198.18.1.31: [smb] SMBv1 NT LM 0.12");
    let out = banner_scan(&lab, "198.18.1.9,198.18.1.31", "445", &["--hello", "smbv1"]);
    has(
        &out,
        "port 445/tcp on 198.18.1.9: [smb] SMBv1: no dialect accepted\n",
    );
    has(&out, "port 445/tcp on 198.18.1.31: [smb] SMBv1 NT LM 0.12");
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn http_options_reach_the_wire_and_hello_kinds_force_their_hello() {
    let lab = Lab::up(MASSCAN);
    let out = banner_scan(
        &lab,
        "198.18.1.32",
        "80",
        &[
            "--http-method",
            "POST",
            "--http-url",
            "/x",
            "--http-version",
            "HTTP/1.1",
            "--http-host",
            "lab.test",
            "--http-header",
            "X-Lab: yes",
            "--http-cookie",
            "a=1",
            "--http-cookie",
            "b=2",
            "--http-payload",
            "q=1",
            "--http-user-agent",
            "probe/9",
        ],
    );
    has(
        &out,
        "[title] POST /x HTTP/1.1 | Host: lab.test | User-Agent: probe/9 | Accept: */* | \
         Content-Length: 3 | X-Lab: yes | Cookie: a=1 | Cookie: b=2 | body=q=1\n",
    );
    // --hello http: the HTTP hello on the Docker port (the stand-in wants /version: 400).
    let out = banner_scan(&lab, "198.18.1.32", "2375", &["--hello", "http"]);
    has(
        &out,
        "port 2375/tcp on 198.18.1.32: [http] HTTP/1.1 400 Bad Request",
    );
    // --hello ssl: a ClientHello to nginx's plain HTTP port, which does not speak TLS: nginx
    // answers the binary hello with 400 (a GET gets 200), and the reply, plainly not TLS, is
    // handed to detection and named for what it is.
    let out = banner_scan(&lab, "198.18.1.1", "80", &["--hello", "ssl"]);
    has(
        &out,
        "port 80/tcp on 198.18.1.1: [http] HTTP/1.1 400 Bad Request",
    );
    assert!(!out.contains("200 OK"), "{out}");
}
