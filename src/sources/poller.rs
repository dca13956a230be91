//! One tokio task per source feed: poll, send an owned update, wait, repeat.
//!
//! Each request runs under the source's timeout, and a whole poll under [`cycle_limit`]. After
//! a success the next poll waits the refresh interval ±10% jitter (so many sources do not hit
//! their servers in lockstep); after failures it backs off exponentially (refresh × 2ⁿ, capped
//! at 5 minutes), also jittered. A "refresh now" signal cuts any wait short. The task ends when the app channel closes.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{mpsc, watch};

use super::{Feed, SourceError, SourceMeta, SourcePayload, SourceUpdate};
use crate::event::Event;

/// The longest a failing source waits between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// How many request timeouts one poll may take in all. A poll can be several requests (a
/// Prometheus refresh is one query per window and selector shape, a few at a time), each
/// bounded by the source's own timeout; this is the backstop for the whole cycle.
const CYCLE_TIMEOUTS: u32 = 3;

/// The limit on one whole poll for a source whose requests time out after `timeout`.
pub fn cycle_limit(timeout: Duration) -> Duration {
    timeout.saturating_mul(CYCLE_TIMEOUTS)
}

/// Delay before the next poll: the refresh interval after a success, doubled per consecutive
/// failure up to [`MAX_BACKOFF`]; then scaled by `jitter` (0.9–1.1).
pub fn next_delay(refresh: Duration, consecutive_failures: u32, jitter: f64) -> Duration {
    let doublings = consecutive_failures.min(16);
    let base = refresh.saturating_mul(1u32 << doublings);
    let capped = if consecutive_failures > 0 {
        base.min(MAX_BACKOFF.max(refresh))
    } else {
        base
    };
    capped.mul_f64(jitter.clamp(0.5, 1.5))
}

/// A small xorshift generator for jitter; quality does not matter, independence per source does.
struct Jitter(u64);

impl Jitter {
    fn seeded(name: &str) -> Self {
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64 ^ u64::from(Utc::now().timestamp_subsec_nanos());
        for byte in name.bytes() {
            seed = (seed ^ u64::from(byte)).wrapping_mul(0x100_0000_01B3);
        }
        Self(seed | 1)
    }

    /// A factor in 0.9..1.1.
    fn next_factor(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        0.9 + (self.0 % 2001) as f64 / 10_000.0
    }
}

/// Spawns the poller for one feed. `fetch` is called once per poll.
pub fn spawn_poller<F, Fut>(
    meta: SourceMeta,
    feed: Feed,
    tx: mpsc::Sender<Event>,
    mut refresh_now: watch::Receiver<u64>,
    mut fetch: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Result<SourcePayload, SourceError>> + Send,
{
    tokio::spawn(async move {
        let mut jitter = Jitter::seeded(&meta.name);
        let mut failures = 0u32;
        loop {
            let limit = cycle_limit(meta.timeout);
            let outcome = match tokio::time::timeout(limit, fetch()).await {
                Ok(result) => result,
                Err(_) => Err(SourceError::Timeout(limit.as_millis() as u64)),
            };
            failures = if outcome.is_ok() { 0 } else { failures + 1 };
            let delay = next_delay(meta.refresh, failures, jitter.next_factor());
            let retry_at = (failures > 0)
                .then(|| Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default());
            if outcome.is_err() {
                tracing::warn!(source = %meta.name, feed = feed.as_str(), failures, "poll failed");
            }
            let update = SourceUpdate {
                source: meta.name.clone(),
                feed,
                at: Utc::now(),
                outcome,
                retry_at,
            };
            if tx.send(Event::Source(Box::new(update))).await.is_err() {
                return;
            }
            tokio::select! {
                () = crate::ticker::sleep(delay) => {}
                changed = refresh_now.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let refresh = Duration::from_secs(10);
        assert_eq!(next_delay(refresh, 0, 1.0), refresh);
        assert_eq!(next_delay(refresh, 1, 1.0), Duration::from_secs(20));
        assert_eq!(next_delay(refresh, 3, 1.0), Duration::from_secs(80));
        assert_eq!(next_delay(refresh, 10, 1.0), MAX_BACKOFF);
        assert_eq!(next_delay(refresh, 40, 1.0), MAX_BACKOFF);
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        let mut j = Jitter::seeded("prod");
        for _ in 0..1000 {
            let f = j.next_factor();
            assert!((0.9..=1.1).contains(&f), "{f}");
        }
    }
}
