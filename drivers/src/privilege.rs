//! Least privilege: once every socket is open, the XDP program attached and every file opened,
//! the scan needs no capability any more (open sockets, maps and files keep working), so it
//! drops them all: bounding, ambient, inheritable, effective and permitted. A hostile reply that
//! found a bug in a parser would then find a process that can open no raw socket, load no BPF
//! program and read no file it could not read as its user.

use caps::CapSet;

/// Drops every capability of this process, for good. Errors name what could not be dropped.
pub fn drop_all_capabilities() -> Result<(), String> {
    // The bounding set first: dropping from it needs CAP_SETPCAP, which a process given only
    // the scan's capabilities (setcap cap_net_raw,cap_net_admin,cap_bpf) lacks; its bounding
    // set then stays, harmless once the permitted set is empty.
    if caps::has_cap(None, CapSet::Effective, caps::Capability::CAP_SETPCAP).unwrap_or(false) {
        caps::clear(None, CapSet::Bounding)
            .map_err(|e| format!("cannot drop the bounding capabilities: {e}"))?;
    }
    for set in [
        CapSet::Ambient,
        CapSet::Inheritable,
        CapSet::Effective,
        CapSet::Permitted,
    ] {
        caps::clear(None, set).map_err(|e| format!("cannot drop {set:?} capabilities: {e}"))?;
    }
    Ok(())
}

/// The capabilities this process holds now (effective set), as named by the caps crate.
pub fn effective() -> Vec<String> {
    caps::read(None, CapSet::Effective)
        .map(|s| s.iter().map(|c| c.to_string()).collect())
        .unwrap_or_default()
}
