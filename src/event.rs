//! Everything that can wake the app loop, from every task, on one channel.

use crate::model::{IncidentAction, Trace, TraceKind, TraceSummary};
use crate::sources::{SourceError, SourceUpdate};

/// One thing that happened.
#[derive(Debug)]
pub enum Event {
    /// Terminal input (keys, resize, mouse).
    Input(crossterm::event::Event),
    /// The 1 Hz clock that ages "updated 12 s ago".
    Tick,
    /// A poller finished a poll (boxed: snapshots are large, the channel slot should not be).
    Source(Box<SourceUpdate>),
    /// A command finished.
    Done(Box<CommandResult>),
}

/// The outcome of a [`crate::command::Command`] that ran off the UI task.
#[derive(Debug, Clone, PartialEq)]
pub enum CommandResult {
    /// An acknowledge or resolve was delivered, or failed.
    Incident {
        /// Source the incident belongs to.
        source: String,
        /// Incident id.
        incident_id: String,
        /// What was asked.
        action: IncidentAction,
        /// Delivered, or why not.
        outcome: Result<(), SourceError>,
    },
    /// A trace search finished.
    Traces {
        /// Service searched.
        service: String,
        /// Slow or errors.
        kind: TraceKind,
        /// Results, or why none.
        outcome: Result<Vec<TraceSummary>, SourceError>,
    },
    /// A trace was fetched.
    Trace {
        /// Requested id.
        trace_id: String,
        /// The trace, or why not.
        outcome: Result<Trace, SourceError>,
    },
}
