//! Neighbor Solicitations for our (spoofed) IPv6 address through the classifier: which are
//! answered, with what, and which are dropped as malformed or not ours.

use super::*;
use crate::classify::{Classifier, ClassifierConfig, MAX_ANSWER};
use crate::cookie::CookieKey;
use crate::frame::Link;
use crate::testing::dual_source;
use etherparse::{LinkSlice, SlicedPacket};
use proptest::prelude::*;

const MY_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
const HOST_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const LL_MAC: [u8; 6] = [2, 0, 0, 0, 0, 0x11];

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

/// Our IPv6 source address (of [`dual_source`]) and the router that asks for it.
fn me() -> Ipv6Addr {
    ip("2001:2::2")
}
fn router() -> Ipv6Addr {
    ip("2001:2::1")
}

fn classifier(answer_nd: bool, vlan: Option<u16>) -> Classifier {
    Classifier::new(ClassifierConfig {
        link: Link {
            vlan,
            ..Link::new(MY_MAC)
        },
        answer_nd,
        ..ClassifierConfig::new(CookieKey::from_seed(3), dual_source("40000"))
    })
}

/// A solicitation's fields, valid by default: from the router, with its link-layer address,
/// to our solicited-node group, asking for our address.
#[derive(Clone)]
struct Ns {
    src: Ipv6Addr,
    dst: Ipv6Addr,
    target: Ipv6Addr,
    hop: u8,
    code: u8,
    opts: Vec<u8>,
}

impl Ns {
    fn new() -> Self {
        let mut opts = vec![OPT_SOURCE_LL, 1];
        opts.extend_from_slice(&LL_MAC);
        Self {
            src: router(),
            dst: solicited_node(me()).0,
            target: me(),
            hop: 255,
            code: 0,
            opts,
        }
    }

    /// The frame, with a correct ICMPv6 checksum (etherparse computes it).
    fn frame(&self) -> Vec<u8> {
        let mut body = self.target.octets().to_vec();
        body.extend_from_slice(&self.opts);
        let dst_mac = if self.dst.is_multicast() {
            let o = self.dst.octets();
            [0x33, 0x33, o[12], o[13], o[14], o[15]]
        } else {
            MY_MAC
        };
        let mut v = Vec::new();
        PacketBuilder::ethernet2(HOST_MAC, dst_mac)
            .ipv6(self.src.octets(), self.dst.octets(), self.hop)
            .icmpv6_raw(NEIGHBOR_SOLICITATION, self.code, [0; 4])
            .write(&mut v, &body)
            .unwrap();
        v
    }
}

/// The answer of a classifier to `frame` (its bytes) and the classifier after it.
fn answer(frame: &[u8], answer_nd: bool, vlan: Option<u16>) -> (Vec<u8>, Classifier) {
    let mut c = classifier(answer_nd, vlan);
    let mut buf = [0u8; MAX_ANSWER];
    let o = c.handle(frame, 5, &mut buf);
    assert_eq!(o.record, None, "a solicitation is never a result");
    (buf[..o.answer_len].to_vec(), c)
}

/// An advertisement's fields as etherparse reads them back: (Ethernet destination, source,
/// VLAN, IPv6 source, destination, hop limit, flags byte, target, target link-layer option).
type Read = (
    [u8; 6],
    [u8; 6],
    Option<u16>,
    Ipv6Addr,
    Ipv6Addr,
    u8,
    u8,
    Ipv6Addr,
    Vec<u8>,
);

fn read_back(na: &[u8]) -> Read {
    let p = SlicedPacket::from_ethernet(na).expect("etherparse reads the advertisement");
    let Some(LinkSlice::Ethernet2(eth)) = &p.link else {
        panic!("no Ethernet header")
    };
    let vlan = p.vlan.as_ref().map(|v| match v {
        etherparse::VlanSlice::SingleVlan(s) => s.vlan_identifier().value(),
        etherparse::VlanSlice::DoubleVlan(_) => panic!("two tags"),
    });
    let Some(NetSlice::Ipv6(ip6)) = &p.net else {
        panic!("not IPv6")
    };
    let h = ip6.header();
    let Some(TransportSlice::Icmpv6(icmp)) = &p.transport else {
        panic!("not ICMPv6")
    };
    assert_eq!(
        (icmp.type_u8(), icmp.code_u8()),
        (NEIGHBOR_ADVERTISEMENT, 0)
    );
    assert!(
        icmp.is_checksum_valid(h.source(), h.destination()),
        "checksum"
    );
    let body = icmp.payload();
    (
        eth.destination(),
        eth.source(),
        vlan,
        h.source_addr(),
        h.destination_addr(),
        h.hop_limit(),
        icmp.slice()[4],
        Ipv6Addr::from(<[u8; 16]>::try_from(&body[..16]).unwrap()),
        body[16..].to_vec(),
    )
}

fn tlla() -> Vec<u8> {
    let mut v = vec![OPT_TARGET_LL, 1];
    v.extend_from_slice(&MY_MAC);
    v
}

#[test]
fn a_solicitation_for_our_address_gets_a_solicited_override_advertisement_from_our_mac() {
    let (na, c) = answer(&Ns::new().frame(), true, None);
    assert_eq!(na.len(), 14 + 40 + 8 + 16 + 8);
    assert_eq!(
        read_back(&na),
        (
            LL_MAC, // the source link-layer option, not the frame's source
            MY_MAC,
            None,
            me(),
            router(),
            255,
            FLAG_SOLICITED | FLAG_OVERRIDE,
            me(),
            tlla()
        )
    );
    let n = c.counters();
    assert_eq!((n.nd_answered, n.arp_answered, n.malformed), (1, 0, 0));
    assert_eq!((n.not_ours, n.open), (0, 0));
}

#[test]
fn without_the_option_the_answer_goes_to_the_frames_source_and_carries_our_vlan() {
    // A reachability check: unicast to our address, no source link-layer option.
    let ns = Ns {
        dst: me(),
        opts: vec![],
        ..Ns::new()
    };
    let (na, c) = answer(&ns.frame(), true, Some(7));
    let r = read_back(&na);
    assert_eq!((r.0, r.1, r.2, r.4), (HOST_MAC, MY_MAC, Some(7), router()));
    assert_eq!(r.6, FLAG_SOLICITED | FLAG_OVERRIDE);
    assert_eq!(c.counters().nd_answered, 1);
}

#[test]
fn duplicate_address_detection_from_unspecified_is_answered_to_all_nodes_unsolicited() {
    let ns = Ns {
        src: Ipv6Addr::UNSPECIFIED,
        opts: vec![],
        ..Ns::new()
    };
    let (na, _) = answer(&ns.frame(), true, None);
    assert_eq!(
        read_back(&na),
        (
            ALL_NODES_MAC,
            MY_MAC,
            None,
            me(),
            ip("ff02::1"),
            255,
            FLAG_OVERRIDE,
            me(),
            tlla()
        )
    );
}

/// `frame` gets no answer and counts once under `malformed` (true) or `not ours` (false).
fn dropped(frame: &[u8], malformed: bool, why: &str) {
    let (na, c) = answer(frame, true, None);
    assert!(na.is_empty(), "{why}: answered");
    let n = c.counters();
    assert_eq!(n.nd_answered, 0, "{why}");
    assert_eq!(
        (n.malformed, n.not_ours),
        if malformed { (1, 0) } else { (0, 1) },
        "{why}"
    );
}

#[test]
fn solicitations_that_break_a_rule_or_ask_for_another_address_are_not_answered() {
    let v = Ns::new();
    let other = Ns {
        target: ip("2001:2::3"),
        dst: solicited_node(ip("2001:2::3")).0,
        ..v.clone()
    };
    dropped(&other.frame(), false, "another address");
    dropped(
        &Ns {
            hop: 254,
            ..v.clone()
        }
        .frame(),
        true,
        "hop limit 254",
    );
    dropped(
        &Ns {
            code: 1,
            ..v.clone()
        }
        .frame(),
        true,
        "code 1",
    );
    let multicast = Ns {
        target: ip("ff02::1"),
        ..v.clone()
    };
    dropped(&multicast.frame(), true, "multicast target");
    let unspecified = Ns {
        target: Ipv6Addr::UNSPECIFIED,
        ..v.clone()
    };
    dropped(&unspecified.frame(), true, "target ::");
    let zero_len = Ns {
        opts: vec![OPT_SOURCE_LL, 0, 1, 2, 3, 4, 5, 6],
        ..v.clone()
    };
    dropped(&zero_len.frame(), true, "option of length 0");
    let past_end = Ns {
        opts: vec![OPT_SOURCE_LL, 2, 1, 2, 3, 4, 5, 6],
        ..v.clone()
    };
    dropped(&past_end.frame(), true, "option past the end");
    let short_opt = Ns {
        opts: vec![OPT_SOURCE_LL],
        ..v.clone()
    };
    dropped(&short_opt.frame(), true, "option cut after its type");
    let dad_with_ll = Ns {
        src: Ipv6Addr::UNSPECIFIED,
        ..v.clone()
    };
    dropped(
        &dad_with_ll.frame(),
        true,
        "from :: with a link-layer option",
    );
    let dad_unicast = Ns {
        src: Ipv6Addr::UNSPECIFIED,
        dst: me(),
        opts: vec![],
        ..v.clone()
    };
    dropped(
        &dad_unicast.frame(),
        true,
        "from :: not to a solicited-node group",
    );
    // A body shorter than a target address: 8 bytes of it.
    let mut short = Vec::new();
    PacketBuilder::ethernet2(HOST_MAC, MY_MAC)
        .ipv6(router().octets(), me().octets(), 255)
        .icmpv6_raw(NEIGHBOR_SOLICITATION, 0, [0; 4])
        .write(&mut short, &me().octets()[..8])
        .unwrap();
    dropped(&short, true, "short body");
    // Any bit flipped in the addresses or the ICMPv6 part fails the checksum (or, in its type,
    // makes it another message).
    let good = v.frame();
    for bit in 22 * 8..good.len() * 8 {
        let mut bad = good.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let (na, c) = answer(&bad, true, None);
        assert!(na.is_empty(), "bit {bit} flipped: answered");
        assert_eq!(c.counters().nd_answered, 0, "bit {bit}");
    }
    // Other ICMPv6 (an advertisement) is no solicitation: the usual path, not ours.
    let mut adv = good.clone();
    adv[54] = NEIGHBOR_ADVERTISEMENT;
    dropped(&adv, false, "an advertisement");
}

#[test]
fn the_kernels_own_address_is_left_to_the_kernel() {
    let (na, c) = answer(&Ns::new().frame(), false, None);
    assert!(na.is_empty());
    assert_eq!((c.counters().nd_answered, c.counters().not_ours), (0, 1));
}

#[test]
fn a_solicitation_cut_at_any_byte_is_not_answered() {
    for frame in [
        Ns::new().frame(),
        Ns {
            opts: vec![],
            ..Ns::new()
        }
        .frame(),
    ] {
        for cut in 0..frame.len() {
            let (na, c) = answer(&frame[..cut], true, None);
            assert!(na.is_empty(), "cut at {cut}: answered");
            assert_eq!(c.counters().nd_answered, 0, "cut at {cut}");
        }
        // Ethernet padding after the packet changes nothing.
        let mut padded = frame.clone();
        padded.extend_from_slice(&[0; 10]);
        assert_eq!(answer(&padded, true, None).0, answer(&frame, true, None).0);
    }
}

#[test]
fn an_answer_too_big_for_the_buffer_is_not_written() {
    let ns = Solicitation {
        source: router(),
        target: me(),
        reply_mac: HOST_MAC,
    };
    let mut buf = [0u8; 85];
    assert_eq!(write_advertisement(&ns, MY_MAC, None, &mut buf), 0);
    let mut buf = [0u8; 86];
    assert_eq!(write_advertisement(&ns, MY_MAC, None, &mut buf), 86);
    let mut buf = [0u8; MAX_ANSWER];
    assert_eq!(write_advertisement(&ns, MY_MAC, Some(4095), &mut buf), 90);
}

/// Whatever the classifier answers to `frame`, it is a well-formed advertisement for our
/// address from our MAC.
fn any_answer_is_ours(frame: &[u8]) -> Result<(), TestCaseError> {
    let (na, _) = answer(frame, true, None);
    if !na.is_empty() {
        let r = read_back(&na);
        prop_assert_eq!((r.1, r.3, r.5, r.7), (MY_MAC, me(), 255, me()));
        prop_assert_eq!(r.8, tlla());
    }
    Ok(())
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_or_draw_a_wrong_answer(
        frame in proptest::collection::vec(any::<u8>(), 0..200)
    ) {
        any_answer_is_ours(&frame)?;
    }

    #[test]
    fn a_solicitation_with_any_byte_changed_is_answered_rightly_or_not_at_all(
        at in 0usize..86, value: u8, extra in proptest::collection::vec(any::<u8>(), 0..24)
    ) {
        let mut ns = Ns::new();
        ns.opts.extend_from_slice(&extra);
        let mut frame = ns.frame();
        frame[at] = value;
        any_answer_is_ours(&frame)?;
    }

    #[test]
    fn solicitations_with_arbitrary_options_are_answered_iff_every_option_is_well_formed(
        extra in proptest::collection::vec(any::<u8>(), 0..40), hop: u8
    ) {
        let ns = Ns { hop, opts: extra.clone(), ..Ns::new() };
        let (na, c) = answer(&ns.frame(), true, None);
        let well_formed = {
            let mut o = &extra[..];
            loop {
                match o {
                    [] => break true,
                    [_] | [_, 0, ..] => break false,
                    [_, n, ..] if usize::from(*n) * 8 > o.len() => break false,
                    [_, n, ..] => o = &o[usize::from(*n) * 8..],
                }
            }
        };
        prop_assert_eq!(!na.is_empty(), well_formed && hop == 255);
        prop_assert_eq!(c.counters().malformed, u64::from(na.is_empty()));
        if !na.is_empty() {
            // The option list decides where the answer goes: the last source link-layer option.
            let mut mac = HOST_MAC;
            let mut o = &extra[..];
            while let [kind, n, ..] = o {
                if *kind == OPT_SOURCE_LL {
                    mac.copy_from_slice(&o[2..8]);
                }
                o = &o[usize::from(*n) * 8..];
            }
            prop_assert_eq!(read_back(&na).0, mac);
        }
    }
}
