//! `ondeck ack|resolve|unack ID`: the same outbox and delivery as the cockpit's `a`/`r`/`u`,
//! for scripts. What an earlier run left owed is resent first; the write itself is retried
//! until `wait` runs out and then stays owed for the next run.

use std::time::Duration;

use crate::app::App;
use crate::model::IncidentAction;
use crate::outbox::{DeliveryState, Origin, Settled, WriteKind, deliver_until};
use crate::sources::IncidentSource;

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

/// Finds the incident source that lists `id`: the one named, the only one configured, or
/// the one whose current incidents include it.
async fn source_for(app: &App, id: &str, named: Option<&str>) -> Result<String, String> {
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
    let mut listed = Vec::new();
    for (meta, backend) in &app.backends.incidents {
        let found = tokio::time::timeout(meta.timeout, backend.fetch_incidents()).await;
        if let Ok(Ok(incidents)) = found
            && incidents.iter().any(|i| i.id == id)
        {
            listed.push(meta.name.clone());
        }
    }
    match listed.as_slice() {
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

/// Resends what earlier runs left owed, each with one attempt; returns a line per entry.
pub async fn resend_owed(app: &App) -> Vec<String> {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut lines = Vec::new();
    for entry in &app.outbox.owed {
        let now = Some(tokio::time::Instant::now());
        let settled = deliver_until(&app.outbox.context, entry, Origin::Resumed, now, &tx).await;
        let what = format!(
            "{} {} on {}",
            entry.kind.verb(),
            entry.incident,
            entry.source
        );
        lines.push(match settled {
            Settled::Delivered => format!("resent from the outbox: {what}: delivered"),
            Settled::Failed(e) => format!("resent from the outbox: {what}: refused: {e}"),
            Settled::Owed(e) => format!("still owed: {what}: {e}"),
        });
    }
    lines
}

/// Sends `action` (with `note`) for incident `id` through the outbox, retrying for up to
/// `wait`.
pub async fn write(
    app: &App,
    id: &str,
    action: IncidentAction,
    note: Option<String>,
    source: Option<&str>,
    wait: Duration,
) -> WriteOutcome {
    if app.state.readonly {
        return WriteOutcome::Refused(format!("read-only: not sending {} for {id}", action.verb()));
    }
    let source = match source_for(app, id, source).await {
        Ok(source) => source,
        Err(why) => return WriteOutcome::Refused(why),
    };
    let context = &app.outbox.context;
    let entry = context.store.entry(
        &app.outbox.user,
        &source,
        id,
        WriteKind::from(action),
        note,
        context.clock.now(),
    );
    if let Err(error) = context.store.queue(&entry) {
        return WriteOutcome::Refused(format!("cannot write the outbox: {error}"));
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let deadline = tokio::time::Instant::now() + wait;
    let settled = deliver_until(context, &entry, Origin::New, Some(deadline), &tx).await;
    drop(tx);
    let mut attempts = 0;
    while let Some(report) = rx.recv().await {
        if let DeliveryState::Queued { attempts: n, .. } = report.state {
            attempts = n;
        }
    }
    let what = format!("{id} on {source}");
    match settled {
        Settled::Delivered => WriteOutcome::Delivered(format!("{} {what}", action.past())),
        Settled::Failed(e) => {
            WriteOutcome::Refused(format!("could not {} {what}: {e}", action.verb()))
        }
        Settled::Owed(e) => WriteOutcome::Queued(format!(
            "{} of {what} queued after {attempts} attempt(s): {e}; kept in {} and resent by the next ondeck run",
            action.verb(),
            context.store.path().display()
        )),
    }
}
