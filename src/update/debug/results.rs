//! Answers for the debug pane: a fetched trace (laid out once, here), and the answers to its
//! questions. An answer for a service or query no longer in view is dropped.

use crate::command::Command;
use crate::event::CommandResult;
use crate::sources::explore::ExploreResult;
use crate::state::{Load, State};

/// Applies a result the debug pane owns; hands any other back untouched.
pub(in crate::update) fn completed(
    state: &mut State,
    result: Box<CommandResult>,
) -> Result<Vec<Command>, Box<CommandResult>> {
    if !matches!(
        *result,
        CommandResult::Trace { .. } | CommandResult::Explore(_)
    ) {
        return Err(result);
    }
    match *result {
        CommandResult::Trace { trace_id, outcome } => {
            if state.debug.trace_id.as_deref() == Some(trace_id.as_str()) {
                match outcome {
                    Ok(trace) => state.debug.show_trace(trace),
                    Err(error) => state.debug.trace = Load::Failed(error.to_string()),
                }
            }
            Ok(vec![])
        }
        CommandResult::Explore(answer) => {
            explored(state, *answer);
            Ok(vec![])
        }
        _ => Ok(vec![]),
    }
}

fn load<T, E: std::fmt::Display>(outcome: Result<T, E>) -> Load<T> {
    match outcome {
        Ok(value) => Load::Ready(value),
        Err(error) => Load::Failed(error.to_string()),
    }
}

fn explored(state: &mut State, answer: ExploreResult) {
    let debug = &mut state.debug;
    let in_view = |service: &str| debug.service.as_deref() == Some(service);
    match answer {
        ExploreResult::Promql { expr, outcome } => {
            if let Some(query) = debug.query.as_mut().filter(|q| q.expr == expr) {
                query.answer = load(outcome);
                query.selected = 0;
            }
        }
        ExploreResult::Exemplars { service, outcome } => {
            if in_view(&service) {
                debug.exemplars = load(outcome);
            }
        }
        ExploreResult::Trends {
            service,
            range,
            outcome,
        } => {
            if in_view(&service) && debug.range.window() == range {
                debug.trends = load(outcome);
            }
        }
        ExploreResult::Dependencies { outcome } => debug.dependencies = load(outcome),
    }
}
