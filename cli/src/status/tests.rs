//! The summary lines, `--stats-json` objects and status lines rendered from fixed counters and
//! compared with the text the code wrote before the counters were declared in one place: every
//! key, label and order must stay the same.

use super::*;
use masscan_engine::counters::{
    BackoffCounters, ClassifierCounters, ReceiveLoopCounters, TcpCounters, TransmitCounters,
};
use masscan_engine::stats::TxSnapshot;
use std::sync::{Arc, Mutex};

/// Transmit core `k`'s counters: every field its own number.
pub(crate) fn tx_core(k: u64) -> TxSnapshot {
    let b = 1000 * (k + 1);
    TxSnapshot {
        counters: TransmitCounters {
            sent: b + 1,
            batches: b + 2,
            throttle_waits: b + 3,
            ring_full: b + 4,
            kicks: b + 5,
            canaries: b + 7,
        },
        next_index: b + 6,
        done: k == 0,
    }
}

/// Receive core 0 has every counter its own number; core 1 an ICMP line (IP-MISMATCH only) and
/// a banner line (refusals only); core 2 neither. The banner stack's counters that show nowhere
/// (closed, segments out) are set too, and must stay out of every text.
pub(crate) fn rx_cores() -> Vec<RxCounters> {
    let full = RxCounters {
        capture: Default::default(),
        classifier: ClassifierCounters {
            frames: 101,
            not_ours: 102,
            malformed: 103,
            bad_cookie: 104,
            duplicates: 105,
            open: 106,
            closed: 107,
            rst_sent: 108,
            arp_answered: 109,
            nd_answered: 125,
            icmp_errors: 110,
            ip_mismatch: 111,
            canary_answers: 126,
            canary_marks: 127,
        },
        receive: ReceiveLoopCounters {
            kernel_drops: 112,
            fill_empty: 113,
            answers_dropped: 114,
        },
        tcp: TcpCounters {
            opened: 115,
            active: 116,
            peak: 117,
            refused: 118,
            timeouts: 119,
            retransmits: 120,
            reconnects: 124,
            banners: 121,
            closed: 122,
            segments_out: 123,
        },
    };
    let mismatch_refused = RxCounters {
        capture: Default::default(),
        classifier: ClassifierCounters {
            frames: 201,
            open: 206,
            ip_mismatch: 211,
            ..Default::default()
        },
        receive: ReceiveLoopCounters {
            kernel_drops: 212,
            ..Default::default()
        },
        tcp: TcpCounters {
            refused: 218,
            ..Default::default()
        },
    };
    let quiet = RxCounters {
        capture: Default::default(),
        classifier: ClassifierCounters {
            frames: 301,
            not_ours: 302,
            closed: 307,
            ..Default::default()
        },
        receive: ReceiveLoopCounters {
            fill_empty: 313,
            ..Default::default()
        },
        tcp: TcpCounters::default(),
    };
    vec![full, mismatch_refused, quiet]
}

/// The XDP program's counters on two CPUs.
pub(crate) fn xdp_cpus() -> Vec<XdpCounters> {
    vec![
        XdpCounters {
            seen: 11,
            ours: 12,
            steered: 13,
            passed: 14,
        },
        XdpCounters {
            seen: 21,
            ours: 22,
            steered: 23,
            passed: 24,
        },
    ]
}

fn snapshot() -> Snapshot {
    let cores = vec![tx_core(0), tx_core(1)];
    Snapshot {
        sent: cores.iter().map(|c| c.counters.sent).sum(),
        cores,
        core_pps: vec![1234.4, 5678.6],
        pps: 6913.0,
        done: 0.123456,
        remaining: Some(Duration::from_secs(3723)),
        total: 9000,
        left: 5996,
        rx: rx_cores(),
        coverage: None,
        backoff: None,
        link: Vec::new(),
        canary_hosts: None,
    }
}

const SUMMARY: &str = "\
tx-core 0 (cpu 3): 1001 probes in 2.000 s = 500 pps, 1002 batches, 1003 throttle waits, 1004 ring full, 1005 kicks
tx-core 0 canaries: 1007 canary probes
tx-core 1 (unpinned): 2001 probes in 4.000 s = 500 pps, 2002 batches, 2003 throttle waits, 2004 ring full, 2005 kicks
tx-core 1 canaries: 2007 canary probes
rx-core 0 (cpu 5): 101 frames, 106 open, 107 closed, 105 duplicates, 104 bad cookie, 102 not ours, 103 malformed, 108 rst sent, 109 arp answered, 125 nd answered, 112 kernel drops, 113 fill-empty, 114 answers dropped
rx-core 0 icmp: 110 errors about our probes, 111 UDP replies from another address (IP-MISMATCH)
rx-core 0 canaries: 126 SYN-ACKs from canary ports, 127 hosts marked
rx-core 0 banners: 115 connections (117 at most at once, 118 refused: table full), 119 timed out, 120 retransmissions, 124 second connections, 121 banners
rx-core 1 (unpinned): 201 frames, 206 open, 0 closed, 0 duplicates, 0 bad cookie, 0 not ours, 0 malformed, 0 rst sent, 0 arp answered, 0 nd answered, 212 kernel drops, 0 fill-empty, 0 answers dropped
rx-core 1 icmp: 0 errors about our probes, 211 UDP replies from another address (IP-MISMATCH)
rx-core 1 banners: 0 connections (0 at most at once, 218 refused: table full), 0 timed out, 0 retransmissions, 0 second connections, 0 banners
rx-core 2 (cpu 7): 301 frames, 0 open, 307 closed, 0 duplicates, 0 bad cookie, 302 not ours, 0 malformed, 0 rst sent, 0 arp answered, 0 nd answered, 0 kernel drops, 313 fill-empty, 0 answers dropped
total: 3002 probes in 4.000 s = 750 pps over 2 transmit thread(s) [offline]
";

#[test]
fn summary_lines_are_unchanged() {
    let text = summary_text(
        &snapshot(),
        (&[Some(3)], &[Some(5), None, Some(7)]),
        &[2.0, 4.0],
        Duration::from_secs(9),
        "offline",
    );
    assert_eq!(text, SUMMARY);
}

/// `--stats-json` output captured in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The summary of `s` for two unpinned transmit cores that ran 2 and 4 s, over AF_XDP.
fn summary_of(s: &Snapshot) -> String {
    summary_text(s, (&[], &[]), &[2.0, 4.0], Duration::ZERO, "afxdp")
}

/// The final `--stats-json` object of `s`, as written.
fn final_stats_json(s: &Snapshot) -> String {
    let buf = Captured::default();
    let mut stats = StatsJson {
        out: Box::new(buf.clone()),
        stdout: false,
    };
    stats.write(s, Duration::ZERO, true, None);
    let bytes = buf.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

/// The line with its `"time":<unix seconds>` (the one value that moves) made `"time":T`.
fn without_time(line: &str) -> String {
    let (head, tail) = line.split_once("\"time\":").expect("a time key");
    let digits = tail.chars().take_while(char::is_ascii_digit).count();
    assert!(digits >= 10, "unix seconds: {tail}");
    format!("{head}\"time\":T{}", &tail[digits..])
}

const STATS_JSON: &str = r#"{"done":0.1235,"elapsed":1.235,"final":true,"found":312,"pps":6913.0,"rx":[{"answers_dropped":114,"arp_answered":109,"bad_cookie":104,"canary_answers":126,"canary_marks":127,"closed":107,"core":0,"duplicates":105,"fill_empty":113,"frames":101,"icmp_errors":110,"ip_mismatch":111,"kernel_drops":112,"malformed":103,"nd_answered":125,"not_ours":102,"open":106,"rst_sent":108,"tcp":{"active":116,"banners":121,"opened":115,"peak":117,"reconnects":124,"refused":118,"retransmits":120,"timeouts":119}},{"answers_dropped":0,"arp_answered":0,"bad_cookie":0,"canary_answers":0,"canary_marks":0,"closed":0,"core":1,"duplicates":0,"fill_empty":0,"frames":201,"icmp_errors":0,"ip_mismatch":211,"kernel_drops":212,"malformed":0,"nd_answered":0,"not_ours":0,"open":206,"rst_sent":0,"tcp":{"active":0,"banners":0,"opened":0,"peak":0,"reconnects":0,"refused":218,"retransmits":0,"timeouts":0}},{"answers_dropped":0,"arp_answered":0,"bad_cookie":0,"canary_answers":0,"canary_marks":0,"closed":307,"core":2,"duplicates":0,"fill_empty":313,"frames":301,"icmp_errors":0,"ip_mismatch":0,"kernel_drops":0,"malformed":0,"nd_answered":0,"not_ours":302,"open":0,"rst_sent":0,"tcp":{"active":0,"banners":0,"opened":0,"peak":0,"reconnects":0,"refused":0,"retransmits":0,"timeouts":0}}],"sent":3002,"time":T,"tx":[{"batches":1002,"canaries":1007,"core":0,"kicks":1005,"pps":1234.0,"ring_full":1004,"sent":1001,"throttle_waits":1003},{"batches":2002,"canaries":2007,"core":1,"kicks":2005,"pps":5679.0,"ring_full":2004,"sent":2001,"throttle_waits":2003}],"xdp":{"cpus":[{"cpu":0,"ours":12,"passed":14,"seen":11,"steered":13},{"cpu":1,"ours":22,"passed":24,"seen":21,"steered":23}],"mode":"native","ours":34,"passed":38,"seen":32,"steered":36}}
{"done":0.1235,"elapsed":1.235,"final":false,"found":312,"pps":6913.0,"rx":[{"answers_dropped":114,"arp_answered":109,"bad_cookie":104,"canary_answers":126,"canary_marks":127,"closed":107,"core":0,"duplicates":105,"fill_empty":113,"frames":101,"icmp_errors":110,"ip_mismatch":111,"kernel_drops":112,"malformed":103,"nd_answered":125,"not_ours":102,"open":106,"rst_sent":108,"tcp":{"active":116,"banners":121,"opened":115,"peak":117,"reconnects":124,"refused":118,"retransmits":120,"timeouts":119}},{"answers_dropped":0,"arp_answered":0,"bad_cookie":0,"canary_answers":0,"canary_marks":0,"closed":0,"core":1,"duplicates":0,"fill_empty":0,"frames":201,"icmp_errors":0,"ip_mismatch":211,"kernel_drops":212,"malformed":0,"nd_answered":0,"not_ours":0,"open":206,"rst_sent":0,"tcp":{"active":0,"banners":0,"opened":0,"peak":0,"reconnects":0,"refused":218,"retransmits":0,"timeouts":0}},{"answers_dropped":0,"arp_answered":0,"bad_cookie":0,"canary_answers":0,"canary_marks":0,"closed":307,"core":2,"duplicates":0,"fill_empty":313,"frames":301,"icmp_errors":0,"ip_mismatch":0,"kernel_drops":0,"malformed":0,"nd_answered":0,"not_ours":302,"open":0,"rst_sent":0,"tcp":{"active":0,"banners":0,"opened":0,"peak":0,"reconnects":0,"refused":0,"retransmits":0,"timeouts":0}}],"sent":3002,"time":T,"tx":[{"batches":1002,"canaries":1007,"core":0,"kicks":1005,"pps":1234.0,"ring_full":1004,"sent":1001,"throttle_waits":1003},{"batches":2002,"canaries":2007,"core":1,"kicks":2005,"pps":5679.0,"ring_full":2004,"sent":2001,"throttle_waits":2003}],"xdp":null}
"#;

#[test]
fn stats_json_objects_are_unchanged() {
    let buf = Captured::default();
    let mut stats = StatsJson {
        out: Box::new(buf.clone()),
        stdout: false,
    };
    let s = snapshot();
    let elapsed = Duration::from_micros(1_234_567);
    stats.write(&s, elapsed, true, Some(("native", xdp_cpus())));
    stats.write(&s, elapsed, false, None);
    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    let lines: String = text.lines().map(|l| without_time(l) + "\n").collect();
    assert_eq!(lines, STATS_JSON);
}

#[test]
fn status_lines_count_the_open_ports_of_every_receive_core() {
    let s = snapshot();
    assert_eq!(s.found(), 106 + 206);
    assert_eq!(
        text_status(&s, None),
        "rate:  6.91-kpps, 12.35% done,   1:02:03 remaining, found=312       \r"
    );
    assert_eq!(
        text_status(&s, Some(4)),
        "rate:  6.91-kpps, 12.35% done, waiting 4-secs, found=312       \r"
    );
    assert_eq!(
        ndjson_status(&s, Some(4)),
        "{\"progress\":{\"found\":312,\"percent\":12.35,\"seconds\":4,\"syn\":{\"remaining\":5996,\"sent\":3002,\"total\":9000}},\"rate\":{\"kpps\":6.91,\"pps\":6913.0},\"state\":\"waiting\"}\n"
    );
}

#[test]
fn the_backoff_line_and_object_say_how_often_and_how_far() {
    let mut s = snapshot();
    assert!(
        !summary_of(&s).contains("backoff"),
        "no line without --backoff"
    );
    s.backoff = Some(BackoffCounters::default());
    assert!(summary_of(&s).contains("\nbackoff: 0 cuts for the scan's own losses\ntotal: "));
    s.backoff = Some(BackoffCounters {
        backoffs: 3,
        stops: 1,
        lowest_pps: 0,
        below_ms: 2500,
        cap_pps: 40_000,
    });
    let want = "\nbackoff: 3 cuts for the scan's own losses, 1 to a stop, 0 pps at the lowest, \
                2500 ms below --rate\n";
    assert!(summary_of(&s).contains(want), "{}", summary_of(&s));
    let line = final_stats_json(&s);
    let want =
        r#""backoff":{"backoffs":3,"below_ms":2500,"cap_pps":40000,"lowest_pps":0,"stops":1}"#;
    assert!(line.contains(want), "{line}");
}

#[test]
fn the_link_line_and_object_give_the_interfaces_own_losses() {
    let mut s = snapshot();
    assert!(!summary_of(&s).contains("\nlink "), "no line offline");
    s.link = vec![crate::link_drops::LinkLosses {
        ifname: "eth1".into(),
        receive: [2, 30, 0],
        send: 4,
    }];
    let want = "\nlink eth1: 32 frames dropped receiving (rx_dropped 2, rx_missed_errors 30, \
                rx_fifo_errors 0), 4 sending (tx_dropped): the interface's own counters, all of \
                its traffic\ntotal: ";
    assert!(summary_of(&s).contains(want), "{}", summary_of(&s));
    let line = final_stats_json(&s);
    let want = r#""link":[{"interface":"eth1","rx_dropped":2,"rx_fifo_errors":0,"rx_missed_errors":30,"tx_dropped":4}]"#;
    assert!(line.contains(want), "{line}");
}

#[test]
fn the_canary_line_and_key_count_each_marked_host_once() {
    let mut s = snapshot();
    assert!(
        !summary_of(&s).contains("\ncanaries: "),
        "no line without --canaries"
    );
    assert!(!final_stats_json(&s).contains("canary_hosts"));
    s.canary_hosts = Some(1);
    assert!(summary_of(&s).ends_with(
        "\ncanaries: 1 host marked (a canary port answered), each once in the outputs\n"
    ));
    s.canary_hosts = Some(256);
    assert!(summary_of(&s).contains("\ncanaries: 256 hosts marked"));
    assert!(final_stats_json(&s).contains(r#""canary_hosts":256"#));
}
