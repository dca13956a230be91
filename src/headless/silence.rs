//! `ondeck silence add|list|extend|expire`: Alertmanager silences for scripts, through the
//! same outbox, delivery and checks as the cockpit's `S` view and `:silence` line. A new
//! silence is previewed first — the alerts firing now that it would hide — and refused with
//! Alertmanager's reasons before anything is queued.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;

use super::writes::{WriteOutcome, submit};
use crate::app::App;
use crate::inert::line;
use crate::model::silence::{self, display_matchers, parse_duration, parse_matcher_word};
use crate::model::{Silence, SilenceWrite};
use crate::outbox::{WriteKind, WriteRequest};
use crate::output::{err, out, outln};
use crate::sources::alertmanager::AlertmanagerSource;
use crate::sources::{IncidentBackend, IncidentSource, SourceMeta};

/// How many matched alerts the preview names before it only counts.
const PREVIEW_LINES: usize = 10;

/// What `ondeck silence add` was given.
#[derive(Debug, Clone)]
pub struct AddArgs {
    /// One matcher a word: `service=checkout`, `alertname=~"Disk.*"`.
    pub matchers: Vec<String>,
    /// How long: `30m`, `2h`, `1d`.
    pub duration: String,
    /// Why.
    pub comment: String,
    /// Only preview; queue nothing.
    pub dry_run: bool,
}

/// The Alertmanager source `named`, or the only one configured.
fn alertmanager<'a>(
    app: &'a App,
    named: Option<&str>,
) -> Result<(&'a SourceMeta, &'a AlertmanagerSource), String> {
    let all: Vec<(&SourceMeta, &AlertmanagerSource)> = app
        .backends
        .incidents
        .iter()
        .filter_map(|(meta, backend)| match backend {
            IncidentBackend::Alertmanager(am) => Some((meta, am)),
            _ => None,
        })
        .collect();
    let names = || {
        all.iter()
            .map(|(m, _)| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (named, all.as_slice()) {
        (Some(name), _) => all
            .iter()
            .find(|(m, _)| m.name == name)
            .copied()
            .ok_or_else(|| {
                format!(
                    "no Alertmanager source named `{name}` (configured: {})",
                    names()
                )
            }),
        (None, [only]) => Ok(*only),
        (None, []) => {
            Err("silences are Alertmanager's, and no alertmanager source is configured".into())
        }
        (None, _) => Err(format!(
            "several Alertmanager sources; name one with --source ({})",
            names()
        )),
    }
}

/// Prints `outcome` (earlier writes delivered first to stderr) and returns its exit code.
fn report(outcome: &WriteOutcome, earlier: Vec<String>) -> u8 {
    for earlier in earlier {
        err(line(&earlier));
    }
    match outcome {
        WriteOutcome::Delivered(m) => outln(line(m)),
        other => err(line(other.message())),
    }
    outcome.exit_code()
}

/// `alertname="DiskFull" instance="db-1"`, for a preview line.
fn labels_line(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `ondeck silence add`: checks, previews, and (unless `dry_run`) creates the silence
/// through the outbox. Exit 0 created (or previewed), 1 refused, 2 bad words, 75 queued.
pub async fn add(app: &App, args: AddArgs, source: Option<&str>, wait: Duration) -> u8 {
    let refused = |why: String| {
        err(line(&why));
        2
    };
    let matchers = match args
        .matchers
        .iter()
        .map(|w| parse_matcher_word(w))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(matchers) => matchers,
        Err(error) => return refused(error.to_string()),
    };
    let duration = match parse_duration(&args.duration) {
        Ok(duration) => duration,
        Err(error) => return refused(error.to_string()),
    };
    if let Err(error) = silence::check(&matchers, &args.comment) {
        return refused(error.to_string());
    }
    if app.state.readonly && !args.dry_run {
        return refused("read-only: not creating a silence".into());
    }
    let (meta, am) = match alertmanager(app, source) {
        Ok(found) => found,
        Err(why) => {
            err(line(&why));
            return 1;
        }
    };
    match tokio::time::timeout(meta.timeout, am.preview(&matchers)).await {
        Ok(Ok(alerts)) => {
            outln(format_args!(
                "would silence {} alert(s) firing now on {}",
                alerts.len(),
                line(&meta.name)
            ));
            for labels in alerts.iter().take(PREVIEW_LINES) {
                outln(format_args!("  {}", line(&labels_line(labels))));
            }
            if alerts.len() > PREVIEW_LINES {
                outln(format_args!(
                    "  … and {} more",
                    alerts.len() - PREVIEW_LINES
                ));
            }
        }
        // The silence is still owed to Alertmanager when it comes back: say what is unknown.
        Ok(Err(error)) => err(format_args!("cannot preview: {}", line(&error.to_string()))),
        Err(_) => err("cannot preview: Alertmanager did not answer in time"),
    }
    if args.dry_run {
        return 0;
    }
    let what = format!("silence {} on {}", display_matchers(&matchers), meta.name);
    let request = WriteRequest {
        source: meta.name.clone(),
        incident: String::new(),
        kind: WriteKind::SilenceAdd,
        note: None,
        labels: BTreeMap::new(),
        silence: Some(SilenceWrite {
            matchers,
            ends_at: Some(app.clock.now() + duration),
            comment: args.comment.trim().to_string(),
        }),
        reroute: None,
    };
    let mut earlier = Vec::new();
    let outcome = submit(app, request, &what, wait, &mut earlier).await;
    report(&outcome, earlier)
}

/// The active silences of `source` (or the only Alertmanager source), as Alertmanager lists
/// them now.
async fn active(app: &App, source: Option<&str>) -> Result<(String, Vec<Silence>), String> {
    let (meta, am) = alertmanager(app, source)?;
    match tokio::time::timeout(meta.timeout, am.poll_incidents()).await {
        Ok(Ok(snapshot)) => Ok((meta.name.clone(), snapshot.silences)),
        Ok(Err(error)) => Err(format!("{}: {error}", meta.name)),
        Err(_) => Err(format!(
            "{}: no answer within {:?}",
            meta.name, meta.timeout
        )),
    }
}

/// `ondeck silence list`: the active silences, soonest to end first; exit 1 when
/// Alertmanager did not answer.
pub async fn list(app: &App, source: Option<&str>, json: bool) -> u8 {
    let silences = match active(app, source).await {
        Ok((_, silences)) => silences,
        Err(why) => {
            err(line(&why));
            return 1;
        }
    };
    if json {
        out(&(crate::inert::json::to_string_pretty(&silences).unwrap_or_default() + "\n"));
        return 0;
    }
    let now = app.clock.now();
    if silences.is_empty() {
        outln("no active silences");
    }
    for s in &silences {
        let left = crate::ui::format::age_secs((s.ends_at - now).num_seconds());
        outln(format_args!(
            "{}  {left:>5} left  {}  by {}: {} ({} alert(s))",
            line(&s.id),
            line(&display_matchers(&s.matchers)),
            line(&s.created_by),
            line(&s.comment),
            s.matching_alerts
        ));
    }
    0
}

/// `ondeck silence extend ID --by 1h`: the silence's end moves `by` later than Alertmanager
/// says it is now (read first, so the new end is fixed before it is queued and a retry
/// never stretches it twice).
pub async fn extend(app: &App, id: &str, by: &str, source: Option<&str>, wait: Duration) -> u8 {
    let by = match parse_duration(by) {
        Ok(by) => by,
        Err(error) => {
            err(line(&error.to_string()));
            return 2;
        }
    };
    if app.state.readonly {
        err("read-only: not extending a silence");
        return 2;
    }
    let (name, silences) = match active(app, source).await {
        Ok(found) => found,
        Err(why) => {
            err(format_args!(
                "cannot read the silence to extend ({}); nothing was queued",
                line(&why)
            ));
            return 1;
        }
    };
    let Some(current) = silences.iter().find(|s| s.id == id) else {
        err(format_args!(
            "{name} has no active silence {} (`ondeck silence list` shows them)",
            line(id)
        ));
        return 1;
    };
    let until = current.ends_at.max(Utc::now()) + by;
    let request = WriteRequest {
        source: name.clone(),
        incident: id.to_string(),
        kind: WriteKind::SilenceExtend,
        note: None,
        labels: BTreeMap::new(),
        silence: Some(SilenceWrite {
            matchers: Vec::new(),
            ends_at: Some(until),
            comment: String::new(),
        }),
        reroute: None,
    };
    let what = format!(
        "silence {id} on {name} (now ends {})",
        until.format("%Y-%m-%d %H:%M UTC")
    );
    let mut earlier = Vec::new();
    let outcome = submit(app, request, &what, wait, &mut earlier).await;
    report(&outcome, earlier)
}

/// `ondeck silence expire ID`: the silence ends now and what it hid notifies again.
pub async fn expire(app: &App, id: &str, source: Option<&str>, wait: Duration) -> u8 {
    if app.state.readonly {
        err("read-only: not expiring a silence");
        return 2;
    }
    let (meta, _) = match alertmanager(app, source) {
        Ok(found) => found,
        Err(why) => {
            err(line(&why));
            return 1;
        }
    };
    let request = WriteRequest {
        source: meta.name.clone(),
        incident: id.to_string(),
        kind: WriteKind::SilenceExpire,
        note: None,
        labels: BTreeMap::new(),
        silence: None,
        reroute: None,
    };
    let what = format!("silence {id} on {}", meta.name);
    let mut earlier = Vec::new();
    let outcome = submit(app, request, &what, wait, &mut earlier).await;
    report(&outcome, earlier)
}
