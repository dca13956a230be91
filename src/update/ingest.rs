//! Data arriving: source updates and command results.

use crate::command::Command;
use crate::event::CommandResult;
use crate::model::{IncidentAction, TraceKind};
use crate::slo::evaluate;
use crate::sources::{SourcePayload, SourceUpdate};
use crate::state::slos::risk_order;
use crate::state::sources::Failure;
use crate::state::{FlashKind, IncidentKey, Load, PendingState, SloRow, SourceStatus, State};

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
                SourcePayload::Metrics(snapshot) => ingest_metrics(state, &source, snapshot),
                SourcePayload::Incidents(snapshot) => {
                    status.warnings = snapshot.warnings;
                    state.oncall.insert(source.clone(), snapshot.oncall);
                    state.silences.insert(source.clone(), snapshot.silences);
                    state.incidents.insert(source, snapshot.incidents);
                    pin_incident_selection(state);
                }
            }
        }
    }
}

fn ingest_metrics(state: &mut State, source: &str, snapshot: crate::model::MetricsSnapshot) {
    state.slos.retain(|row| row.source != source);
    let tiers = &state.tiers;
    state
        .slos
        .extend(snapshot.slos.into_iter().map(|observation| SloRow {
            source: source.to_string(),
            report: evaluate(&observation.spec, &observation.counts, tiers),
            trend: observation.trend,
            issues: observation.issues,
        }));
    state.slos.sort_by(risk_order);
    for service in snapshot.services {
        state.services.insert(service.service.clone(), service);
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
        CommandResult::Incident {
            source,
            incident_id,
            action,
            outcome,
        } => {
            let key = IncidentKey {
                source,
                id: incident_id,
            };
            incident_done(state, key, action, outcome)
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
    }
}

fn incident_done(
    state: &mut State,
    key: IncidentKey,
    action: IncidentAction,
    outcome: Result<(), crate::sources::SourceError>,
) -> Vec<Command> {
    match outcome {
        Ok(()) => {
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
            let done = action.past();
            flash(
                state,
                FlashKind::Info,
                format!("{done} {} on {}", key.id, key.source),
            );
            // Read back the backend's own view (who holds it, escalation) at once.
            vec![Command::RefreshNow]
        }
        Err(error) => {
            let text = format!(
                "could not {} {} on {}: {error}",
                action.verb(),
                key.id,
                key.source
            );
            state.pending.insert(
                key,
                crate::state::PendingAction {
                    action,
                    state: PendingState::Failed(error.to_string()),
                },
            );
            flash(state, FlashKind::Error, text);
            vec![]
        }
    }
}
