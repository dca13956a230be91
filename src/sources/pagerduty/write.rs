//! Acknowledge and resolve on PagerDuty, idempotently: delivering the same action twice (the
//! outbox retries after a lost answer) succeeds and never reopens an incident.

use super::api::Api;
use crate::model::{IncidentAction, IncidentStatus};
use crate::outbox::Write;
use crate::sources::SourceError;

/// Why `u` does nothing on PagerDuty.
pub(crate) const NO_UNACKNOWLEDGE: &str = "PagerDuty has no un-acknowledge: an acknowledged \
     incident returns to triggered only when its acknowledgement times out; reassign or \
     resolve it instead";

/// Delivers a write from the outbox. The status change is idempotent; a note is not, so a
/// write in doubt (an earlier attempt may have gone through) posts its note only if the
/// incident does not carry it yet.
pub(crate) async fn deliver(api: &Api, write: Write<'_>) -> Result<(), SourceError> {
    let id = write.entry.incident.as_str();
    let mut note = write.note();
    if let Some(text) = note
        && write.in_doubt
    {
        match api.note_contents(id).await {
            Ok(notes) if notes.iter().any(|c| c.trim() == text) => note = None,
            Ok(_) => {}
            Err(error) if error.is_transient() => return Err(error),
            // A note twice is better than an acknowledge never sent.
            Err(error) => {
                tracing::warn!(%error, incident = id, "cannot read notes; sending the note")
            }
        }
    }
    match write.action() {
        Some(action) => apply(api, id, action, note).await,
        None => match note {
            Some(text) => api.note(id, text).await,
            None if write.note().is_some() => Ok(()),
            None => Err(SourceError::Rejected("the note is empty".to_string())),
        },
    }
}

/// Sets the incident's status, then adds the note (if any) to its timeline.
pub(crate) async fn apply(
    api: &Api,
    id: &str,
    action: IncidentAction,
    note: Option<&str>,
) -> Result<(), SourceError> {
    let target = match action {
        IncidentAction::Acknowledge => "acknowledged",
        IncidentAction::Resolve => "resolved",
        IncidentAction::Unacknowledge => {
            return Err(SourceError::Rejected(NO_UNACKNOWLEDGE.to_string()));
        }
    };
    // PagerDuty reopens a resolved incident that is set to "acknowledged", so a late or
    // repeated acknowledge must look first: resolved already means there is nothing to take.
    let skip = action == IncidentAction::Acknowledge
        && api.incident(id).await?.status == IncidentStatus::Resolved;
    if !skip {
        let reply = api.set_status(id, target).await?;
        if !reply.is_success() {
            match reply.status {
                404 => return Err(api.unknown(id)),
                // The API reference does not say how a repeated transition is answered; a
                // 400/409 is success when the incident already stands where it was sent.
                400 | 409 if reached(api.incident(id).await?.status, action) => {}
                _ => return Err(reply.error()),
            }
        }
    }
    if let Some(text) = note.map(str::trim).filter(|n| !n.is_empty()) {
        api.note(id, text)
            .await
            .map_err(|e| note_failed(e, action))?;
    }
    Ok(())
}

/// Whether an incident in `status` already has what `action` asked for.
fn reached(status: IncidentStatus, action: IncidentAction) -> bool {
    match action {
        IncidentAction::Acknowledge => status != IncidentStatus::Triggered,
        IncidentAction::Resolve => status == IncidentStatus::Resolved,
        IncidentAction::Unacknowledge => false,
    }
}

/// A note that failed after the status change: a transient failure is retried whole (the
/// status change is idempotent); any other says the status change did go through.
fn note_failed(error: SourceError, action: IncidentAction) -> SourceError {
    if error.is_transient() {
        error
    } else {
        SourceError::Rejected(format!(
            "{}, but the note was not added: {error}",
            action.past()
        ))
    }
}
