//! Acknowledge, un-acknowledge, close and notes on Opsgenie. An action only counts once
//! Opsgenie reports its request processed successfully; a refused request is still success
//! when the alert already stands where the action would put it (a repeated delivery).

use super::api::{Api, unknown};
use chrono::Utc;

use crate::model::{Incident, IncidentAction, IncidentStatus};
use crate::outbox::Write;
use crate::sources::SourceError;

/// How long after a write was queued Opsgenie's "no such alert" may still be its
/// asynchronous processing of a new alert rather than a wrong id.
const NEW_ALERT_GRACE: chrono::Duration = chrono::Duration::minutes(10);

/// Delivers a write from the outbox. A write in doubt (an earlier attempt may have gone
/// through) first looks whether the alert already stands where it would put it, or already
/// carries the note, so nothing is done twice.
pub(crate) async fn deliver(api: &Api, write: Write<'_>) -> Result<(), SourceError> {
    let entry = write.entry;
    let id = entry.incident.as_str();
    let result = match write.action() {
        Some(action) => {
            if write.in_doubt && reached(&api.alert(id).await?, action) {
                return Ok(());
            }
            apply(api, id, action, write.note()).await
        }
        None => {
            let text = write.note().unwrap_or_default();
            if write.in_doubt && api.recent_notes(id).await?.iter().any(|n| n.trim() == text) {
                return Ok(());
            }
            add_note(api, id, text).await
        }
    };
    match result {
        Err(error) if error == unknown(id) && Utc::now() - entry.queued_at < NEW_ALERT_GRACE => {
            Err(SourceError::Absent(format!(
                "Opsgenie does not list alert {id} yet (it processes new alerts \
                 asynchronously); retrying for {} minutes after queueing",
                NEW_ALERT_GRACE.num_minutes()
            )))
        }
        other => other,
    }
}

/// Sends `action` with the note (Opsgenie attaches it to the action itself) and waits for
/// the outcome.
pub(crate) async fn apply(
    api: &Api,
    id: &str,
    action: IncidentAction,
    note: Option<&str>,
) -> Result<(), SourceError> {
    let verb = match action {
        IncidentAction::Acknowledge => "acknowledge",
        IncidentAction::Unacknowledge => "unacknowledge",
        IncidentAction::Resolve => "close",
    };
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let request = api.act(id, verb, note).await?;
    let outcome = api.outcome(&request).await?;
    if outcome.is_success {
        return Ok(());
    }
    match api.alert(id).await {
        Ok(alert) if reached(&alert, action) => Ok(()),
        Ok(_) => Err(refused(verb, id, &outcome.status)),
        // The request status says why better than "no such alert" does.
        Err(SourceError::Rejected(_)) => Err(refused(verb, id, &outcome.status)),
        Err(other) => Err(other),
    }
}

/// Adds a note to the alert and waits for the outcome.
pub(crate) async fn add_note(api: &Api, id: &str, text: &str) -> Result<(), SourceError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SourceError::Rejected("the note is empty".to_string()));
    }
    let request = api.act(id, "notes", Some(text)).await?;
    let outcome = api.outcome(&request).await?;
    if outcome.is_success {
        Ok(())
    } else if outcome.status.to_ascii_lowercase().contains("not exist") {
        Err(unknown(id))
    } else {
        Err(refused("add a note to", id, &outcome.status))
    }
}

/// Whether the alert already has what `action` asked for.
fn reached(alert: &Incident, action: IncidentAction) -> bool {
    match action {
        IncidentAction::Acknowledge => alert.status != IncidentStatus::Triggered,
        IncidentAction::Unacknowledge => alert.status == IncidentStatus::Triggered,
        IncidentAction::Resolve => alert.status == IncidentStatus::Resolved,
    }
}

fn refused(verb: &str, id: &str, status: &str) -> SourceError {
    SourceError::Rejected(format!("Opsgenie did not {verb} alert {id}: {status}"))
}
