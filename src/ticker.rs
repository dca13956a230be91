//! The cockpit's 1 Hz clock, on whole wall-clock seconds, costing one wake-up per second.
//!
//! A tokio timer a second away wakes the runtime twice (its wheel first wakes at the 64 ms
//! slot that holds the deadline, then again at the deadline), which doubled the idle
//! wake-ups. A Linux `timerfd` registered with the reactor wakes it exactly once per tick,
//! and aligns the tick to the wall clock so the header's seconds change on time. Where a
//! timerfd cannot be made, a tokio interval does the same job with the extra wake-up.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// Time between ticks.
pub const TICK: Duration = Duration::from_secs(1);

/// Yields once per second.
pub enum Ticker {
    /// A periodic timerfd on CLOCK_REALTIME, first firing on the next whole second.
    Timerfd(AsyncFd<OwnedFd>),
    /// The portable fallback.
    Interval(tokio::time::Interval),
}

impl Ticker {
    /// A ticker; must be called inside the runtime.
    pub fn start() -> Self {
        match timerfd() {
            Ok(fd) => Ticker::Timerfd(fd),
            Err(error) => {
                tracing::debug!(%error, "no timerfd; ticking with a tokio interval");
                let mut interval =
                    tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                Ticker::Interval(interval)
            }
        }
    }

    /// Waits for the next tick. Ticks missed while the process was stopped collapse into one.
    pub async fn tick(&mut self) {
        match self {
            Ticker::Interval(interval) => {
                interval.tick().await;
            }
            Ticker::Timerfd(fd) => loop {
                let Ok(mut guard) = fd.readable().await else {
                    // The reactor is gone (shutting down): never tick again.
                    std::future::pending::<()>().await;
                    return;
                };
                let mut expirations = [0u8; 8];
                let raw = guard.get_inner().as_raw_fd();
                // SAFETY: reading 8 bytes into an 8-byte buffer from a timerfd we own.
                let read = unsafe { libc::read(raw, expirations.as_mut_ptr().cast(), 8) };
                // Either way the descriptor is drained now: the next expiry makes it ready again,
                // so the next tick waits in epoll instead of trying a read first.
                guard.clear_ready();
                if read == 8 {
                    return;
                }
            },
        }
    }
}

/// A non-blocking periodic timerfd: first expiry at the next whole wall-clock second, then
/// every second.
fn timerfd() -> std::io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: plain syscalls on a descriptor this function creates and then owns.
    unsafe {
        let raw =
            libc::timerfd_create(libc::CLOCK_REALTIME, libc::TFD_NONBLOCK | libc::TFD_CLOEXEC);
        if raw < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let fd = OwnedFd::from_raw_fd(raw);
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        libc::clock_gettime(libc::CLOCK_REALTIME, &mut now);
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: TICK.as_secs() as libc::time_t,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: now.tv_sec + 1,
                tv_nsec: 0,
            },
        };
        let flags = libc::TFD_TIMER_ABSTIME;
        if libc::timerfd_settime(fd.as_raw_fd(), flags, &spec, std::ptr::null_mut()) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        AsyncFd::register_with_interest(fd, Interest::READABLE).map_err(|e| e.into_parts().1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn ticks_land_on_whole_seconds() {
        let mut ticker = Ticker::start();
        ticker.tick().await;
        let first = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        ticker.tick().await;
        let second = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let gap = second.saturating_sub(first);
        assert!(
            gap > Duration::from_millis(900) && gap < Duration::from_millis(1500),
            "{gap:?}"
        );
        if matches!(ticker, Ticker::Timerfd(_)) {
            // Within a few tens of ms after the second turned (scheduling noise aside).
            assert!(second.subsec_millis() < 200, "{second:?}");
        }
    }
}
