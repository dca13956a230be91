//! The debug pane: one service's trends over a chosen range, its slow, failing and exemplar
//! traces, its callers and callees, the waterfall of the selected trace (laid out once per
//! trace, with folded subtrees), and the `:promql` query shown over the pane.
//!
//! Submodules: `tree` (layout and critical path), `waterfall` (folding), `query` (the
//! `:promql` view), `range` (the trends' range).

pub mod query;
pub mod range;
pub mod tree;
pub mod waterfall;

use std::borrow::Cow;

use chrono::{DateTime, Duration, Utc};

use crate::model::{Dependency, Exemplar, ServiceMetrics, Trace, TraceSummary};

pub use query::QueryView;
pub use range::TrendRange;
pub use tree::{SpanTree, TreeRow};
pub use waterfall::Waterfall;

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
    /// The logs panel (while it is open).
    Logs,
    /// The changes to the service and what it calls.
    Changes,
}

/// Why a trace is in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedKind {
    /// Among the slowest recent traces.
    Slow,
    /// A recent trace with a failed span.
    Error,
    /// Carried by an exemplar of the service's latency histogram.
    Exemplar,
}

/// One row of the trace list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Listed<'a> {
    /// Why it is listed.
    pub kind: ListedKind,
    /// The trace id to open.
    pub trace_id: &'a str,
    /// Its summary, for search results.
    pub summary: Option<&'a TraceSummary>,
    /// The exemplar, for exemplar rows.
    pub exemplar: Option<&'a Exemplar>,
}

/// Who asked for the pane's traces: an SLO or an incident, and from when its trouble counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investigation {
    /// What the responder pressed `t` on: `SLO checkout/availability`, `incident PD-1`.
    pub label: String,
    /// Searches cover from here to now.
    pub since: DateTime<Utc>,
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
    /// Selected row across slow traces, error traces, then exemplars.
    pub selected_trace: usize,
    /// Id of the trace shown (or being fetched) in the waterfall.
    pub trace_id: Option<String>,
    /// The trace shown as a waterfall.
    pub trace: Load<Trace>,
    /// Selected span row in the waterfall (among the rows not folded away).
    pub selected_span: usize,
    /// Which panel has focus.
    pub focus: DebugFocus,
    /// The shown trace laid out, and which subtrees are folded.
    pub waterfall: Waterfall,
    /// Set by `t`: whose trouble the traces are searched for, and since when.
    pub investigation: Option<Investigation>,
    /// When the trace lists were last searched; they refresh while the pane is in view.
    pub searched_at: Option<DateTime<Utc>>,
    /// The range the latency and error sparklines cover.
    pub range: TrendRange,
    /// The service's trends over [`DebugState::range`] when it is not the polled hour.
    pub trends: Load<ServiceMetrics>,
    /// When those trends were asked for: the instant their newest sample is for.
    pub trends_at: Option<DateTime<Utc>>,
    /// Trace ids from exemplars of the service's latency histogram.
    pub exemplars: Load<Vec<Exemplar>>,
    /// The tracing backend's service graph, for callers and callees.
    pub dependencies: Load<Vec<Dependency>>,
    /// The last `:promql` query and its answer.
    pub query: Option<QueryView>,
    /// No tracing source is configured: a setup without traces, which the pane states as a
    /// hint rather than reporting every search as failed.
    pub no_tracing: bool,
}

impl DebugState {
    /// Slow traces followed by error traces, as the list shows them.
    pub fn listed_traces(&self) -> Vec<&TraceSummary> {
        let slow = self.slow.ready().into_iter().flatten();
        let errors = self.errors.ready().into_iter().flatten();
        slow.chain(errors).collect()
    }

    /// Every row of the trace list: slow, then failing, then exemplar traces.
    pub fn listed(&self) -> Vec<Listed<'_>> {
        let mut out = Vec::new();
        for (load, kind) in [
            (&self.slow, ListedKind::Slow),
            (&self.errors, ListedKind::Error),
        ] {
            out.extend(load.ready().into_iter().flatten().map(|s| Listed {
                kind,
                trace_id: s.trace_id.as_str(),
                summary: Some(s),
                exemplar: None,
            }));
        }
        out.extend(
            self.exemplars
                .ready()
                .into_iter()
                .flatten()
                .map(|e| Listed {
                    kind: ListedKind::Exemplar,
                    trace_id: e.trace_id.as_str(),
                    summary: None,
                    exemplar: Some(e),
                }),
        );
        out
    }

    /// The trace id of the selected list row.
    pub fn selected_listed_id(&self) -> Option<String> {
        let listed = self.listed();
        let index = self.selected_trace.min(listed.len().checked_sub(1)?);
        listed.get(index).map(|l| l.trace_id.to_string())
    }

    /// Shows `trace` in the waterfall, laying it out once; folds nothing.
    pub fn show_trace(&mut self, trace: Trace) {
        self.waterfall = Waterfall::new(SpanTree::build(&trace));
        self.trace = Load::Ready(trace);
        self.selected_span = 0;
    }

    /// The shown trace's layout. When the state was filled without [`DebugState::show_trace`]
    /// (a hand-made fixture), the layout is built here instead.
    pub fn waterfall_view(&self) -> Option<(&Trace, Cow<'_, Waterfall>)> {
        let trace = self.trace.ready()?;
        let tree = &self.waterfall.tree;
        let current =
            tree.trace_id == trace.summary.trace_id && tree.rows.len() == trace.spans.len();
        let view = if current {
            Cow::Borrowed(&self.waterfall)
        } else {
            Cow::Owned(Waterfall::new(SpanTree::build(trace)))
        };
        Some((trace, view))
    }

    /// The selected span's row in the layout and the span itself.
    pub fn selected_row(&self) -> Option<(TreeRow, &crate::model::Span)> {
        let (trace, view) = self.waterfall_view()?;
        let row = view.row_at(self.selected_span)?;
        Some((row, trace.spans.get(row.span_index)?))
    }

    /// The window trace searches cover at `now`: from the investigation's start, else the
    /// last hour.
    pub fn search_window(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let since = self
            .investigation
            .as_ref()
            .map_or(now - Duration::hours(1), |i| i.since);
        (since.min(now), now)
    }
}

#[cfg(test)]
mod tests;
