//! The durable outbox: every acknowledge, resolve, un-acknowledge and note a responder asks for
//! is written (and fsynced) to `outbox.jsonl` in the state dir before it is sent, retried with
//! backoff while the backend is unreachable, and resent on the next start if ondeck dies
//! first. Delivery is idempotent on the backend side, so a resend after a crash between
//! "sent" and "marked done" is harmless.
//!
//! [`store`] owns the file, [`deliver`] the sending: one lane per source delivers its entries
//! in order, so an acknowledge queued behind an outage is never overtaken by a later resolve.

pub mod cockpit;
pub mod deliver;
pub mod store;

pub use cockpit::{OutboxSetup, deliver_inline};
pub use deliver::{Context, Courier, Delivery, DeliveryState, Origin, Settled, deliver_until};
pub use store::{OutboxEntry, Store, WriteKind, outbox_path};
