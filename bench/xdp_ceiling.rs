//! The AF_XDP transmit ceiling: the project's own AF_XDP driver (`masscan_drivers::AfXdp`: the
//! same UMEM, rings, steering program and wake-ups a scan gets), sending one fixed SYN frame,
//! built once, as fast as it can: batches of the scan's size (`TX_BATCH`, 64) through the same
//! `TxQueue::transmit`, each frame a copy of the prebuilt one, no scan logic (no permutation,
//! no target pick, no cookie, no checksums, no throttle, no counters). One thread per queue, each
//! pinned to its CPU and timed as the scan times its transmit threads: from its first batch to
//! the end of its flush (every frame completed). Run by `bench/xdp_ceiling.sh`, inside the lab's
//! scanner namespace only.
//!
//!   xdp-ceiling IFNAME --router-mac MAC --src IP --dst IP --count N [--threads T] [--cpus LIST]
//!
//! Prints one line per thread (`thread K (cpu C): N frames in S s = R pps`, as a scan's `tx-core` line)
//! and the total.

#![forbid(unsafe_code)]

use etherparse::{PacketBuilder, TcpOptionElement};
use masscan_drivers::AfXdp;
use masscan_ebpf::SteerConfig;
use masscan_engine::driver::{Driver, TxQueue};
use std::net::Ipv4Addr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// A scan's transmit batch (`cli/src/run.rs`: `TX_BATCH`, the throttle's cap when unthrottled).
const TX_BATCH: usize = 64;
/// The scan's default frame: padded to `--min-packet`'s default, 60 bytes.
const MIN_FRAME: usize = 60;
/// The source port of the fixed frame, and the steering program's port range (as a scan's).
const SOURCE_PORT: u16 = 61_000;
const SOURCE_PORTS: u16 = 16;

struct Args {
    ifname: String,
    router_mac: [u8; 6],
    src: Ipv4Addr,
    dst: Ipv4Addr,
    count: u64,
    threads: usize,
    cpus: Option<Vec<usize>>,
}

fn parse_mac(s: &str) -> Result<[u8; 6], String> {
    let parts: Vec<u8> = s
        .split(':')
        .map(|p| u8::from_str_radix(p, 16))
        .collect::<Result<_, _>>()
        .map_err(|_| format!("bad MAC '{s}'"))?;
    parts.try_into().map_err(|_| format!("bad MAC '{s}'"))
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let ifname = it.next().ok_or("usage: xdp-ceiling IFNAME --router-mac MAC --src IP --dst IP --count N [--threads T] [--cpus LIST]")?;
    let (mut router_mac, mut src, mut dst, mut count) = (None, None, None, None);
    let (mut threads, mut cpus) = (1, None);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |what: &str| format!("bad {flag} '{value}': {what}");
        match flag.as_str() {
            "--router-mac" => router_mac = Some(parse_mac(&value)?),
            "--src" => src = Some(value.parse().map_err(|_| bad("an IPv4 address"))?),
            "--dst" => dst = Some(value.parse().map_err(|_| bad("an IPv4 address"))?),
            "--count" => count = Some(value.parse().map_err(|_| bad("a number"))?),
            "--threads" => threads = value.parse().map_err(|_| bad("a number"))?,
            "--cpus" => {
                let list: Result<Vec<usize>, _> = value.split(',').map(str::parse).collect();
                cpus = Some(list.map_err(|_| bad("a comma-separated list of CPUs"))?);
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if threads == 0 {
        return Err("--threads must be at least 1".into());
    }
    Ok(Args {
        ifname,
        router_mac: router_mac.ok_or("--router-mac is required")?,
        src: src.ok_or("--src is required")?,
        dst: dst.ok_or("--dst is required")?,
        count: count.ok_or("--count is required")?,
        threads,
        cpus,
    })
}

fn interface_mac(ifname: &str) -> Result<[u8; 6], String> {
    let path = format!("/sys/class/net/{ifname}/address");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    parse_mac(text.trim())
}

/// The fixed probe: a valid TCP SYN with the scan's default shape (MSS 1460 alone, window 1024,
/// TTL 255), padded to 60 bytes as a scan's.
fn syn_frame(a: &Args, our_mac: [u8; 6]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(MIN_FRAME);
    PacketBuilder::ethernet2(our_mac, a.router_mac)
        .ipv4(a.src.octets(), a.dst.octets(), 255)
        .tcp(SOURCE_PORT, 80, 0x1234_5678, 1024)
        .syn()
        .options(&[TcpOptionElement::MaximumSegmentSize(1460)])
        .expect("one option fits")
        .write(&mut frame, &[])
        .expect("writing to a Vec cannot fail");
    frame.resize(frame.len().max(MIN_FRAME), 0);
    frame
}

/// One thread's loop: `count` copies of `frame` in batches of `TX_BATCH`, then a flush. Returns
/// the frames sent and the time from the first batch to the end of the flush.
fn send<Q: TxQueue>(tx: &mut Q, frame: &[u8], count: u64) -> Result<(u64, Duration), String> {
    let len = frame.len();
    let t0 = Instant::now();
    let mut sent = 0u64;
    while sent < count {
        let want = (count - sent).min(TX_BATCH as u64) as usize;
        let n = tx
            .transmit(want, |buf| {
                buf[..len].copy_from_slice(frame);
                len
            })
            .map_err(|e| e.to_string())?;
        sent += n as u64;
    }
    tx.flush().map_err(|e| e.to_string())?;
    Ok((sent, t0.elapsed()))
}

fn run(a: &Args) -> Result<(), String> {
    let frame = syn_frame(a, interface_mac(&a.ifname)?);
    let steer = SteerConfig {
        v4_first: u32::from(a.src),
        v4_count: 1,
        port_first: SOURCE_PORT,
        port_count: SOURCE_PORTS,
        ..SteerConfig::default()
    };
    let mut driver = AfXdp::new(&a.ifname, &steer).map_err(|e| e.to_string())?;
    let queues = driver.capabilities().queues;
    if a.threads > queues {
        return Err(format!(
            "{} has {queues} queue(s): at most {queues} thread(s)",
            a.ifname
        ));
    }
    let allowed = core_affinity::get_core_ids().unwrap_or_default();
    // As a scan places its transmit threads: thread k on the (k+1)-th allowed CPU.
    let cpus: Vec<Option<core_affinity::CoreId>> = (0..a.threads)
        .map(|k| match &a.cpus {
            Some(list) => list.get(k).map(|&id| core_affinity::CoreId { id }),
            None => (allowed.len() > 1).then(|| allowed[(k + 1) % allowed.len()]),
        })
        .collect();
    let mut halves = Vec::new();
    for k in 0..a.threads {
        halves.push(driver.open_queue(k).map_err(|e| e.to_string())?);
    }
    let share =
        |k: usize| a.count / a.threads as u64 + u64::from((k as u64) < a.count % a.threads as u64);
    let results: Vec<Result<(u64, Duration), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = halves
            .iter_mut()
            .enumerate()
            .map(|(k, (tx, _rx))| {
                let (frame, cpu, count) = (&frame, cpus[k], share(k));
                s.spawn(move || {
                    if let Some(id) = cpu {
                        if !core_affinity::set_for_current(id) {
                            return Err(format!("could not pin thread {k} to CPU {}", id.id));
                        }
                    }
                    send(tx, frame, count)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("thread panicked".into())))
            .collect()
    });
    let mut total = 0;
    let mut longest = Duration::ZERO;
    for (k, r) in results.into_iter().enumerate() {
        let (n, t) = r?;
        let cpu = cpus[k].map_or("-".to_string(), |c| c.id.to_string());
        println!(
            "thread {k} (cpu {cpu}): {n} frames in {:.3} s = {:.0} pps",
            t.as_secs_f64(),
            n as f64 / t.as_secs_f64()
        );
        total += n;
        longest = longest.max(t);
    }
    println!(
        "total: {total} frames of {} bytes in {:.3} s = {:.0} pps",
        frame.len(),
        longest.as_secs_f64(),
        total as f64 / longest.as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    match parse_args().and_then(|a| run(&a)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xdp-ceiling: {e}");
            ExitCode::FAILURE
        }
    }
}
