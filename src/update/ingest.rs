//! Data arriving: source updates and command results.

use crate::command::Command;
use crate::event::CommandResult;
use crate::model::{IncidentAction, TraceKind};
use crate::outbox::{Delivery, DeliveryState, OutboxEntry};
use crate::sources::{SourcePayload, SourceUpdate};
use crate::state::slos::merge_in_risk_order;
use crate::state::sources::Failure;
use crate::state::{
    FlashKind, IncidentKey, Load, PendingAction, PendingState, ServiceTrends, SloRow, SloRows,
    SourceStatus, State,
};

use super::navigate::fetch_trace;
use super::respond::flash;

/// Applies one poll result. A failure marks the feed failed but keeps its last good data.
pub(super) fn ingest(state: &mut State, update: SourceUpdate) {
    let SourceUpdate {
        source,
        feed,
        at,
        outcome,
        retry_at,
    } = update;
    let status_index = match state
        .sources
        .iter()
        .position(|s| s.name == source && s.feed == feed)
    {
        Some(i) => i,
        None => {
            let refresh = std::time::Duration::from_secs(10);
            state
                .sources
                .push(SourceStatus::new(&source, "unknown", feed, refresh));
            state.sources.len() - 1
        }
    };
    let status = &mut state.sources[status_index];
    match outcome {
        Err(error) => {
            let since = status.failure.as_ref().map_or(at, |f| f.since);
            status.failure = Some(Failure {
                error: error.to_string(),
                since,
                retry_at,
            });
        }
        Ok(payload) => {
            status.last_ok = Some(at);
            status.failure = None;
            match payload {
                SourcePayload::Metrics(snapshot) => {
                    let rows =
                        SloRows::prepare(&source, snapshot, &state.tiers, &state.period_tiers);
                    ingest_rows(state, &source, rows);
                }
                SourcePayload::SloRows(rows) => ingest_rows(state, &source, *rows),
                SourcePayload::Incidents(snapshot) => {
                    status.warnings = snapshot.warnings;
                    if let Some(history) = snapshot.history {
                        state
                            .history
                            .entry(source.clone())
                            .or_default()
                            .apply(history);
                    }
                    state.oncall.insert(source.clone(), snapshot.oncall);
                    state.silences.insert(source.clone(), snapshot.silences);
                    state.incidents.insert(source, snapshot.incidents);
                    pin_incident_selection(state);
                }
                SourcePayload::Changes(snapshot) => {
                    status.warnings = snapshot.warnings;
                    state.changes.by_source.insert(source, snapshot.changes);
                }
            }
        }
    }
}

/// Puts a metrics poll's rows in place of the source's previous ones: a merge of two lists in
/// risk order, so thousands of rows cost a pass, not a sort.
fn ingest_rows(state: &mut State, source: &str, rows: SloRows) {
    let SloRows {
        rows,
        services,
        evaluated,
        at,
    } = rows;
    if let Some(status) = state
        .sources
        .iter_mut()
        .find(|s| s.name == source && s.feed == crate::sources::Feed::Metrics)
    {
        status.evaluated = evaluated;
    }
    let mut others = std::mem::take(&mut state.slos);
    others.retain(|row| row.source != source);
    state.slos = merge_in_risk_order(others, rows);
    for metrics in services {
        let trends = ServiceTrends {
            source: source.to_string(),
            metrics,
            at,
        };
        state
            .services
            .insert(trends.metrics.service.clone(), trends);
    }
    if state.selected_slo.is_none() {
        state.selected_slo = state.slos.first().map(SloRow::key);
    }
}

/// Keeps the cursor on a concrete incident. Without this, "nothing selected" would mean
/// "whatever is first", and a re-sort could slide a different page under the responder's `a`.
fn pin_incident_selection(state: &mut State) {
    let open = state.open_incidents();
    let still_open = state
        .selected_incident
        .as_ref()
        .is_some_and(|key| open.iter().any(|i| &IncidentKey::of(i) == key));
    if !still_open {
        state.selected_incident = open.first().map(|i| IncidentKey::of(i));
    }
}

/// Applies a finished command.
pub(super) fn completed(state: &mut State, result: CommandResult) -> Vec<Command> {
    match result {
        CommandResult::Delivery(update) => delivery(state, update),
        CommandResult::SilencePreview {
            matchers,
            outcome,
            at,
        } => {
            super::silence::preview_answer(state, matchers, outcome, at);
            vec![]
        }
        CommandResult::Traces {
            service,
            kind,
            outcome,
        } => {
            if state.debug.service.as_deref() != Some(service.as_str()) {
                return vec![];
            }
            let load = match outcome {
                Ok(traces) => Load::Ready(traces),
                Err(error) => Load::Failed(error.to_string()),
            };
            let first_slow = match (&load, kind) {
                (Load::Ready(traces), TraceKind::Slow) => {
                    traces.first().map(|t| t.trace_id.clone())
                }
                _ => None,
            };
            match kind {
                TraceKind::Slow => state.debug.slow = load,
                TraceKind::Errors => state.debug.errors = load,
            }
            // Show the slowest trace straight away, so the waterfall is never empty on arrival.
            match first_slow {
                Some(trace_id) if state.debug.trace_id.is_none() => {
                    fetch_trace(&mut state.debug, trace_id)
                }
                _ => vec![],
            }
        }
        CommandResult::Trace { trace_id, outcome } => {
            if state.debug.trace_id.as_deref() == Some(trace_id.as_str()) {
                state.debug.trace = match outcome {
                    Ok(trace) => Load::Ready(trace),
                    Err(error) => Load::Failed(error.to_string()),
                };
                state.debug.selected_span = 0;
            }
            vec![]
        }
        // The debug pane's, the logs panel's and the changes' answers; `update` routes them
        // there first.
        CommandResult::Explore(_)
        | CommandResult::Logs(_)
        | CommandResult::RelatedChanges { .. } => vec![],
        CommandResult::Copied { text, outcome } => {
            let text = crate::inert::line(&text).into_owned();
            match outcome {
                Ok(into) => flash(state, FlashKind::Info, format!("copied {text} into {into}")),
                Err(why) => flash(
                    state,
                    FlashKind::Error,
                    format!("tmux did not take the copy of {text}: {why}"),
                ),
            }
            vec![]
        }
    }
}

/// A write changed state in the outbox (read from the log: this process's writes and every
/// other process's): show it on the row, and when it lands, show the result at once and read
/// the backend's own view back.
fn delivery(state: &mut State, delivery: Delivery) -> Vec<Command> {
    let Delivery { entry, state: now } = delivery;
    if entry.kind.is_silence() {
        return super::silence::delivery(state, &entry, now);
    }
    let key = IncidentKey {
        source: entry.source.clone(),
        id: entry.incident.clone(),
    };
    let Some(action) = entry.kind.incident_action() else {
        // A note: nothing on the row, only the outcome.
        return note_delivery(state, &entry, now);
    };
    let pending = |pending_state| PendingAction {
        action,
        state: pending_state,
    };
    let previous = state.pending.get(&key).map(|p| p.state.clone());
    let confirmed_here = previous == Some(PendingState::Recording);
    match now {
        DeliveryState::Recorded { .. } | DeliveryState::Sending => {
            // A retry keeps showing "queued" (with its reason) until it lands.
            if !matches!(previous, Some(PendingState::Queued { .. })) {
                state
                    .pending
                    .insert(key.clone(), pending(PendingState::Sending));
            }
            if confirmed_here {
                let text = format!("{} {} on {}…", action.progressive(), key.id, key.source);
                flash(state, FlashKind::Info, text);
            }
            vec![]
        }
        DeliveryState::Queued {
            attempts,
            error,
            retry_at,
        } => {
            let newly = !matches!(previous, Some(PendingState::Queued { .. }));
            if newly && attempts <= 1 {
                let text = format!(
                    "{} of {} on {} queued: {error}; ondeck keeps retrying",
                    action.verb(),
                    key.id,
                    key.source
                );
                flash(state, FlashKind::Error, text);
            }
            state.pending.insert(
                key,
                pending(PendingState::Queued {
                    attempts,
                    error,
                    retry_at,
                }),
            );
            vec![]
        }
        DeliveryState::OwedElsewhere(why) => {
            if confirmed_here {
                flash(
                    state,
                    FlashKind::Error,
                    format!("{}: {why}", entry.describe()),
                );
            }
            state
                .pending
                .insert(key, pending(PendingState::OwedElsewhere(why)));
            vec![]
        }
        DeliveryState::Delivered => {
            state.pending.remove(&key);
            let now = state.now;
            if let Some(incident) = state
                .incidents
                .get_mut(&key.source)
                .and_then(|list| list.iter_mut().find(|i| i.id == key.id))
            {
                incident.status = action.resulting_status();
                match action {
                    IncidentAction::Acknowledge => {
                        incident.acknowledged_at.get_or_insert(now);
                    }
                    IncidentAction::Resolve => {
                        incident.resolved_at.get_or_insert(now);
                    }
                    IncidentAction::Unacknowledge => {
                        incident.acknowledged_at = None;
                        incident.acknowledged_by = None;
                    }
                }
            }
            let text = format!("{} {} on {}", action.past(), key.id, key.source);
            flash(state, FlashKind::Info, text);
            // Read back the backend's own view (who holds it, escalation) at once.
            vec![Command::RefreshNow]
        }
        DeliveryState::Failed(error) => {
            let text = format!(
                "could not {} {} on {}: {error}",
                action.verb(),
                key.id,
                key.source
            );
            state
                .pending
                .insert(key, pending(PendingState::Failed(error)));
            flash(state, FlashKind::Error, text);
            vec![]
        }
    }
}

fn note_delivery(state: &mut State, entry: &OutboxEntry, now: DeliveryState) -> Vec<Command> {
    let target = format!("{} on {}", entry.incident, entry.source);
    match now {
        DeliveryState::Recorded { .. } | DeliveryState::Sending => {}
        DeliveryState::OwedElsewhere(why) => {
            flash(state, FlashKind::Error, format!("note for {target}: {why}"));
        }
        DeliveryState::Queued {
            attempts, error, ..
        } => {
            if attempts == 1 {
                flash(
                    state,
                    FlashKind::Error,
                    format!("note for {target} queued: {error}"),
                );
            }
        }
        DeliveryState::Delivered => {
            flash(state, FlashKind::Info, format!("note added to {target}"))
        }
        DeliveryState::Failed(error) => flash(
            state,
            FlashKind::Error,
            format!("could not add the note to {target}: {error}"),
        ),
    }
    vec![]
}
