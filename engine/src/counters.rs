//! Every counter the scan keeps, each declared once. A `counters!` list gives, per counter, its
//! field, what it means, and where it shows: in `--stats-json` (keyed by the field's name), on a
//! line of the end-of-scan summary (a label), and in `--metrics` (a Prometheus family). From the
//! list the macro makes the plain struct the loop counts into, the atomic cells another thread
//! reads (relaxed stores once per batch, see [`crate::stats`]), and an iterator over
//! (declaration, value) that the status, `--stats-json` and `--metrics` code walk. Adding a
//! counter is one line here (and the `+= 1` where it happens).
//!
//! The sets: [`TransmitCounters`] (one transmit core), [`ClassifierCounters`] (what the reply
//! classifier saw), [`ReceiveLoopCounters`] (the receive loop's own: queue drops, answers it had
//! no room for), [`TcpCounters`] (the banner stack's connections) and [`CaptureCounters`]
//! (the open ports' capture histories, for the coverage estimate).

/// A Prometheus family of `--metrics`: its name, type and help line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    pub name: &'static str,
    /// `counter` or `gauge`.
    pub kind: &'static str,
    pub help: &'static str,
}

/// Where a counter shows in the end-of-scan summary: `value label` on one of its core's lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label {
    /// The line: `""` is the core's own line (always written); another name is a line of its
    /// own (`rx-core 0 icmp: ...`), written only when a counter marked `shows` is not zero.
    pub line: &'static str,
    /// The words after the value; a `{}` in them stands for the value instead (`({} at most`).
    pub text: &'static str,
    /// A value other than zero makes the line appear.
    pub shows: bool,
}

/// One counter's declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counter {
    /// The field's name, and its key in `--stats-json`.
    pub name: &'static str,
    /// `--stats-json` lists it.
    pub json: bool,
    pub label: Option<Label>,
    pub metric: Option<Metric>,
}

/// A counter that `--stats-json` lists (and nothing else yet).
pub const fn json() -> Counter {
    Counter {
        name: "",
        json: true,
        label: None,
        metric: None,
    }
}

/// A counter kept for tests and debugging, shown nowhere.
pub const fn unlisted() -> Counter {
    Counter {
        json: false,
        ..json()
    }
}

impl Counter {
    /// Shown as `value text` on the core's own summary line.
    pub const fn label(self, text: &'static str) -> Self {
        self.on_line("", text, false)
    }

    /// Shown on summary line `line`; `shows`: a value other than zero writes that line.
    pub const fn on_line(self, line: &'static str, text: &'static str, shows: bool) -> Self {
        Self {
            label: Some(Label { line, text, shows }),
            ..self
        }
    }

    /// A Prometheus counter family.
    pub const fn counter(self, name: &'static str, help: &'static str) -> Self {
        self.metric(name, "counter", help)
    }

    /// A Prometheus gauge family (a value that goes down too).
    pub const fn gauge(self, name: &'static str, help: &'static str) -> Self {
        self.metric(name, "gauge", help)
    }

    const fn metric(self, name: &'static str, kind: &'static str, help: &'static str) -> Self {
        Self {
            metric: Some(Metric { name, kind, help }),
            ..self
        }
    }

    /// The macro's last step: the field's name.
    const fn named(self, name: &'static str) -> Self {
        Self { name, ..self }
    }
}

impl Label {
    /// `value text`, or the text with the value in place of its `{}`.
    pub fn render(&self, value: u64) -> String {
        if self.text.contains("{}") {
            self.text.replacen("{}", &value.to_string(), 1)
        } else {
            format!("{value} {}", self.text)
        }
    }
}

/// Declares a set of counters: `Plain / Cells { /// doc  field = declaration, ... }` makes
/// `Plain` (plain `u64` fields, `Copy`, with `COUNTERS` and `iter()`) and `Cells` (one
/// `AtomicU64` per field, with `publish(&Plain)` and `load() -> Plain`, relaxed).
macro_rules! counters {
    (
        $(#[$meta:meta])*
        pub struct $plain:ident / $cells:ident {
            $( $(#[doc = $doc:literal])* $field:ident = $decl:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $plain {
            $( $(#[doc = $doc])* pub $field: u64, )*
        }

        impl $plain {
            /// Every counter of the set, in the order it is shown.
            pub const COUNTERS: &'static [$crate::counters::Counter] =
                &[ $( $crate::counters::Counter::named($decl, stringify!($field)) ),* ];

            /// Each counter's declaration with its value, in [`Self::COUNTERS`]'s order.
            pub fn iter(&self) -> impl Iterator<Item = (&'static $crate::counters::Counter, u64)> {
                Self::COUNTERS.iter().zip([ $( self.$field ),* ])
            }
        }

        #[doc = concat!("[`", stringify!($plain), "`] as atomics: written by one thread, read by others.")]
        #[derive(Debug, Default)]
        pub struct $cells {
            $( $field: ::std::sync::atomic::AtomicU64, )*
        }

        impl $cells {
            /// Stores every value (relaxed: each is read on its own).
            #[inline]
            pub fn publish(&self, c: &$plain) {
                $( self.$field.store(c.$field, ::std::sync::atomic::Ordering::Relaxed); )*
            }

            /// The values last published.
            pub fn load(&self) -> $plain {
                $plain { $( $field: self.$field.load(::std::sync::atomic::Ordering::Relaxed), )* }
            }
        }
    };
}

counters! {
    /// Counters of one transmit core.
    pub struct TransmitCounters / TransmitCells {
        /// Probes handed to the driver (the summary line's subject: `N probes in T s`).
        sent = json().counter("masscan_tx_probes_total", "Probes sent, per transmit core."),
        /// Batches asked of the driver.
        batches = json().label("batches")
            .counter("masscan_tx_batches_total", "Batches handed to the driver, per transmit core."),
        /// Times the throttle made the thread wait.
        throttle_waits = json().label("throttle waits")
            .counter("masscan_tx_throttle_waits_total", "Times the throttle made a core wait."),
        /// Times the driver's ring took fewer frames than offered.
        ring_full = json().label("ring full")
            .counter("masscan_tx_ring_full_total", "Batches cut short by a full transmit ring."),
        /// System calls (or doorbells) made to push frames out, as the driver counts them.
        kicks = json().label("kicks"),
        /// Canary probes among those sent (`--canaries`).
        canaries = json().on_line("canaries", "canary probes", true)
            .counter("masscan_tx_canary_probes_total", "Canary probes sent (--canaries), per transmit core."),
    }
}

counters! {
    /// What one receive core's reply classifier saw.
    pub struct ClassifierCounters / ClassifierCells {
        /// Frames handed in.
        frames = json().label("frames")
            .counter("masscan_rx_frames_total", "Frames received, per receive core."),
        /// Open ports found (first reply of each), and ARP sweep answers.
        open = json().label("open")
            .counter("masscan_found_open_total", "Open ports found (first reply of each)."),
        /// Closed ports found (first RST of each).
        closed = json().label("closed").counter("masscan_found_closed_total", "Closed ports found."),
        /// Repeated replies, reported once.
        duplicates = json().label("duplicates")
            .counter("masscan_rx_duplicates_total", "Repeated replies, reported once."),
        /// Replies to our address and port whose acknowledgement is not our cookie.
        bad_cookie = json().label("bad cookie")
            .counter("masscan_rx_bad_cookie_total", "Replies whose cookie did not match."),
        /// Parsed, but not a reply to this scan (other addresses, ports, protocols).
        not_ours = json().label("not ours"),
        /// Frames too short or malformed to parse, and TCP segments whose checksum fails.
        malformed = json().label("malformed")
            .counter("masscan_rx_malformed_total", "Frames too damaged to read (or with a bad TCP checksum)."),
        /// RSTs (and SCTP ABORTs) written to send back.
        rst_sent = json().label("rst sent"),
        /// ARP requests for our (spoofed) address answered.
        arp_answered = json().label("arp answered"),
        /// Neighbor Solicitations for our (spoofed) IPv6 address answered.
        nd_answered = json().label("nd answered"),
        /// ICMP errors about our probes that report no port (unreachable quoting a TCP SYN, host
        /// unreachable quoting a UDP probe).
        icmp_errors = json().on_line("icmp", "errors about our probes", true),
        /// UDP replies reported with the `IP-MISMATCH` mark (the cookie did not come back).
        ip_mismatch = json().on_line("icmp", "UDP replies from another address (IP-MISMATCH)", true),
        /// SYN-ACKs from canary ports (`--canaries`), not reported as open ports.
        canary_answers = json().on_line("canaries", "SYN-ACKs from canary ports", true)
            .counter("masscan_rx_canary_answers_total", "SYN-ACKs from canary ports (--canaries)."),
        /// Hosts this core marked (its first canary SYN-ACK of each; the outputs hold one mark
        /// per host, whichever core saw it).
        canary_marks = json().on_line("canaries", "hosts marked", false)
            .counter("masscan_rx_canary_marked_hosts_total", "Hosts marked by a canary SYN-ACK, per receive core."),
    }
}

counters! {
    /// The receive loop's own counters (not the classifier's): from the queue's statistics, and
    /// frames it had no room to send back.
    pub struct ReceiveLoopCounters / ReceiveLoopCells {
        /// Frames the kernel dropped before we could read them.
        kernel_drops = json().label("kernel drops")
            .counter("masscan_rx_kernel_drops_total", "Frames the kernel dropped before the scan saw them."),
        /// Times the fill ring was empty.
        fill_empty = json().label("fill-empty"),
        /// Frames to send back (RSTs, ARP answers, banner segments) dropped because the reply
        /// ring had no room.
        answers_dropped = json().label("answers dropped"),
    }
}

counters! {
    /// `--backoff`: what the rate controller did (see [`crate::backoff`]).
    pub struct BackoffCounters / BackoffCells {
        /// Times the rate was cut for losses of the scan's own making.
        backoffs = json().on_line("backoff", "cuts for the scan's own losses", true)
            .counter("masscan_backoff_cuts_total", "Rate cuts for losses of the scan's own making."),
        /// Cuts that stopped sending (until the losses ended).
        stops = json().on_line("backoff", "to a stop", false),
        /// The lowest cap set, packets per second.
        lowest_pps = json().on_line("backoff", "pps at the lowest", false)
            .gauge("masscan_backoff_lowest_pps", "The lowest rate cap set, packets per second."),
        /// Milliseconds spent under a cap (below --rate).
        below_ms = json().on_line("backoff", "ms below --rate", false)
            .counter("masscan_backoff_below_rate_ms_total", "Milliseconds spent below --rate."),
        /// The cap now, packets per second (0: none).
        cap_pps = json().gauge("masscan_backoff_cap_pps", "The rate cap now, packets per second (0: none)."),
    }
}

counters! {
    /// Counters of one banner stack (`--banners`; under `tcp` in `--stats-json`).
    pub struct TcpCounters / TcpCells {
        /// Connections opened.
        opened = json().on_line("banners", "connections", true)
            .counter("masscan_banner_connections_total", "Banner connections opened."),
        /// Connections open now.
        active = json().gauge("masscan_banner_connections_active", "Banner connections open now."),
        /// The most open at once.
        peak = json().on_line("banners", "({} at most at once", false),
        /// SYN-ACKs refused because the table was full.
        refused = json().on_line("banners", "refused: table full)", true),
        /// Connections that timed out.
        timeouts = json().on_line("banners", "timed out", false),
        /// Segments sent again.
        retransmits = json().on_line("banners", "retransmissions", false),
        /// Second connections to TLS servers that refused the plaintext hello (TLS 1.3 only),
        /// which shake hands through rustls.
        reconnects = json().on_line("banners", "second connections", false),
        /// Banners reported.
        banners = json().on_line("banners", "banners", false)
            .counter("masscan_banners_total", "Banners reported."),
        /// Connections ended.
        closed = unlisted(),
        /// Segments queued to send.
        segments_out = unlisted(),
    }
}

counters! {
    /// One receive core's capture histories of open TCP ports (`--retries`; under `capture` in
    /// `--stats-json`), which [`crate::coverage::estimate`] reads.
    pub struct CaptureCounters / CaptureCells {
        /// Open ports with a history (each counted once).
        ports = json(),
        /// Answers to the targets' first probe.
        attempt_1 = json(),
        /// ... to their second (a port's history counts each probe's answer once).
        attempt_2 = json(),
        attempt_3 = json(),
        attempt_4 = json(),
        attempt_5 = json(),
        attempt_6 = json(),
        attempt_7 = json(),
        attempt_8 = json(),
        /// Answers to a probe already answered (a SYN-ACK sent again).
        repeats = json(),
        /// Histories the full table forgot (a later answer of that port counts as a new port).
        evicted = json(),
    }
}

/// One core's summary lines from its counters (each with its value): the core's own line
/// (`""`) first, always, then each other line declared, in order, when a counter that `shows`
/// it is not zero; each as (line, its items joined by [`join_labels`]).
pub fn summary_lines<'a>(
    counters: impl Iterator<Item = (&'a Counter, u64)>,
) -> Vec<(&'static str, String)> {
    let labelled: Vec<(&Label, u64)> = counters
        .filter_map(|(c, v)| c.label.as_ref().map(|l| (l, v)))
        .collect();
    let mut lines = vec![""];
    for (l, _) in &labelled {
        if !lines.contains(&l.line) {
            lines.push(l.line);
        }
    }
    let shown = |line: &str| {
        line.is_empty() || (labelled.iter()).any(|(l, v)| l.line == line && l.shows && *v > 0)
    };
    lines
        .into_iter()
        .filter(|line| shown(line))
        .map(|line| {
            let items = labelled.iter().filter(|(l, _)| l.line == line);
            (line, join_labels(items.copied()))
        })
        .collect()
}

/// A summary line's items, `value label` joined by `, ` (a ` ` before an item that opens a
/// parenthesis: `3 connections (2 at most at once, 0 refused: table full), ...`).
pub fn join_labels<'a>(items: impl IntoIterator<Item = (&'a Label, u64)>) -> String {
    let mut out = String::new();
    for (label, value) in items {
        let item = label.render(value);
        if !out.is_empty() {
            out.push_str(if item.starts_with('(') { " " } else { ", " });
        }
        out.push_str(&item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_set_lists_its_fields_in_order_with_their_values() {
        let c = ReceiveLoopCounters {
            kernel_drops: 1,
            fill_empty: 2,
            answers_dropped: 3,
        };
        let got: Vec<(&str, u64)> = c.iter().map(|(d, v)| (d.name, v)).collect();
        assert_eq!(
            got,
            [
                ("kernel_drops", 1),
                ("fill_empty", 2),
                ("answers_dropped", 3)
            ]
        );
        let cells = ReceiveLoopCells::default();
        cells.publish(&c);
        assert_eq!(cells.load(), c);
    }

    #[test]
    fn every_name_is_unique_and_every_metric_is_prometheus_shaped() {
        let all: Vec<Counter> = [
            TransmitCounters::COUNTERS,
            ClassifierCounters::COUNTERS,
            ReceiveLoopCounters::COUNTERS,
            TcpCounters::COUNTERS,
            BackoffCounters::COUNTERS,
        ]
        .concat();
        let mut metrics: Vec<&str> = all
            .iter()
            .filter_map(|c| c.metric)
            .map(|m| m.name)
            .collect();
        let n = metrics.len();
        metrics.sort_unstable();
        metrics.dedup();
        assert_eq!(metrics.len(), n, "a metric name used twice");
        for c in &all {
            if let Some(m) = c.metric {
                assert!(m.name.starts_with("masscan_"), "{}", m.name);
                assert_eq!(
                    m.kind == "counter",
                    m.name.ends_with("_total"),
                    "{}",
                    m.name
                );
                assert!(m.help.ends_with('.'), "{}", m.help);
            }
        }
    }

    #[test]
    fn a_line_of_its_own_shows_when_a_counter_marked_so_is_not_zero() {
        let lines = |t: TcpCounters| summary_lines(t.iter());
        assert_eq!(lines(TcpCounters::default()), [("", String::new())]);
        let busy = TcpCounters {
            peak: 4,
            timeouts: 5,
            ..Default::default()
        };
        assert_eq!(lines(busy).len(), 1, "neither opened nor refused");
        let refused = TcpCounters {
            refused: 1,
            closed: 9,
            ..Default::default()
        };
        let want = "0 connections (0 at most at once, 1 refused: table full), 0 timed out, \
                    0 retransmissions, 0 second connections, 0 banners";
        assert_eq!(
            lines(refused),
            [("", String::new()), ("banners", want.to_string())]
        );
    }

    #[test]
    fn labels_join_with_commas_and_a_parenthesis_opens_with_a_space() {
        let l = |text| Label {
            line: "x",
            text,
            shows: false,
        };
        let (a, b, c, d) = (l("connections"), l("({} at most"), l("full)"), l("banners"));
        let items = [(&a, 3), (&b, 2), (&c, 0), (&d, 1)];
        assert_eq!(
            join_labels(items),
            "3 connections (2 at most, 0 full), 1 banners"
        );
    }
}
