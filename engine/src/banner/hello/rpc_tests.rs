use super::*;

/// A reply record: xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier, `state`, then `words`.
pub(crate) fn reply(xid: u32, state: u32, words: &[u32]) -> Vec<u8> {
    let mut w = vec![xid, 1, 0, 0, 0, state];
    w.extend_from_slice(words);
    let mut r = (0x8000_0000 | (4 * w.len()) as u32).to_be_bytes().to_vec();
    for x in w {
        r.extend_from_slice(&x.to_be_bytes());
    }
    r
}

/// rpcbind's DUMP answer: portmapper v4,3,2 on tcp and udp 111, and status v1 on udp.
pub(crate) fn dump() -> Vec<u8> {
    let mut words = Vec::new();
    for (prog, vers, prot, port) in [
        (100_000, 4, 6, 111),
        (100_000, 3, 6, 111),
        (100_000, 2, 6, 111),
        (100_000, 2, 17, 111),
        (100_024, 1, 17, 45_000),
    ] {
        words.extend_from_slice(&[1, prog, vers, prot, port]);
    }
    words.push(0);
    reply(XID_DUMP, 0, &words)
}

fn run(replies: &[Vec<u8>]) -> (Vec<u8>, Vec<Found>) {
    let chunks: Vec<&[u8]> = replies.iter().map(Vec::as_slice).collect();
    crate::banner::parser::drive(start, crate::banner::hello::tests::IP, &chunks)
}

#[test]
fn hello_is_the_originals_rpc_check() {
    let mut out = Vec::new();
    start(
        crate::banner::hello::tests::IP,
        &BannerConfig::default(),
        &mut out,
    );
    assert_eq!(out.len(), 44);
    assert_eq!(be32(&out, 0), Some(0x8000_0028));
    assert_eq!(be32(&out, 16), Some(PORTMAPPER));
    assert_eq!(be32(&out, 20), Some(NO_SUCH_VERSION));
}

#[test]
fn mismatch_then_dump() {
    let (sent, found) = run(&[reply(XID_PROBE, 2, &[2, 4]), dump()]);
    assert_eq!(be32(&sent, 44 + 4), Some(XID_DUMP));
    assert_eq!(be32(&sent, 44 + 24), Some(DUMP));
    assert_eq!(
        String::from_utf8_lossy(&found[0].text),
        "RPC portmapper, PROG_MISMATCH: versions 2-4; programs: 100000(portmapper) v4,3,2 \
         tcp/111, 100000(portmapper) v2 udp/111, 100024(status) v1 udp/45000"
    );
}

#[test]
fn a_dump_reply_in_the_same_read_is_kept() {
    let both = [reply(XID_PROBE, 2, &[2, 4]), dump()].concat();
    let (_, found) = run(&[both]);
    assert!(String::from_utf8_lossy(&found[0].text).contains("100024(status) v1 udp/45000"));
}

#[test]
fn nfs_port_denied_and_fragments() {
    let (sent, found) = run(&[reply(XID_PROBE, 1, &[])]);
    assert_eq!(sent.len(), 44, "no DUMP where there is no portmapper");
    assert_eq!(found[0].text, b"RPC, portmapper PROG_UNAVAIL");
    let denied = {
        let mut r = 0x8000_0014u32.to_be_bytes().to_vec();
        for w in [XID_PROBE, 1, 1, 1, 5] {
            r.extend_from_slice(&w.to_be_bytes());
        }
        r
    };
    assert_eq!(run(&[denied]).1[0].text, b"RPC denied: AUTH_ERROR 5");
    // The same reply in two fragments.
    let whole = reply(XID_PROBE, 1, &[]);
    let body = &whole[4..];
    let mut two = (8u32).to_be_bytes().to_vec();
    two.extend_from_slice(&body[..8]);
    two.extend_from_slice(&(0x8000_0000 | (body.len() - 8) as u32).to_be_bytes());
    two.extend_from_slice(&body[8..]);
    assert_eq!(run(&[two]).1[0].text, b"RPC, portmapper PROG_UNAVAIL");
}

/// Found by AFL: a verifier length near 2^32 must not overflow the offset past it.
#[test]
fn a_verifier_length_past_the_end_is_a_cut() {
    let mut r = reply(XID_PROBE, 2, &[2, 4]);
    r[20..24].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(run(&[r]).1[0].text, b"RPC: reply cut short");
}

#[test]
fn every_cut() {
    let first = reply(XID_PROBE, 2, &[2, 4]);
    for n in 1..first.len() {
        let (_, found) = run(&[first[..n].to_vec()]);
        assert!(String::from_utf8_lossy(&found[0].text).starts_with("RPC"));
    }
    let d = dump();
    for n in 0..d.len() {
        let (_, found) = run(&[first.clone(), d[..n].to_vec()]);
        assert!(String::from_utf8_lossy(&found[0].text).starts_with("RPC portmapper"));
    }
}
