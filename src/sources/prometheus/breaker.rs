//! One refresh's circuit breaker. Once the server has shown it is not answering — a timeout,
//! a refused or dropped connection, 429, or a proxy's 502/503/504 — the refresh's remaining
//! requests fail at once with that error instead of each waiting out its own timeout, four at
//! a time. A hung Prometheus then reads "timed out" after one timeout, not after the poll's
//! whole limit, and a struggling one is not sent the rest of a refresh's queries.

use std::sync::OnceLock;

use crate::sources::SourceError;

/// Whether the refresh's server has been seen not answering, and how.
#[derive(Debug, Default)]
pub struct Breaker(OnceLock<SourceError>);

impl Breaker {
    /// The error every further request of the refresh fails with, once the server is down.
    pub fn tripped(&self) -> Option<&SourceError> {
        self.0.get()
    }

    /// Records the outcome of a request; an error that says the server is down trips it.
    pub fn record<T>(&self, outcome: &Result<T, SourceError>) {
        if let Err(error) = outcome
            && server_down(error)
        {
            let _ = self.0.set(error.clone());
        }
    }
}

/// Errors about the server rather than the query: a bad query or an odd answer for one SLO
/// must not cost the other SLOs their numbers.
fn server_down(error: &SourceError) -> bool {
    match error {
        SourceError::Timeout(_) | SourceError::Unreachable(_) | SourceError::RateLimited(_) => true,
        SourceError::Http { status, .. } => matches!(status, 502..=504),
        SourceError::Malformed(_)
        | SourceError::Rejected(_)
        | SourceError::Absent(_)
        | SourceError::NotStarted(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_on_the_server_not_on_the_query() {
        let breaker = Breaker::default();
        breaker.record::<()>(&Err(SourceError::Rejected("parse error".into())));
        breaker.record::<()>(&Err(SourceError::Http {
            status: 500,
            message: "internal".into(),
        }));
        assert_eq!(breaker.tripped(), None);
        breaker.record::<()>(&Err(SourceError::Timeout(2000)));
        breaker.record::<()>(&Err(SourceError::Unreachable("later".into())));
        assert_eq!(breaker.tripped(), Some(&SourceError::Timeout(2000)));
    }
}
