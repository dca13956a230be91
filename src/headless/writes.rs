//! `ondeck ack|resolve|unack ID` and `ondeck outbox`: the same outbox and delivery as the
//! cockpit's `a`/`r`/`u`, for scripts. A write is recorded first, then delivered through its
//! backend's lane — by this process, or, when a cockpit already holds the lane, by that
//! cockpit, which this process waits for. Writes queued before it to the same backend go
//! first; what is not delivered within `--wait` stays owed for the next run.

use std::time::Duration;

use crate::app::App;
use crate::model::{Incident, IncidentAction};
use crate::outbox::deliver::drain;
use crate::outbox::watch::Changes;
use crate::outbox::{Context, OutboxEntry, Record, Step, WriteKind, WriteRequest};
use crate::sources::{IncidentSource, SourceError};

/// How a scripted write ended, with the exit code scripts branch on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Delivered (exit 0).
    Delivered(String),
    /// Refused for good, or nothing to send it to (exit 1).
    Refused(String),
    /// Still owed when `wait` ran out; kept in the outbox (exit 75, EX_TEMPFAIL).
    Queued(String),
}

impl WriteOutcome {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            WriteOutcome::Delivered(_) => 0,
            WriteOutcome::Refused(_) => 1,
            WriteOutcome::Queued(_) => 75,
        }
    }

    /// The line printed for the user.
    pub fn message(&self) -> &str {
        match self {
            WriteOutcome::Delivered(m) | WriteOutcome::Refused(m) | WriteOutcome::Queued(m) => m,
        }
    }
}

/// The incident `id` as `source` lists it now: `Ok(None)` when the source answered without
/// it, `Err` when it did not answer.
pub(crate) async fn listed(
    app: &App,
    source: &str,
    id: &str,
) -> Result<Option<Incident>, SourceError> {
    let Some((meta, backend)) = app
        .backends
        .incidents
        .iter()
        .find(|(m, _)| m.name == source)
    else {
        return Ok(None);
    };
    tokio::time::timeout(meta.timeout, backend.fetch_incidents())
        .await
        .unwrap_or(Err(SourceError::Timeout(meta.timeout.as_millis() as u64)))
        .map(|incidents| incidents.into_iter().find(|i| i.id == id))
}

/// Finds the incident source that lists `id`: the one named, the only one configured, or
/// the one whose current incidents include it.
pub(crate) async fn source_for(app: &App, id: &str, named: Option<&str>) -> Result<String, String> {
    let sources: Vec<&str> = app
        .backends
        .incidents
        .iter()
        .map(|(meta, _)| meta.name.as_str())
        .collect();
    if let Some(name) = named {
        return if sources.contains(&name) {
            Ok(name.to_string())
        } else {
            Err(format!(
                "no incident source named `{name}` (configured: {})",
                sources.join(", ")
            ))
        };
    }
    match sources.as_slice() {
        [] => return Err("no incident source is configured".into()),
        [only] => return Ok((*only).to_string()),
        _ => {}
    }
    let mut found = Vec::new();
    for name in &sources {
        if let Ok(Some(_)) = listed(app, name, id).await {
            found.push(name.to_string());
        }
    }
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "no source lists incident {id} now; name one with --source ({})",
            sources.join(", ")
        )),
        many => Err(format!(
            "incident {id} is listed by {}; name one with --source",
            many.join(" and ")
        )),
    }
}

/// What a step of a one-shot delivery says, for the user.
fn step_line(entry: &OutboxEntry, step: &Step) -> String {
    let what = entry.describe();
    match step {
        Step::Delivered => format!("resent from the outbox: {what}: delivered"),
        Step::Refused(e) => format!("resent from the outbox: {what}: refused: {e}"),
        Step::Retry { error, .. } => format!("still owed: {what}: {error}"),
    }
}

/// One attempt at what every lane of this config owes (oldest first, stopping at a lane's
/// first transient failure: later writes wait behind it), then a line for every write still
/// owed, delivered here or not, and why.
pub async fn resend_owed(app: &App) -> Vec<String> {
    let context = &app.outbox.context;
    let now = tokio::time::Instant::now();
    let mut lines = Vec::new();
    let mut said = std::collections::BTreeSet::new();
    let mut busy = Vec::new();
    for lane in context.lanes() {
        match drain(context, &lane, None, now).await {
            Ok(Some(steps)) => {
                for (entry, step) in steps {
                    lines.push(step_line(&entry, &step));
                    said.insert(entry.id);
                }
            }
            Ok(None) => busy.push(lane),
            Err(error) => lines.push(format!("cannot deliver to {}: {error}", lane.source)),
        }
    }
    let ledger = match context.read().await {
        Ok(ledger) => ledger,
        Err(error) => {
            lines.push(format!("cannot read the outbox: {error}"));
            return lines;
        }
    };
    for owed in ledger.owed.iter().filter(|o| !said.contains(&o.entry.id)) {
        let entry = &owed.entry;
        let why = if let Some(why) = context.elsewhere(entry) {
            why
        } else if busy.iter().any(|lane| lane.accepts(entry)) {
            "another ondeck process holds this backend's lane and delivers it".to_string()
        } else if let Some(failure) = &owed.failure {
            format!("waits its turn; last failure: {}", failure.error)
        } else {
            "waits behind an earlier write to the same backend".to_string()
        };
        lines.push(format!("still owed: {}: {why}", entry.describe()));
    }
    lines
}

/// Sends `action` (with `note`) for incident `id` through the outbox, retrying for up to
/// `wait`. `earlier` gets a line for each older write to the same backend delivered first.
pub async fn write(
    app: &App,
    id: &str,
    action: IncidentAction,
    note: Option<String>,
    source: Option<&str>,
    wait: Duration,
    earlier: &mut Vec<String>,
) -> WriteOutcome {
    if app.state.readonly {
        return WriteOutcome::Refused(format!("read-only: not sending {} for {id}", action.verb()));
    }
    let source = match source_for(app, id, source).await {
        Ok(source) => source,
        Err(why) => return WriteOutcome::Refused(why),
    };
    let kind = app
        .backends
        .incidents
        .iter()
        .find(|(m, _)| m.name == source)
        .map(|(m, _)| m.kind.clone())
        .unwrap_or_default();
    // The labels go with the write: Alertmanager silences them even if it restarts before
    // delivery. A group it does not list while answering cannot be silenced at all.
    let labels = match listed(app, &source, id).await {
        Ok(Some(incident)) => incident.labels,
        Ok(None) if kind == "alertmanager" && action != IncidentAction::Unacknowledge => {
            return WriteOutcome::Refused(format!(
                "no alert group {id} is firing on {source} now: ondeck needs its labels to \
                 silence it (`ondeck incidents` lists the groups)"
            ));
        }
        Ok(None) | Err(_) => Default::default(),
    };
    let request = WriteRequest {
        source: source.clone(),
        incident: id.to_string(),
        kind: WriteKind::from(action),
        note,
        labels,
        silence: None,
        reroute: None,
    };
    let what = format!("{id} on {source}");
    submit(app, request, &what, wait, earlier).await
}

/// Records `request` in the outbox and delivers it, retrying for up to `wait`; `what` names
/// it in the outcome (`PABC123 on pd`, `silence 3f9c… on am`).
pub async fn submit(
    app: &App,
    request: WriteRequest,
    what: &str,
    wait: Duration,
    earlier: &mut Vec<String>,
) -> WriteOutcome {
    let kind = request.kind;
    let (verb, past) = match kind.incident_action() {
        Some(action) => (action.verb(), action.past()),
        None => (kind.verb(), past_of(kind)),
    };
    let entry = app.outbox.entry(request);
    let context = &app.outbox.context;
    if let Err(error) = context.record(vec![Record::Queued(entry.clone())]).await {
        return WriteOutcome::Refused(format!("cannot write the outbox: {error}"));
    }
    let deadline = tokio::time::Instant::now() + wait;
    let delivered_by_other = match settle(context, &entry, deadline).await {
        Ok((steps, other)) => {
            let older = steps.iter().filter(|(e, _)| e.id != entry.id);
            earlier.extend(older.map(|(e, step)| step_line(e, step)));
            other
        }
        Err(error) => return WriteOutcome::Queued(format!("cannot read the outbox: {error}")),
    };
    let ledger = match context.read().await {
        Ok(ledger) => ledger,
        Err(error) => return WriteOutcome::Queued(format!("cannot read the outbox: {error}")),
    };
    if let Some(settled) = ledger.settled(&entry.id) {
        return if settled.ok {
            WriteOutcome::Delivered(format!("{past} {what}"))
        } else {
            let why = settled
                .outcome
                .strip_prefix("failed: ")
                .unwrap_or(&settled.outcome);
            WriteOutcome::Refused(format!("could not {verb} {what}: {why}"))
        };
    }
    let owed = ledger.owed(&entry.id);
    let attempts = owed.map_or(0, |o| o.attempts);
    let why = match owed.and_then(|o| o.failure.as_ref()) {
        Some(failure) => failure.error.clone(),
        None if delivered_by_other => {
            "another ondeck process holds this backend's lane and delivers it".to_string()
        }
        None => "an earlier write to the same backend is still owed".to_string(),
    };
    WriteOutcome::Queued(format!(
        "{verb} of {what} queued after {attempts} attempt(s): {why}; kept in {} and delivered by \
         the next ondeck run (or the one running now)",
        context.store.path().display()
    ))
}

/// What a write that is not a status change did, for the outcome line.
fn past_of(kind: WriteKind) -> &'static str {
    match kind {
        WriteKind::SilenceAdd => "created",
        WriteKind::SilenceExtend => "extended",
        WriteKind::SilenceExpire => "expired",
        WriteKind::Escalate => "escalated",
        WriteKind::Reassign => "reassigned",
        WriteKind::Snooze => "snoozed",
        _ => "sent",
    }
}

/// Delivers through the entry's lane until it is settled or `deadline` passes; when another
/// process holds the lane, waits for that process to settle it (and takes over if it goes).
/// Returns the attempts this process made, and whether another process held the lane at
/// the end.
async fn settle(
    context: &Context,
    entry: &OutboxEntry,
    deadline: tokio::time::Instant,
) -> std::io::Result<(Vec<(OutboxEntry, Step)>, bool)> {
    let Some(lane) = context.lane_for(entry) else {
        return Ok((Vec::new(), false));
    };
    let changes = Changes::watch(context.store.path());
    let mut changed = changes.subscribe();
    loop {
        changed.mark_unchanged();
        match drain(context, &lane, Some(&entry.id), deadline).await? {
            Some(steps) => return Ok((steps, false)),
            None => {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                if context.read().await?.owed(&entry.id).is_none() || left.is_zero() {
                    return Ok((Vec::new(), true));
                }
                // The holder writes every attempt to the log; if it dies, the lane frees.
                let pause = left.min(Duration::from_secs(2));
                let _ = tokio::time::timeout(pause, changed.changed()).await;
            }
        }
    }
}

/// `ondeck outbox --drop ID`: settles an owed write without sending it, on the responder's
/// word (audited).
pub async fn drop_owed(app: &App, id: &str) -> Result<String, String> {
    let context = &app.outbox.context;
    let ledger = context.read().await.map_err(|e| e.to_string())?;
    let Some(owed) = ledger.owed(id) else {
        return Err(format!(
            "no write {id} is owed (`ondeck outbox` lists them)"
        ));
    };
    let outcome = format!(
        "failed: dropped by {} with `ondeck outbox --drop`",
        app.outbox.user
    );
    context.settle(&owed.entry, false, &outcome).await;
    Ok(format!("dropped: {}", owed.entry.describe()))
}
