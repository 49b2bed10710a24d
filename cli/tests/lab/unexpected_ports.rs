//! Services on ports none of them owns (issue 25): in the lab's target namespace, nftables
//! forwards ports 2201-2212 of 198.18.1.70 to the lab's own servers (SSH, HTTP, TLS, FTP, SMTP,
//! redis, MySQL, MQTT, memcached, the AMQP stand-in, PostgreSQL without and with TLS), so a
//! scan of 198.18.1.70 meets each on a number that says nothing of it. One banner scan with
//! `--identify` writes every format; each must name the services by their content (`ssh`,
//! `http`, `ssl`, `ftp`, `smtp`, `mysql`, `redis`, `mqtt`, `memcached`, `amqp`, `postgres`;
//! TLS after STARTTLS, MySQL's or PostgreSQL's SSLRequest adds `ssl` and `X509`), never by the
//! number, and the binary file must read back to the same names. Redis, memcached, MQTT and
//! PostgreSQL answer neither the HTTP nor the TLS hello: they are named by the series' tries
//! (see FORWARDS); the AMQP broker answers the HTTP hello with its protocol header, and the
//! AMQP try follows. The same scan without `--identify` sends no second connection and names
//! none of the TLS server, redis, memcached, MQTT and PostgreSQL.

use crate::common::*;
use masscan_test_support::*;
use std::collections::BTreeSet;
use std::process::Command;

/// (port on 198.18.1.70, where it goes, the service name expected).
const FORWARDS: [(u16, &str, &str); 12] = [
    (2201, "198.18.1.2:22", "ssh"),
    (2202, "198.18.1.1:80", "http"),
    // openssl s_server (TLS 1.0): nginx's 443 would answer the HTTP hello with HTTP.
    (2203, "198.18.1.16:443", "ssl"),
    (2204, "198.18.1.3:21", "ftp"),
    (2205, "198.18.1.6:25", "smtp"),
    // Redis takes the HTTP hello's `Host:` line for an attack and closes without a word, and
    // says nothing to the TLS hello: named by the third connection's `INFO`.
    (2206, "198.18.1.30:6379", "redis"),
    (2207, "198.18.1.45:3306", "mysql"),
    // mosquitto resets every hello but a CONNECT (the TLS, redis and memcached tries): named
    // by the fifth connection's CONNACK.
    (2208, "198.18.1.40:1883", "mqtt"),
    // memcached closes at the HTTP hello and answers the TLS and redis tries with `ERROR`
    // lines: named by the fourth connection's `stats`.
    (2209, "198.18.1.4:11211", "memcached"),
    // The AMQP stand-in answers the HTTP hello with its protocol header (named there), then the
    // AMQP try's Connection.Start.
    (2210, "198.18.1.44:5672", "amqp"),
    // PostgreSQL closes at once on every other hello: named by the sixth connection's
    // SSLRequest (`N`, then the StartupMessage's error; `S`, then the TLS handshake).
    (2211, "198.18.1.41:5432", "postgres"),
    (2212, "198.18.1.43:5432", "postgres"),
];

/// 198.18.1.70 in the target namespace, its ports forwarded by nftables' DNAT.
fn forward(lab: &Lab) {
    let ns = |args: &[&str]| {
        let o = Command::new("ip")
            .args(["netns", "exec", &lab.target_ns])
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    ns(&["ip", "addr", "add", "198.18.1.70/32", "dev", "lo"]);
    let mut rules = String::from(
        "table ip unexpected {\n chain pre {\n  type nat hook prerouting priority -100;\n",
    );
    for (port, to, _) in FORWARDS {
        rules += &format!("  ip daddr 198.18.1.70 tcp dport {port} dnat to {to}\n");
    }
    rules += " }\n}\n";
    let file = lab.path("unexpected.nft");
    std::fs::write(&file, rules).unwrap();
    ns(&["nft", "-f", file.to_str().unwrap()]);
}

/// (port, service name) pairs of a file in `format`, read with Python's parsers or by line.
fn named(lab: &Lab, format: &str, file: &str) -> BTreeSet<(u16, String)> {
    let code = match format {
        "xml" => {
            "import sys, xml.etree.ElementTree as E\n\
             for p in E.parse(sys.argv[1]).getroot().findall('host/ports/port'):\n\
             \x20   s = p.find('service')\n\
             \x20   if s is not None: print(p.get('portid'), s.get('name'))"
        }
        "json" => {
            "import json, sys\n\
             for r in json.load(open(sys.argv[1])):\n\
             \x20   for p in r['ports']:\n\
             \x20       if 'service' in p: print(p['port'], p['service']['name'])"
        }
        "ndjson" => {
            "import json, sys\n\
             for l in open(sys.argv[1]):\n\
             \x20   r = json.loads(l) if l.strip() else None\n\
             \x20   if r and r['rec_type'] == 'banner': print(r['port'], r['data']['service_name'])"
        }
        "grep" => {
            "import sys\n\
             for l in open(sys.argv[1]):\n\
             \x20   f = l.rstrip('\\n').split('\\t')\n\
             \x20   if len(f) > 2 and f[2].startswith('Service: '):\n\
             \x20       print(f[1][len('Port: '):], f[2][len('Service: '):])"
        }
        "list" => {
            "import sys\n\
             for l in open(sys.argv[1]):\n\
             \x20   f = l.split(' ', 6)\n\
             \x20   if f[0] == 'banner': print(f[2], f[5])"
        }
        other => panic!("no reader for {other}"),
    };
    let o = Command::new("python3")
        .args(["-c", code])
        .arg(lab.path(file))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let (port, name) = l.split_once(' ').unwrap();
            (port.parse().unwrap(), name.to_string())
        })
        .collect()
}

/// The `N second connections` of the summary's banner line (0 without one).
fn second_connections(err: &str) -> u64 {
    err.lines()
        .filter(|l| l.starts_with("rx-core ") && l.contains(" banners: "))
        .flat_map(|l| l.split(", "))
        .filter_map(|item| item.trim().strip_suffix(" second connections"))
        .map(|n| n.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum()
}

fn scan(lab: &Lab, extra: &[&str]) -> String {
    let mut args = vec![
        "198.18.1.70",
        "-p2201-2212",
        "--banners",
        "--rate",
        "200",
        // The longest series (memcached): HTTP after 2 s, then a hello wait after each of the
        // TLS and redis tries' `ERROR` lines, then `stats`.
        "--wait",
        "12",
        "--nostatus",
    ];
    args.extend_from_slice(extra);
    let o = lab.run(&args);
    ok(&o);
    stderr(&o)
}

#[test]
#[ignore = "lab: needs root; ./scripts/test.sh runs it"]
fn services_on_ports_none_of_them_owns_are_named_in_every_format() {
    let lab = Lab::with_depth_servers(MASSCAN);
    forward(&lab);
    let err = scan(
        &lab,
        &[
            "--identify",
            "-oX",
            "u.xml",
            "-oJ",
            "u.json",
            "-oD",
            "u.ndjson",
            "-oG",
            "u.grep",
            "-oL",
            "u.list",
            "-oB",
            "u.bin",
        ],
    );
    let back = lab.run(&["--readscan", "u.bin", "-oL", "back.list"]);
    ok(&back);
    let list = named(&lab, "list", "u.list");
    for (port, _, name) in FORWARDS {
        assert!(
            list.contains(&(port, name.to_string())),
            "{port} not named {name}: {list:?}\n{err}"
        );
    }
    // Each port is named by what it is, not by its number.
    for (port, name) in &list {
        let (_, _, want) = FORWARDS.iter().find(|f| f.0 == *port).unwrap();
        let tls = ["ssl", "X509", "X509CA"];
        let also: &[&str] = match *want {
            "http" => &["http.server", "title", "html"],
            "ssl" | "smtp" | "mysql" | "postgres" => &tls,
            // memcached's `ERROR` lines to the TLS and redis tries, reported as any reply no
            // parser names is.
            "memcached" => &["unknown"],
            _ => &[],
        };
        let same = name == want || also.contains(&name.as_str());
        assert!(same, "{port} named {name}, is {want:?}: {list:?}");
    }
    for (format, file) in [
        ("xml", "u.xml"),
        ("json", "u.json"),
        ("ndjson", "u.ndjson"),
        ("grep", "u.grep"),
        ("list", "back.list"),
    ] {
        assert_eq!(named(&lab, format, file), list, "{format} says otherwise");
    }
    // TLS: 1 try; redis: TLS and redis tries; memcached: 3 (TLS, redis, memcached); MQTT: 4
    // (TLS, redis, memcached, MQTT); AMQP: its own try; each PostgreSQL: all 5. Nothing else
    // asks for one.
    assert_eq!(second_connections(&err), 1 + 2 + 3 + 4 + 1 + 5 + 5, "{err}");
    // PostgreSQL's `N` and `S` are both seen: one offers TLS, the other does not.
    let text = std::fs::read_to_string(lab.path("u.list")).unwrap();
    assert!(text.contains("TLS not offered (N)"), "{text}");
    assert!(text.contains("TLS offered (S)"), "{text}");
    assert!(text.contains("product"), "AMQP's Connection.Start: {text}");

    // Without --identify the silent TLS server, redis, memcached, MQTT and PostgreSQL get
    // nothing, and no connection is made twice; the AMQP broker names itself by its header.
    let err = scan(&lab, &["-oL", "plain.list"]);
    let plain = named(&lab, "list", "plain.list");
    let silent = [2203, 2206, 2208, 2209, 2211, 2212];
    assert!(!plain.iter().any(|(p, _)| silent.contains(p)), "{plain:?}");
    assert!(plain.contains(&(2210, "amqp".to_string())), "{plain:?}");
    assert_eq!(second_connections(&err), 0, "{err}");

    // --identify-tries 1 stops the series at TLS, as before it went further: the TLS server
    // is named, redis, memcached, MQTT and PostgreSQL are not, and one try each is all they
    // get (the AMQP try is the broker's one).
    let err = scan(
        &lab,
        &["--identify", "--identify-tries", "1", "-oL", "one.list"],
    );
    let one = named(&lab, "list", "one.list");
    assert!(one.contains(&(2203, "ssl".to_string())), "{one:?}");
    assert!(one.contains(&(2210, "amqp".to_string())), "{one:?}");
    // (memcached's `ERROR` lines to the TLS try are an `unknown` banner, no name.)
    let unnamed = [2206, 2208, 2209, 2211, 2212];
    assert!(
        !one.iter()
            .any(|(p, n)| unnamed.contains(p) && n != "unknown"),
        "{one:?}"
    );
    assert_eq!(second_connections(&err), 7, "{err}");
}
