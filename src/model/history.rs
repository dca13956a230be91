//! What incident backends remember of past incidents: the times MTTA and MTTR are measured
//! from. The open-incident list cannot give them (it holds only what is still open, so MTTR
//! would never appear and MTTA would cover only pages nobody has resolved yet); each backend
//! reads its own record of every incident of the window instead.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One incident of a history window, as the backend recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastIncident {
    /// Backend id.
    pub id: String,
    /// When it opened (fired, triggered).
    pub created_at: DateTime<Utc>,
    /// When it was first acknowledged, if it was and the backend says.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When it resolved (closed, stopped firing), if it did.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl PastIncident {
    /// Time from opening to the first acknowledgement.
    pub fn to_acknowledge(&self) -> Option<Duration> {
        self.acknowledged_at.map(|at| at - self.created_at)
    }

    /// Time from opening to resolution.
    pub fn to_resolve(&self) -> Option<Duration> {
        self.resolved_at.map(|at| at - self.created_at)
    }
}

/// One source's record of the incidents opened in a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentHistory {
    /// Start of the window (incidents opened at or after it).
    pub since: DateTime<Utc>,
    /// End of the window, which is when the history was read.
    pub until: DateTime<Utc>,
    /// Every incident the backend recorded as opened in the window.
    pub incidents: Vec<PastIncident>,
    /// Why this backend cannot tell when incidents were acknowledged (Alertmanager has no
    /// acknowledgement), so its incidents do not count towards MTTA.
    pub no_acknowledgements: Option<String>,
    /// Why the record is not whole (the paging cap stopped it, some acknowledgement times
    /// are still being looked up), in words the overview shows beside the numbers.
    pub incomplete: Option<String>,
}

impl IncidentHistory {
    /// An empty history of the window `since..until`.
    pub fn new(since: DateTime<Utc>, until: DateTime<Utc>) -> Self {
        Self {
            since,
            until,
            incidents: Vec::new(),
            no_acknowledgements: None,
            incomplete: None,
        }
    }

    /// Keeps only incidents opened inside the window: backends filter by other times too
    /// (Alerta by last receipt), and a record outside the window must not count.
    pub fn within_window(mut self) -> Self {
        let (since, until) = (self.since, self.until);
        self.incidents
            .retain(|i| i.created_at >= since && i.created_at <= until);
        self
    }
}

/// What a source can say about its past incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum HistoryReport {
    /// The incidents of the window, as the backend recorded them.
    Recorded(IncidentHistory),
    /// The backend keeps no history ondeck can read, and why (in words the overview shows).
    Unavailable(String),
}

/// A history read that finished, carried to the state with the next incident poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryUpdate {
    /// When the read finished (wall clock): the history's age counts from here.
    pub at: DateTime<Utc>,
    /// The history, or why it could not be read.
    pub outcome: Result<HistoryReport, String>,
}
