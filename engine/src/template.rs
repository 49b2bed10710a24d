//! What every probe kind's template is built from: the scan's [`TemplateParams`] (our link,
//! the next hop's MAC, the SYN's TCP options) and the Ethernet and IP step with zero addresses
//! (`ip_step`) that each kind puts its transport on. The templates themselves live beside
//! their kinds in [`crate::probe`] (the SYN's in `probe/tcp_syn/template.rs`).

use crate::frame::Link;
use etherparse::PacketBuilder;

/// Link and IP settings shared by all probes of a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateParams {
    /// Our MAC, VLAN tag and TTL.
    pub link: Link,
    pub dst_mac: [u8; 6],
    /// The SYN's TCP options and what else shapes it (`--tcp-mss`, `--badsum`, ...).
    pub syn: SynShape,
    /// TCP window (masscan sends 1025).
    pub window: u16,
    /// A TCP timestamp option in each SYN whose value is the send time in milliseconds: the
    /// SYN-ACK echoes it, so each reply gives a round-trip time with no state kept (`--metrics`).
    pub timestamps: bool,
    /// `--coverage`: each SYN's sequence number is its cookie plus its attempt (which of the
    /// target's retries it is), so a reply says which probe it answers. Off, every retry is
    /// the same SYN, as the original sends.
    pub attempts: bool,
}

impl Default for TemplateParams {
    fn default() -> Self {
        Self {
            link: Link::default(),
            dst_mac: [0; 6],
            syn: SynShape::default(),
            window: 1025,
            timestamps: false,
            attempts: false,
        }
    }
}

/// What the SYN carries besides the scan's addresses: its TCP options (`--tcp-mss`,
/// `--tcp-sackok`, `--tcp-wscale`, `--tcp-tsecho`; the original's defaults: only MSS 1460), a
/// payload of zeros (`--data-length`), a deliberately wrong TCP checksum (`--badsum`), and the
/// least frame length (`--min-packet`, zero-padded as Ethernet pads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynShape {
    pub mss: Option<u16>,
    pub sack_ok: bool,
    pub wscale: Option<u8>,
    /// The timestamp option's value (TSval); `--metrics` writes the send time there instead.
    pub tsval: Option<u32>,
    pub data_length: u16,
    pub badsum: bool,
    pub min_frame: usize,
}

impl Default for SynShape {
    fn default() -> Self {
        Self {
            mss: Some(crate::config::defaults::TCP_MSS),
            sack_ok: false,
            wscale: None,
            tsval: None,
            data_length: 0,
            badsum: false,
            min_frame: crate::frame::MIN_FRAME,
        }
    }
}

/// The longest frame a template may be: an Ethernet frame of 1500 bytes of IP, tagged.
pub const MAX_FRAME: usize = 14 + 4 + 1500;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("VLAN id {0} is out of range (0-4095)")]
    BadVlan(u16),
    #[error("the probe would be {0} bytes, more than a 1500-byte MTU allows (--data-length, --min-packet)")]
    TooLong(usize),
}

/// The Ethernet (802.1Q-tagged with the link's VLAN) and IPv4 or IPv6 step of a probe
/// template, with zero addresses: each probe kind adds its transport and writes the frame.
pub(crate) fn ip_step(
    params: &TemplateParams,
    v6: bool,
) -> Result<etherparse::PacketBuilderStep<etherparse::IpHeaders>, TemplateError> {
    let Link { mac, vlan, ttl } = params.link;
    let eth = PacketBuilder::ethernet2(mac, params.dst_mac);
    Ok(match (vlan, v6) {
        (None, false) => eth.ipv4([0; 4], [0; 4], ttl),
        (None, true) => eth.ipv6([0; 16], [0; 16], ttl),
        (Some(id), v6) => {
            let vid = etherparse::VlanId::try_new(id).map_err(|_| TemplateError::BadVlan(id))?;
            let tagged = eth.single_vlan(vid);
            if v6 {
                tagged.ipv6([0; 16], [0; 16], ttl)
            } else {
                tagged.ipv4([0; 4], [0; 4], ttl)
            }
        }
    })
}
