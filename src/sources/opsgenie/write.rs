//! Acknowledge, un-acknowledge, close and notes on Opsgenie. An action only counts once
//! Opsgenie reports its request processed successfully; a refused request is still success
//! when the alert already stands where the action would put it (a repeated delivery).

use super::api::{Api, unknown};
use crate::model::{Incident, IncidentAction, IncidentStatus};
use crate::sources::SourceError;

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
