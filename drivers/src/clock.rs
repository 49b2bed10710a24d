//! The real clock, for the engine's loops that take time as a parameter: monotonic time since
//! the clock was made, Unix seconds, and waiting (sleeping most of a long wait, spinning
//! through a short one, as the throttle needs at millions of packets per second).

use masscan_engine::clock::Clock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The system's clocks.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    #[inline]
    fn monotonic_ns(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    #[inline]
    fn unix_secs(&self) -> u32 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as u32)
    }

    fn pause(&self, d: Duration) {
        if d > Duration::from_millis(2) {
            // Sleep most of the way: the scheduler may wake us late.
            std::thread::sleep(d - Duration::from_millis(1));
        } else if d > Duration::from_micros(100) {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}
