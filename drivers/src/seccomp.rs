//! `--seccomp`: once a scan is set up (sockets open, the XDP program attached, files open,
//! capabilities dropped), every thread of the process is confined to the system calls the
//! running loops were measured to make (`strace -f` of lab scans over each backend, with
//! banners, every output format, rotation, checkpoints, metrics and ctrl-c). Any other call
//! fails with ENOSYS, as if the kernel lacked it: a parser bug exploited by a hostile reply
//! then cannot start a program, open a socket, load or attach BPF, trace or signal another
//! process, or mount anything. ENOSYS rather than EPERM or a kill: callers that have a
//! fallback use it (glibc's thread creation falls back from clone3 to clone), and a call
//! missing from the list fails one operation with an error instead of ending the scan.

#[cfg(target_arch = "x86_64")]
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule,
};
#[cfg(target_arch = "x86_64")]
use std::collections::BTreeMap;

/// Allowed whatever their arguments: each was seen after the filter went on, in `strace -f`
/// of lab scans (AF_XDP with banners, every output format, rotation, --metrics scraped,
/// --pcap and --stats-json; AF_PACKET with two transmit and two receive threads, ctrl-c and
/// --resume; --user nobody with a checkpoint; offline), except the few marked as fallbacks.
#[cfg(target_arch = "x86_64")]
const ALLOWED: &[i64] = &[
    // Memory, threads and their waits.
    libc::SYS_brk,
    libc::SYS_mmap,
    libc::SYS_munmap,
    libc::SYS_mremap,
    libc::SYS_mprotect,
    libc::SYS_madvise,
    libc::SYS_futex,
    libc::SYS_sched_yield,
    libc::SYS_sched_getaffinity,
    libc::SYS_sched_setaffinity,
    libc::SYS_set_robust_list,
    libc::SYS_rseq,
    libc::SYS_sigaltstack,
    libc::SYS_gettid,
    libc::SYS_getpid,
    libc::SYS_exit,
    libc::SYS_exit_group,
    // Time: sleeps, and the clock where the vDSO cannot serve it (fallback).
    libc::SYS_clock_nanosleep,
    libc::SYS_clock_gettime,
    libc::SYS_gettimeofday,
    libc::SYS_getrandom,
    // Signals: ctrl-c's handler, an interrupted sleep resumed, abort on a panic.
    libc::SYS_rt_sigaction,
    libc::SYS_rt_sigprocmask,
    libc::SYS_rt_sigreturn,
    libc::SYS_restart_syscall,
    // Files already open and new ones: outputs, rotation, checkpoints (paused.conf written
    // and renamed over), a backtrace's read of the binary.
    libc::SYS_read,
    libc::SYS_write,
    libc::SYS_writev, // fallback: std's vectored writes
    libc::SYS_lseek,
    libc::SYS_openat,
    libc::SYS_close,
    libc::SYS_statx,
    libc::SYS_newfstatat, // fallback: a panic's backtrace reading the binary
    libc::SYS_fcntl,
    libc::SYS_rename,
    libc::SYS_unlink,
    libc::SYS_getcwd,
    // Sockets already open: frames and the XDP socket's wake-ups, its statistics, the
    // metrics listener's connections, redis output.
    libc::SYS_sendto,
    libc::SYS_recvfrom,
    libc::SYS_poll,
    libc::SYS_getsockopt,
    libc::SYS_accept4,
    libc::SYS_getpeername,
    libc::SYS_shutdown,
];

/// `clone` flag that makes the new task a thread of this process.
#[cfg(target_arch = "x86_64")]
const CLONE_THREAD: u64 = libc::CLONE_THREAD as u64;
/// `bpf` command that reads one element of a map (the steering program's counters).
#[cfg(target_arch = "x86_64")]
const BPF_MAP_LOOKUP_ELEM: u64 = 1;

/// The filter: [`ALLOWED`], plus `clone` for new threads only, `tgkill` to this process only
/// and `bpf` for map reads only.
#[cfg(target_arch = "x86_64")]
fn filter() -> Result<BpfProgram, seccompiler::Error> {
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        ALLOWED.iter().map(|&n| (n, Vec::new())).collect();
    let when = |arg, len, op, value| -> Result<Vec<SeccompRule>, seccompiler::Error> {
        Ok(vec![SeccompRule::new(vec![SeccompCondition::new(
            arg, len, op, value,
        )?])?])
    };
    rules.insert(
        libc::SYS_clone,
        when(
            0,
            SeccompCmpArgLen::Qword,
            SeccompCmpOp::MaskedEq(CLONE_THREAD),
            CLONE_THREAD,
        )?,
    );
    // Signals to this process's own threads only (glibc's raise, a thread's wake-up).
    rules.insert(
        libc::SYS_tgkill,
        when(
            0,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::Eq,
            u64::from(std::process::id()),
        )?,
    );
    rules.insert(
        libc::SYS_bpf,
        when(
            0,
            SeccompCmpArgLen::Dword,
            SeccompCmpOp::Eq,
            BPF_MAP_LOOKUP_ELEM,
        )?,
    );
    SeccompFilter::new(
        rules,
        SeccompAction::Errno(libc::ENOSYS as u32),
        SeccompAction::Allow,
        seccompiler::TargetArch::x86_64,
    )?
    .try_into()
    .map_err(seccompiler::Error::Backend)
}

/// Confines every thread of this process, now and later, to the running scan's calls.
#[cfg(target_arch = "x86_64")]
pub fn confine() -> Result<(), String> {
    let program = filter().map_err(|e| format!("--seccomp: cannot build the filter: {e}"))?;
    seccompiler::apply_filter_all_threads(&program)
        .map_err(|e| format!("--seccomp: the kernel refused the filter: {e}"))
}

/// The system call list was measured on x86_64 only.
#[cfg(not(target_arch = "x86_64"))]
pub fn confine() -> Result<(), String> {
    Err("--seccomp is built for x86_64 only (its list of system calls was measured there)".into())
}
