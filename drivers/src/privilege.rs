//! Least privilege: once every socket is open, the XDP program attached and every file opened,
//! the scan needs no capability any more (open sockets, maps and files keep working), so it
//! drops them all: bounding, ambient, inheritable, effective and permitted. A hostile reply that
//! found a bug in a parser would then find a process that can open no raw socket, load no BPF
//! program and read no file it could not read as its user.

use caps::CapSet;
use std::ffi::CString;

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

/// The user and group ids of user `name`, for `--user`.
pub fn lookup_user(name: &str) -> Result<(libc::uid_t, libc::gid_t), String> {
    let c = CString::new(name).map_err(|_| format!("bad --user '{name}'"))?;
    // SAFETY: getpwnam takes a NUL-terminated string and returns null or a pointer to static
    // storage, read at once below before any other call could overwrite it.
    let pw = unsafe { libc::getpwnam(c.as_ptr()) };
    if pw.is_null() {
        return Err(format!("--user {name}: no such user"));
    }
    // SAFETY: `pw` is non-null and points to a valid passwd record (see above).
    Ok(unsafe { ((*pw).pw_uid, (*pw).pw_gid) })
}

/// Switches to user `name` and its group (`--user`), dropping supplementary groups; the
/// capabilities go with the switch. Needs CAP_SETUID and CAP_SETGID, so it comes before
/// [`drop_all_capabilities`].
pub fn switch_user(name: &str) -> Result<(), String> {
    let (uid, gid) = lookup_user(name)?;
    let fail = |what: &str| {
        let e = std::io::Error::last_os_error();
        Err(format!("--user {name}: {what} failed: {e}"))
    };
    // SAFETY: one group id read from a live local, count 1.
    if unsafe { libc::setgroups(1, &gid) } != 0 {
        return fail("setgroups");
    }
    // SAFETY: plain system calls on integers; glibc applies them to every thread.
    if unsafe { libc::setgid(gid) } != 0 {
        return fail("setgid");
    }
    // SAFETY: as above.
    if unsafe { libc::setuid(uid) } != 0 {
        return fail("setuid");
    }
    Ok(())
}
