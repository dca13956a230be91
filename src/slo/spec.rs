//! What an SLO promises: which service, which indicator, which objective over which period.

use serde::{Deserialize, Serialize};

use super::window::Window;

/// How an SLO's good and bad events are defined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum SliKind {
    /// Requests that did not fail.
    Availability,
    /// Requests answered within `threshold_seconds`.
    Latency {
        /// The latency bound a good request stays under.
        threshold_seconds: f64,
    },
}

impl SliKind {
    /// A short label for tables: `avail` or `p<300ms`.
    pub fn short_label(&self) -> String {
        match self {
            SliKind::Availability => "avail".to_string(),
            SliKind::Latency { threshold_seconds } => {
                let ms = threshold_seconds * 1000.0;
                if ms >= 1000.0 && ms % 1000.0 == 0.0 {
                    format!("<{}s", ms / 1000.0)
                } else {
                    format!("<{ms}ms")
                }
            }
        }
    }
}

/// One service level objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloSpec {
    /// Unique within the cockpit: `service/name`.
    pub id: String,
    /// Human name, e.g. `availability` or `checkout-latency`.
    pub name: String,
    /// The service it belongs to.
    pub service: String,
    /// Target share of good events, strictly between 0 and 1 (`0.999` for 99.9%).
    pub objective: f64,
    /// The compliance period the error budget is measured over (30 days by default); for a
    /// calendar-aligned period, the length of the current one.
    pub period: Window,
    /// For a calendar-aligned period, the part of it elapsed at the evaluation instant: the
    /// SLI and budget cover this window, from the period's start. `None`: the whole period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_date: Option<Window>,
    /// What counts as a good event.
    pub sli: SliKind,
}

impl SloSpec {
    /// An SLO whose id is derived from its service and name.
    pub fn new(service: &str, name: &str, objective: f64, period: Window, sli: SliKind) -> Self {
        Self {
            id: format!("{service}/{name}"),
            name: name.to_string(),
            service: service.to_string(),
            objective,
            period,
            to_date: None,
            sli,
        }
    }

    /// The window the SLI and budget remaining cover: the elapsed part of a calendar
    /// period, else the whole period.
    pub fn budget_window(&self) -> Window {
        self.to_date.unwrap_or(self.period)
    }
}
