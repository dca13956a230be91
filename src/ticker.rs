//! Timers that cost one wake-up each: the cockpit's 1 Hz clock, on whole wall-clock seconds,
//! and the pollers' sleeps between refreshes.
//!
//! A tokio timer seconds away wakes the runtime two or three times (its wheel first wakes at
//! the slot that holds the deadline, then again at the deadline), which doubled the idle
//! wake-ups. A Linux `timerfd` registered with the reactor wakes it exactly once, and aligns
//! the tick to the wall clock so the header's seconds change on time. Where a timerfd cannot
//! be made, tokio's own timers do the same job with the extra wake-ups.

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

/// Sleeps for `duration`, waking the runtime once at the end.
pub async fn sleep(duration: Duration) {
    match one_shot(duration) {
        Ok(fd) => {
            if fd.readable().await.is_err() {
                // The reactor is gone (shutting down): never wake.
                std::future::pending::<()>().await;
            }
        }
        Err(error) => {
            tracing::debug!(%error, "no timerfd; sleeping on a tokio timer");
            tokio::time::sleep(duration).await;
        }
    }
}

/// A non-blocking timerfd that expires once, `duration` from now on the monotonic clock.
fn one_shot(duration: Duration) -> std::io::Result<AsyncFd<OwnedFd>> {
    // A zero expiry would disarm the timer: wait a nanosecond instead.
    let duration = duration.max(Duration::from_nanos(1));
    // SAFETY: plain syscalls on a descriptor this function creates and then owns.
    unsafe {
        let raw = libc::timerfd_create(
            libc::CLOCK_MONOTONIC,
            libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
        );
        if raw < 0 {
            return Err(std::io::Error::last_os_error());
        }
        let fd = OwnedFd::from_raw_fd(raw);
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: duration.as_secs() as libc::time_t,
                tv_nsec: duration.subsec_nanos() as libc::c_long,
            },
        };
        if libc::timerfd_settime(fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) < 0 {
            return Err(std::io::Error::last_os_error());
        }
        AsyncFd::register_with_interest(fd, Interest::READABLE).map_err(|e| e.into_parts().1)
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
    async fn a_sleep_lasts_its_duration() {
        for wanted in [Duration::ZERO, Duration::from_millis(60)] {
            let started = std::time::Instant::now();
            sleep(wanted).await;
            let slept = started.elapsed();
            assert!(
                slept >= wanted && slept < wanted + Duration::from_millis(400),
                "{slept:?}"
            );
        }
    }

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
