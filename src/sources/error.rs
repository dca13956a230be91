//! Why a source gave no data, in words a responder can act on.

use thiserror::Error;

/// A failed poll or command. Messages never contain secrets (tokens, passwords, auth headers).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SourceError {
    /// No answer within the configured timeout.
    #[error("timed out after {0} ms")]
    Timeout(u64),
    /// Could not connect or the connection dropped.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The server answered with an error status.
    #[error("HTTP {status}: {message}")]
    Http {
        /// Status code.
        status: u16,
        /// Short reason.
        message: String,
    },
    /// The answer could not be understood.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// The backend refused the request (bad query, unknown incident).
    #[error("rejected: {0}")]
    Rejected(String),
    /// The backend does not list the incident right now, but may again soon (Alertmanager
    /// after a restart, Opsgenie while it processes a new alert): a queued write retries.
    #[error("{0}")]
    Absent(String),
    /// The source could not be set up (a token or file it needs is missing), in words that
    /// name the variable or file first, so a narrow status bar still shows it. Nothing was
    /// sent. Kept apart from a refusal so a write owed to it stays owed for a run that has
    /// the secret.
    #[error("{0}")]
    NotStarted(String),
    /// HTTP 429: too many requests; try again after the given seconds, if the server said.
    #[error("rate limited (HTTP 429){}", .0.map(|s| format!(", retry after {s} s")).unwrap_or_default())]
    RateLimited(Option<u64>),
}

impl SourceError {
    /// Whether trying again later may succeed (network trouble, timeouts, 5xx, 429, and a
    /// source that could not start, which a later run with its secret can reach).
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Timeout(_)
            | SourceError::Unreachable(_)
            | SourceError::RateLimited(_)
            | SourceError::Absent(_)
            | SourceError::NotStarted(_) => true,
            SourceError::Http { status, .. } => *status == 429 || *status >= 500,
            SourceError::Malformed(_) | SourceError::Rejected(_) => false,
        }
    }

    /// The soonest a retry makes sense, when the server said (`Retry-After`).
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            SourceError::RateLimited(Some(seconds)) => {
                Some(std::time::Duration::from_secs(*seconds))
            }
            _ => None,
        }
    }
}
