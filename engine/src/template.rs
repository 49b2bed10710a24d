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
    /// TCP MSS option value.
    pub mss: u16,
    /// TCP window (masscan sends 1025).
    pub window: u16,
    /// A TCP timestamp option in each SYN whose value is the send time in milliseconds: the
    /// SYN-ACK echoes it, so each reply gives a round-trip time with no state kept (`--metrics`).
    pub timestamps: bool,
}

impl Default for TemplateParams {
    fn default() -> Self {
        Self {
            link: Link::default(),
            dst_mac: [0; 6],
            mss: 1460,
            window: 1025,
            timestamps: false,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    #[error("VLAN id {0} is out of range (0-4095)")]
    BadVlan(u16),
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
