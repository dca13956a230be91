//! Durable records of what responders did. [`audit`] is the append-only audit log.

pub mod audit;

pub use audit::{AuditEntry, Verdict, append, audit_path, read_all, verify};
