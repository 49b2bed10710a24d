//! Helpers shared by the CLI's integration tests.

/// Whether the tests run as root (network namespaces, AF_PACKET and BPF need it).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}
