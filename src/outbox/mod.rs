//! The durable outbox: every acknowledge, resolve, un-acknowledge, note, silence (create,
//! extend, expire), escalate, reassign and snooze a responder confirms is appended and fsynced to `outbox.jsonl` in the state dir before the screen says
//! anything about it, delivered in queue order per backend, retried with backoff while the
//! backend cannot take it, and resent by the next run if ondeck dies first.
//!
//! Every ondeck process of one user shares the state dir — a second cockpit in another tmux
//! window, `ondeck ack` from a script — and so the outbox:
//! - [`store`]: the log, changed only under an exclusive lock on `outbox.lock` (appends and
//!   the compaction that rewrites it), so no process's line is ever lost to another's rewrite
//!   and no line is torn;
//! - [`deliver`]: one *lane* per backend, held by one process at a time through a lock file
//!   (released by the kernel when its holder dies, even by `kill -9`), so no write is sent by
//!   two processes; every attempt is recorded before it starts, so a write whose answer was
//!   lost is known to be *in doubt*, and backends check before repeating what is not
//!   idempotent (notes);
//! - [`view`]: what the on-call rows show, read from the log, not from memory;
//! - [`watch`]: noticing another process's appends (inotify);
//! - [`entry`]: what a write carries — the backend it was queued for (a write owed to a
//!   backend this config does not have is kept and listed, never refused for it) and the
//!   incident's labels.
//!
//! # When the incident is not there right now
//!
//! A queued write may meet a backend that does not list its incident at that moment. What
//! that means differs per backend, and a transient absence must never drop a write:
//!
//! | backend | not listed means | a queued write |
//! |---|---|---|
//! | Alertmanager | alerts live in memory: after a restart none are listed until Prometheus re-sends them (its resend interval, a minute by default) | acknowledge creates the silence from the group labels it carries, listed or not; un-acknowledge expires the silence with those exact matchers; a note goes into that silence's comment. A write queued without labels (by `ondeck ack` while Alertmanager was down) waits for the group to be listed again, retrying until the silence it would create would have expired, then is refused in words |
//! | PagerDuty | incidents are kept for good: 404 means no such incident (or no access) | refused with PagerDuty's reason |
//! | Opsgenie | requests are processed asynchronously: an alert created a moment ago can be missing for a few seconds | "does not exist" is retried for 10 minutes after queueing, then refused |
//! | Alerta | alerts are rows in its database, kept across restarts | 404 is refused with Alerta's reason |
//! | demo | in memory | refused when the demo does not know the incident |
//!
//! Silence writes (Alertmanager only) and escalate, reassign and snooze (PagerDuty only)
//! carry an absolute target fixed when confirmed (matchers, comment and end; a level, an
//! assignee, a snooze end), so a repeated delivery sets the same thing again; a new silence
//! is looked for (same author, matchers, comment and end) before one is posted. Other
//! backends refuse them in words (`sources::registry`).

pub mod cockpit;
pub mod deliver;
pub mod entry;
pub mod store;
pub mod view;
pub mod watch;

pub use cockpit::{OutboxSetup, WriteRequest, deliver_inline};
pub use deliver::{Context, Lane, Step};
pub use entry::{OutboxEntry, Reroute, Target, Write, WriteKind};
pub use store::{Ledger, Owed, Record, Store, outbox_path};
pub use view::{Delivery, DeliveryState};
