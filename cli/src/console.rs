//! Console lines on stdout and stderr that never panic: `println!` and `eprintln!` panic when
//! the reader has gone (`masscan ... 2>&1 | head -1`: EPIPE, since Rust ignores SIGPIPE), and a
//! panic in a scan thread aborts the process with output files half written. Here a failed
//! console write raises one flag instead ([`closed`]); the scan watches it as it watches
//! SIGINT, stops, and closes every output file validly.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether a write to stdout or stderr has failed (the reader went away).
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Records that stdout or stderr is gone.
pub fn mark_closed() {
    CLOSED.store(true, Ordering::Relaxed);
}

/// Writes `args` to stdout (`err == false`) or stderr, flushing; a failure raises [`closed`].
pub fn write(err: bool, args: std::fmt::Arguments<'_>) {
    let r = if err {
        let mut e = std::io::stderr().lock();
        e.write_fmt(args).and_then(|_| e.flush())
    } else {
        let mut o = std::io::stdout().lock();
        o.write_fmt(args).and_then(|_| o.flush())
    };
    if r.is_err() {
        mark_closed();
    }
}

/// `println!` that cannot panic (see the module doc).
macro_rules! outln {
    () => { $crate::console::write(false, format_args!("\n")) };
    ($($t:tt)*) => { $crate::console::write(false, format_args!("{}\n", format_args!($($t)*))) };
}

/// `print!` that cannot panic.
macro_rules! out {
    ($($t:tt)*) => { $crate::console::write(false, format_args!($($t)*)) };
}

/// `eprintln!` that cannot panic.
macro_rules! errln {
    () => { $crate::console::write(true, format_args!("\n")) };
    ($($t:tt)*) => { $crate::console::write(true, format_args!("{}\n", format_args!($($t)*))) };
}

/// `eprint!` that cannot panic.
macro_rules! err {
    ($($t:tt)*) => { $crate::console::write(true, format_args!($($t)*)) };
}

pub(crate) use {err, errln, out, outln};

#[cfg(test)]
mod tests {
    #[test]
    fn formats_like_println() {
        // Writing to the test's stdout and stderr works and leaves the flag down.
        outln!("a {}", 1);
        errln!("b {x}", x = 2);
        out!("");
        err!("");
        outln!();
        assert!(!super::closed());
    }
}
