//! The shape of the SYN and the answers to SYN-ACKs: `--tcp-mss`, `--tcp-wscale`,
//! `--tcp-tsecho`, `--tcp-sackok` (each `enable`, `disable` or a number, as in the original),
//! `--data-length`, `--badsum`, `--min-packet` and `--noreset`; the builder of the engine's
//! `Probe` settings.

use crate::args::UserError;
use crate::values::{self, Toggle};
use masscan_engine::config::{defaults, Probe};
use masscan_engine::frame::MIN_FRAME;
use masscan_engine::template::SynShape;

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Probe shape")]
pub struct ProbeOptions {
    /// The SYN's MSS option: a number, `enable` (1460, the default) or `disable` (none).
    #[arg(long = "tcp-mss", alias = "tcpmss", value_name = "N|enable|disable",
        value_parser = values::tcp_mss)]
    pub tcp_mss: Option<Toggle<u16>>,
    /// A window scale option in the SYN: a shift (0-14), `enable` (3) or `disable`. The banner
    /// stack then scales the window it advertises when the server scales too.
    #[arg(long = "tcp-wscale", value_name = "N|enable|disable", value_parser = values::tcp_wscale)]
    pub tcp_wscale: Option<Toggle<u8>>,
    /// A timestamp option in the SYN whose value is N (`enable`: 0x12345678); --metrics puts
    /// the send time there instead.
    #[arg(long = "tcp-tsecho", value_name = "N|enable|disable", value_parser = values::tcp_tsecho)]
    pub tcp_tsecho: Option<Toggle<u32>>,
    /// A SACK-permitted option in the SYN (`enable` or `disable`).
    #[arg(long = "tcp-sackok", value_name = "enable|disable", value_parser = values::tcp_sackok)]
    pub tcp_sackok: Option<bool>,
    /// N bytes of zeros as the SYN's payload (as nmap's --data-length; at most 1400).
    #[arg(long = "data-length", value_name = "N", value_parser = values::data_length)]
    pub data_length: Option<u16>,
    /// Send SYNs with a wrong TCP checksum (hosts drop them; middleboxes that answer anyway
    /// show themselves).
    #[arg(long = "badsum")]
    pub badsum: bool,
    /// Pad each SYN frame with zeros to at least N bytes (default 60, Ethernet's minimum
    /// without its CRC).
    #[arg(long = "min-packet", alias = "min-pkt", value_name = "N",
        value_parser = values::min_packet)]
    pub min_packet: Option<usize>,
    /// Do not answer SYN-ACKs with a RST (the banner stack's own connections still end with
    /// one).
    #[arg(long = "noreset")]
    pub noreset: bool,
}

impl ProbeOptions {
    pub fn build(&self) -> Result<Probe, UserError> {
        let d = SynShape::default();
        let syn = SynShape {
            mss: self.tcp_mss.as_ref().map_or(d.mss, |t| t.0),
            sack_ok: self.tcp_sackok.unwrap_or(d.sack_ok),
            wscale: self.tcp_wscale.as_ref().map_or(d.wscale, |t| t.0),
            tsval: self.tcp_tsecho.as_ref().map_or(d.tsval, |t| t.0),
            data_length: self.data_length.unwrap_or(0),
            badsum: self.badsum,
            min_frame: self.min_packet.unwrap_or(MIN_FRAME),
        };
        debug_assert_eq!(d.mss, Some(defaults::TCP_MSS));
        Ok(Probe {
            syn,
            noreset: self.noreset,
        })
    }
}
