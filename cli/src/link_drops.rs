//! The scan interfaces' own kernel counters of lost frames, read from
//! `/sys/class/net/IF/statistics/` when the scan starts and again for each sample: frames the
//! NIC or its driver dropped before any of the scan's counters could see them (a receive ring
//! that overflowed, `rx_missed_errors`; the driver's `rx_dropped` and `rx_fifo_errors`; and
//! `tx_dropped` on the way out). They count all of the interface's traffic, not only the
//! scan's, and a veth counts a frame lost on its way in on the sending end (its peer), which a
//! scan cannot read from its own namespace.

use std::path::{Path, PathBuf};

/// The counters read, by their file names under `statistics/`.
const RECEIVE: [&str; 3] = ["rx_dropped", "rx_missed_errors", "rx_fifo_errors"];
const SEND: &str = "tx_dropped";

/// One interface's lost frames since the scan started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkLosses {
    pub ifname: String,
    /// Each of [`RECEIVE`]'s counters, in that order.
    pub receive: [u64; 3],
    pub send: u64,
}

impl LinkLosses {
    /// Frames lost on the way in, all counters together.
    pub fn received(&self) -> u64 {
        self.receive.iter().sum()
    }

    /// The summary's line: `link eth0: 0 frames dropped receiving, 0 sending (...)`.
    pub fn summary_line(&self) -> String {
        format!(
            "link {}: {} frames dropped receiving ({}), {} sending ({SEND}): the interface's own counters, all of its traffic",
            self.ifname,
            self.received(),
            RECEIVE
                .iter()
                .zip(self.receive)
                .map(|(n, v)| format!("{n} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            self.send
        )
    }

    /// `--stats-json`'s object for the interface.
    pub fn json(&self) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("interface".into(), self.ifname.clone().into());
        for (n, v) in RECEIVE.iter().zip(self.receive) {
            o.insert((*n).into(), v.into());
        }
        o.insert(SEND.into(), self.send.into());
        serde_json::Value::Object(o)
    }
}

/// An interface's counters as they were when the scan started.
#[derive(Clone, Debug)]
pub struct LinkBaseline {
    ifname: String,
    dir: PathBuf,
    start: ([u64; 3], u64),
}

impl LinkBaseline {
    /// The interface's counters now, from `/sys/class/net`; `None` when the kernel does not
    /// own it (a NIC bound to DPDK) or shows no counters.
    pub fn start(ifname: &str) -> Option<Self> {
        Self::start_in(Path::new("/sys/class/net"), ifname)
    }

    fn start_in(root: &Path, ifname: &str) -> Option<Self> {
        let dir = root.join(ifname).join("statistics");
        let start = read(&dir)?;
        Some(Self {
            ifname: ifname.to_string(),
            dir,
            start,
        })
    }

    /// What was lost since the start (a counter that went back, when the interface was
    /// reset, counts from 0 again); `None` if the counters can no longer be read.
    pub fn since(&self) -> Option<LinkLosses> {
        let (rx, tx) = read(&self.dir)?;
        let mut receive = [0; 3];
        for i in 0..3 {
            receive[i] = rx[i].checked_sub(self.start.0[i]).unwrap_or(rx[i]);
        }
        Some(LinkLosses {
            ifname: self.ifname.clone(),
            receive,
            send: tx.checked_sub(self.start.1).unwrap_or(tx),
        })
    }
}

/// The receive counters and `tx_dropped` in `dir`; a counter the driver does not keep (no
/// file) reads 0, but no file at all is `None`.
fn read(dir: &Path) -> Option<([u64; 3], u64)> {
    let one = |name: &str| -> Option<u64> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        text.trim().parse().ok()
    };
    let rx = RECEIVE.map(one);
    let tx = one(SEND);
    if rx.iter().all(Option::is_none) && tx.is_none() {
        return None;
    }
    Some((rx.map(|v| v.unwrap_or(0)), tx.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(dir: &Path, name: &str, v: u64) {
        std::fs::write(dir.join(name), format!("{v}\n")).unwrap();
    }

    #[test]
    fn losses_are_counted_from_the_start() {
        let root = std::env::temp_dir().join(format!("link-drops-{}", std::process::id()));
        let dir = root.join("eth9/statistics");
        std::fs::create_dir_all(&dir).unwrap();
        set(&dir, "rx_dropped", 5);
        set(&dir, "rx_missed_errors", 100);
        set(&dir, "tx_dropped", 7);
        // rx_fifo_errors missing: the driver does not keep it.
        let b = LinkBaseline::start_in(&root, "eth9").unwrap();
        assert_eq!(b.since().unwrap().received(), 0);
        set(&dir, "rx_dropped", 6);
        set(&dir, "rx_missed_errors", 1100);
        set(&dir, "tx_dropped", 9);
        let l = b.since().unwrap();
        assert_eq!((l.receive, l.send, l.received()), ([1, 1000, 0], 2, 1001));
        assert!(l.summary_line().starts_with(
            "link eth9: 1001 frames dropped receiving (rx_dropped 1, rx_missed_errors 1000, \
             rx_fifo_errors 0), 2 sending (tx_dropped)"
        ));
        let j = l.json();
        assert_eq!(j["interface"], "eth9");
        assert_eq!(j["rx_missed_errors"], 1000);
        assert_eq!(j["tx_dropped"], 2);
        // A reset interface counts from 0 again.
        set(&dir, "rx_missed_errors", 3);
        assert_eq!(b.since().unwrap().receive[1], 3);
        // Gone: nothing to say.
        std::fs::remove_dir_all(&root).unwrap();
        assert!(b.since().is_none());
        assert!(LinkBaseline::start_in(&root, "eth9").is_none());
    }

    #[test]
    fn the_loopback_interface_has_counters() {
        // Every Linux machine has `lo` with statistics; it must read (values unknown).
        if Path::new("/sys/class/net/lo/statistics").exists() {
            assert!(LinkBaseline::start("lo").unwrap().since().is_some());
        }
        assert!(LinkBaseline::start("no-such-interface-0").is_none());
    }
}
