//! UDP payload files: `--nmap-payloads` and `--pcap-payloads`, read and parsed before anything
//! is sent; the builder of the engine's `UdpPayloads`.

use crate::args::UserError;
use masscan_engine::config::UdpPayloads;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(next_help_heading = "UDP payloads")]
pub struct UdpOptions {
    /// UDP payloads in nmap's nmap-payloads format, sent besides the built-in ones (every
    /// payload of a port is its own probe).
    #[arg(long = "nmap-payloads", alias = "nmap-payload", value_name = "FILE")]
    pub nmap_payloads: Option<PathBuf>,
    /// UDP payloads taken from the packets of a pcap file, by destination port.
    #[arg(long = "pcap-payloads", alias = "pcap-payload", value_name = "FILE")]
    pub pcap_payloads: Option<PathBuf>,
}

impl UdpOptions {
    /// The payloads of both files, with the files' names (for --echo).
    pub fn build(&self) -> Result<UdpPayloads, UserError> {
        let mut u = UdpPayloads::default();
        use masscan_engine::udp::payload_files::{nmap_payloads, pcap_payloads};
        let read = |p: &Path, what: &str| {
            std::fs::read(p)
                .map_err(|e| UserError(format!("cannot read --{what} {}: {e}", p.display())))
        };
        if let Some(p) = &self.nmap_payloads {
            let text = String::from_utf8_lossy(&read(p, "nmap-payloads")?).into_owned();
            let name = p.display().to_string();
            u.payloads
                .extend(nmap_payloads(&text, &name).map_err(|e| UserError(e.0))?);
            u.nmap_payloads = Some(name);
        }
        if let Some(p) = &self.pcap_payloads {
            let name = p.display().to_string();
            let bytes = read(p, "pcap-payloads")?;
            u.payloads
                .extend(pcap_payloads(&bytes, &name).map_err(|e| UserError(e.0))?);
            u.pcap_payloads = Some(name);
        }
        Ok(u)
    }
}
