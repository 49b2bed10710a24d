//! Time, as the engine's loops are given it: the engine reads no clock and never sleeps on its
//! own. A [`Clock`] says what time it is (monotonic, and Unix seconds for results) and lets
//! time pass when a loop must wait (the throttle); the real one is `masscan_drivers::clock`,
//! tests use a manual one that moves only when told.

use std::time::Duration;

/// Where the loops' time comes from.
pub trait Clock {
    /// Nanoseconds on a monotonic clock (any origin).
    fn monotonic_ns(&self) -> u64;

    /// Milliseconds on the same clock.
    fn monotonic_ms(&self) -> u64 {
        self.monotonic_ns() / 1_000_000
    }

    /// Seconds since the Unix epoch.
    fn unix_secs(&self) -> u32;

    /// Lets about `d` pass: the calling thread waits (a real clock sleeps for long waits and
    /// spins for short ones; a manual clock just moves on).
    fn pause(&self, d: Duration);
}
