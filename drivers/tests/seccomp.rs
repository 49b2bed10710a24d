//! `--seccomp`'s filter applied to a real process: this test runs itself again as a child,
//! which confines itself and then checks what a running scan needs still works (threads,
//! files written, renamed and removed, the clock, sleeps) and what an attacker would want
//! fails with ENOSYS (starting a program, opening a socket, any bpf call but a map read,
//! signalling another process). No root needed: the filter goes on under no_new_privs.

#![cfg(target_arch = "x86_64")]

use std::process::Command;

const CHILD: &str = "MASSCAN_SECCOMP_TEST_CHILD";

#[test]
fn a_confined_process_keeps_threads_and_files_and_loses_programs_sockets_and_bpf() {
    if std::env::var_os(CHILD).is_some() {
        confined_checks();
        return;
    }
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me)
        .args([
            "--exact",
            "a_confined_process_keeps_threads_and_files_and_loses_programs_sockets_and_bpf",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("confined: every check passed"), "{text}");
}

fn enosys<T: std::fmt::Debug>(what: &str, r: std::io::Result<T>) {
    match r {
        Err(e) => assert_eq!(e.raw_os_error(), Some(libc::ENOSYS), "{what}: {e}"),
        Ok(v) => panic!("{what} worked under the filter: {v:?}"),
    }
}

/// A raw call's result: negative is the error in errno.
fn os_result(r: i64) -> std::io::Result<i64> {
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Runs in the child: the filter on, then what must work and what must not.
fn confined_checks() {
    let dir = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listening = listener.local_addr().unwrap();
    masscan_drivers::seccomp::confine().unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    assert!(status.contains("\nSeccomp:\t2\n"), "{status}");

    // What a running scan does.
    assert_eq!(std::thread::spawn(|| 6 * 7).join().unwrap(), 42);
    let (a, b) = (dir.path().join("a.tmp"), dir.path().join("paused.conf"));
    std::fs::write(&a, "resume-index = 7\n").unwrap();
    std::fs::rename(&a, &b).unwrap();
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "resume-index = 7\n");
    std::fs::remove_file(&b).unwrap();
    let t = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert!(t.elapsed().as_millis() >= 5);

    // What it never does.
    enosys("a program", Command::new("/bin/true").status());
    enosys("a socket", std::net::UdpSocket::bind("127.0.0.1:0"));
    enosys("a connection", std::net::TcpStream::connect(listening));
    // SAFETY: bpf(BPF_PROG_LOAD) with a null attribute pointer: refused by the filter before
    // the kernel would read it (without the filter: EFAULT).
    let r = unsafe { libc::syscall(libc::SYS_bpf, 5, std::ptr::null::<u8>(), 0) };
    enosys("bpf(BPF_PROG_LOAD)", os_result(r));
    // SAFETY: kill with signal 0 only asks whether the process exists; sends nothing.
    let r = unsafe { libc::kill(1, 0) };
    enosys("kill(1, 0)", os_result(i64::from(r)));
    println!("confined: every check passed");
}
