//! The debug pane's on-demand questions to the backends: a `:promql` query, exemplars of a
//! service's latency histogram, a service's trends over a longer range, and the service
//! graph. `update` asks with an [`ExploreCommand`]; the app runs [`perform`] off the UI task
//! and hands the [`ExploreResult`] back.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Backends, Clock, MetricsSource, SourceError, TraceSource};
use crate::model::{Dependency, Exemplar, QueryAnswer, ServiceMetrics};
use crate::slo::Window;

/// How long one question may take before it counts as failed.
pub const EXPLORE_TIMEOUT: Duration = Duration::from_secs(20);

/// A question for the backends.
#[derive(Debug, Clone, PartialEq)]
pub enum ExploreCommand {
    /// Run PromQL against the first metrics source.
    Promql {
        /// The expression.
        expr: String,
        /// `None` for an instant query; else how far back the range query reaches.
        range: Option<Window>,
    },
    /// Exemplars of a service's latency histogram over a window.
    Exemplars {
        /// The service.
        service: String,
        /// Window start.
        start: DateTime<Utc>,
        /// Window end.
        end: DateTime<Utc>,
    },
    /// A service's trends over a range other than the polled hour.
    Trends {
        /// The service.
        service: String,
        /// How far back.
        range: Window,
    },
    /// The tracing backend's service graph.
    Dependencies,
}

/// What a question got.
#[derive(Debug, Clone, PartialEq)]
pub enum ExploreResult {
    /// A `:promql` answer.
    Promql {
        /// The expression asked.
        expr: String,
        /// The answer, or why not.
        outcome: Result<QueryAnswer, SourceError>,
    },
    /// Exemplars for a service.
    Exemplars {
        /// The service asked about.
        service: String,
        /// Found exemplars (possibly none), or why not.
        outcome: Result<Vec<Exemplar>, SourceError>,
    },
    /// Trends for a service over a range.
    Trends {
        /// The service asked about.
        service: String,
        /// The range asked for.
        range: Window,
        /// The trends, or why not.
        outcome: Result<ServiceMetrics, SourceError>,
    },
    /// The service graph.
    Dependencies {
        /// Its edges, or why not.
        outcome: Result<Vec<Dependency>, SourceError>,
    },
}

async fn bounded<T>(work: impl Future<Output = Result<T, SourceError>>) -> Result<T, SourceError> {
    tokio::time::timeout(EXPLORE_TIMEOUT, work)
        .await
        .unwrap_or_else(|_| Err(SourceError::Timeout(EXPLORE_TIMEOUT.as_millis() as u64)))
}

fn no_metrics() -> SourceError {
    SourceError::Rejected("no metrics source is configured".into())
}

/// Asks the backends `command` at the clock's now; never fails, the outcome says why.
pub async fn perform(backends: &Backends, clock: Clock, command: ExploreCommand) -> ExploreResult {
    let now = clock.now();
    match command {
        ExploreCommand::Promql { expr, range } => {
            let outcome = match backends.metrics.first() {
                Some((_, backend)) => bounded(backend.query(&expr, range, now)).await,
                None => Err(no_metrics()),
            };
            ExploreResult::Promql { expr, outcome }
        }
        ExploreCommand::Exemplars {
            service,
            start,
            end,
        } => {
            // Every metrics source is asked: any one of them may hold the histogram.
            let mut found = Vec::new();
            let mut failure = None;
            for (_, backend) in &backends.metrics {
                match bounded(backend.exemplars(&service, start, end)).await {
                    Ok(list) => found.extend(list),
                    Err(error) => failure = Some(error),
                }
            }
            let outcome = match failure {
                Some(error) if found.is_empty() => Err(error),
                _ => Ok(found),
            };
            ExploreResult::Exemplars { service, outcome }
        }
        ExploreCommand::Trends { service, range } => {
            let mut outcome = Err(no_metrics());
            for (_, backend) in &backends.metrics {
                match bounded(backend.service_trends(&service, range, now)).await {
                    Ok(Some(trends)) => {
                        outcome = Ok(trends);
                        break;
                    }
                    Ok(None) => {
                        outcome = Err(SourceError::Rejected(format!("no trends for {service}")))
                    }
                    Err(error) => outcome = Err(error),
                }
            }
            ExploreResult::Trends {
                service,
                range,
                outcome,
            }
        }
        ExploreCommand::Dependencies => {
            let outcome = match backends.trace_backend() {
                Some(backend) => bounded(backend.dependencies(now)).await,
                None => Err(SourceError::Rejected(
                    "no tracing source is configured".into(),
                )),
            };
            ExploreResult::Dependencies { outcome }
        }
    }
}
