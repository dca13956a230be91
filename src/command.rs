//! Side effects `update` asks for. The app runs each off the UI task; results come back as
//! [`crate::event::Event::Done`].

use crate::model::{IncidentAction, TraceSearch};

/// A side effect.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Leave the app.
    Quit,
    /// Poll every source now instead of waiting for its interval.
    RefreshNow,
    /// Deliver an acknowledge or resolve.
    Incident {
        /// Source of the incident.
        source: String,
        /// Incident id.
        incident_id: String,
        /// What to do.
        action: IncidentAction,
        /// Optional note from the responder.
        note: Option<String>,
    },
    /// Search the tracing backend.
    SearchTraces(TraceSearch),
    /// Fetch one trace.
    FetchTrace {
        /// Trace id.
        trace_id: String,
    },
}
