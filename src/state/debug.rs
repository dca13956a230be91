//! The debug pane: one service's traces and the waterfall of the selected one.

use crate::model::{Trace, TraceSummary};

/// Data fetched on demand.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Load<T> {
    /// Not asked for.
    #[default]
    Idle,
    /// Asked for, not here yet.
    Loading,
    /// Here.
    Ready(T),
    /// Failed, with the reason.
    Failed(String),
}

impl<T> Load<T> {
    /// The data, if it arrived.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Load::Ready(value) => Some(value),
            _ => None,
        }
    }
}

/// Which panel of the debug pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DebugFocus {
    /// The slow and error trace lists.
    #[default]
    Traces,
    /// The span waterfall.
    Waterfall,
}

/// Debug pane state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DebugState {
    /// The service in view.
    pub service: Option<String>,
    /// Its slowest recent traces.
    pub slow: Load<Vec<TraceSummary>>,
    /// Its recent failing traces.
    pub errors: Load<Vec<TraceSummary>>,
    /// Selected row across slow traces followed by error traces.
    pub selected_trace: usize,
    /// Id of the trace shown (or being fetched) in the waterfall.
    pub trace_id: Option<String>,
    /// The trace shown as a waterfall.
    pub trace: Load<Trace>,
    /// Selected span row in the waterfall (in display order).
    pub selected_span: usize,
    /// Which panel has focus.
    pub focus: DebugFocus,
}

impl DebugState {
    /// Slow traces followed by error traces, as the list shows them.
    pub fn listed_traces(&self) -> Vec<&TraceSummary> {
        let slow = self.slow.ready().into_iter().flatten();
        let errors = self.errors.ready().into_iter().flatten();
        slow.chain(errors).collect()
    }
}
