//! The debug pane's transitions: `t` from an SLO or incident, trace searches that refresh
//! while the pane is in view, the trends' range, folding the waterfall, copying ids, and
//! the answers to the pane's questions (traces, PromQL, exemplars, trends, the service
//! graph).

mod copy;
mod investigate;
mod results;
mod waterfall;

#[cfg(test)]
mod tests;

use crate::action::Action;
use crate::command::Command;
use crate::state::State;

pub use investigate::{INCIDENT_LEAD_MINUTES, TRACE_REFRESH_SECS};
pub(super) use investigate::{open_service, open_trace, run_promql, search_traces, tick};
pub(super) use results::completed;

/// Applies one of the debug pane's own actions.
pub(super) fn handle(state: &mut State, action: Action) -> Vec<Command> {
    match action {
        Action::TraceService => investigate::trace_service(state),
        Action::RangeShorter => investigate::set_range(state, state.debug.range.shorter()),
        Action::RangeLonger => investigate::set_range(state, state.debug.range.longer()),
        Action::ToggleCollapse => waterfall::toggle(state),
        Action::Collapse => waterfall::collapse(state),
        Action::Expand => waterfall::expand(state),
        Action::Copy => copy::copy(state),
        _ => vec![],
    }
}
