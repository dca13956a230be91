//! `ondeck changes`: every change source read once over the window asked for, through the
//! same backends, `update` and state as the cockpit, printed newest first as text or JSON —
//! and the handoff's list of the shift's changes. Every text field is outside text: inert in
//! text output, escaped by serde in JSON.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::action::Action;
use crate::app::App;
use crate::inert;
use crate::model::Change;
use crate::sources::{Backends, Clock, Feed};
use crate::state::{Health, State};
use crate::ui::format;
use crate::update::update;

/// One change in JSON: the fields scripts read, the shape a `command` change source prints.
#[derive(Debug, Serialize)]
pub struct ChangeJson {
    /// When it happened, RFC 3339.
    pub time: String,
    /// The service it changed.
    pub service: String,
    /// `deploy`, `rollback`, `config`, `flag` or `scale`.
    pub kind: &'static str,
    /// What changed, in a line.
    pub summary: String,
    /// The version, revision or value before, if known.
    pub from: Option<String>,
    /// The version, revision or value after, if known.
    pub to: Option<String>,
    /// The configured source that reported it.
    pub source: String,
    /// Where to read more.
    pub link: Option<String>,
    /// Who or what made it.
    pub author: Option<String>,
}

impl ChangeJson {
    /// The JSON form of `change`.
    pub fn of(change: &Change) -> Self {
        Self {
            time: change.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            service: change.service.clone(),
            kind: change.kind.as_str(),
            summary: change.summary.clone(),
            from: change.from.clone(),
            to: change.to.clone(),
            source: change.source.clone(),
            link: change.link.clone(),
            author: change.author.clone(),
        }
    }
}

/// A change source's state, so a script can tell "no changes" from "could not read them".
#[derive(Debug, Serialize)]
pub struct ChangeSourceJson {
    /// Configured name.
    pub name: String,
    /// Backend kind.
    pub kind: String,
    /// `fresh` or `failed`.
    pub status: &'static str,
    /// Why it failed.
    pub error: Option<String>,
    /// What its read left out.
    pub warnings: Vec<String>,
}

/// The changes of `state` in `[since, until]`, of `service` only when given, newest first.
pub fn listed<'a>(
    state: &'a State,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    service: Option<&str>,
) -> Vec<&'a Change> {
    let mut out: Vec<&Change> = state
        .all_changes()
        .filter(|c| c.at >= since && c.at <= until)
        .filter(|c| service.is_none_or(|s| c.service == s))
        .collect();
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.source.cmp(&b.source)));
    out
}

/// Reads every change source over `[since, until]` into `state`.
pub async fn read_into(
    backends: &Backends,
    clock: Clock,
    state: &mut State,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) {
    let updates = crate::sources::changes::read_all(backends, since, until, clock).await;
    for source_update in updates {
        update(state, Action::Ingest(Box::new(source_update)));
    }
    update(state, Action::Tick(until));
}

fn sources(state: &State) -> Vec<ChangeSourceJson> {
    state
        .sources
        .iter()
        .filter(|s| s.feed == Feed::Changes)
        .map(|s| {
            let (status, error) = match s.health(state.now) {
                Health::Failed { error, .. } => ("failed", Some(error)),
                Health::Loading => ("failed", Some("no answer".to_string())),
                _ => ("fresh", None),
            };
            ChangeSourceJson {
                name: s.name.clone(),
                kind: s.kind.clone(),
                status,
                error,
                warnings: s.warnings.clone(),
            }
        })
        .collect()
}

/// `ondeck changes`: the text or JSON to print and the exit code (1 when a change source
/// failed, 2 when none is configured).
pub async fn command(
    app: App,
    since: std::time::Duration,
    service: Option<&str>,
    json: bool,
) -> (String, u8) {
    let until = app.clock.now();
    let span = chrono::Duration::from_std(since).unwrap_or(chrono::Duration::hours(2));
    let from = until - span;
    let mut state = app.state.clone();
    read_into(&app.backends, app.clock, &mut state, from, until).await;
    let sources = sources(&state);
    let failed = sources.iter().any(|s| s.status == "failed");
    let changes = listed(&state, from, until, service);
    if json {
        let value = serde_json::json!({
            "generated_at": until.to_rfc3339_opts(SecondsFormat::Secs, true),
            "since": from.to_rfc3339_opts(SecondsFormat::Secs, true),
            "sources": sources,
            "changes": changes.iter().map(|c| ChangeJson::of(c)).collect::<Vec<_>>(),
        });
        let text = inert::json::to_string_pretty(&value).unwrap_or_default() + "\n";
        return (text, u8::from(failed));
    }
    if sources.is_empty() {
        return (
            "no change source is configured: add change queries to a prometheus source, \
             change_events = true to a pagerduty source, or a github, argocd, grafana or \
             command [[source]]\n"
                .to_string(),
            2,
        );
    }
    let mut out = String::new();
    let whose = service.map_or(String::new(), |s| format!(" to {}", inert::line(s)));
    let _ = writeln!(
        out,
        "changes{whose} since {} UTC ({}), newest first",
        from.format("%Y-%m-%d %H:%M"),
        crate::ui::freshness::short_age(span.num_seconds())
    );
    if changes.is_empty() {
        let _ = writeln!(out, "none");
    } else {
        let _ = writeln!(
            out,
            "{:<16}  {:>6}  {:<14}  {:<8}  {:<12}  {:<10}  WHAT",
            "TIME (UTC)", "AGO", "SERVICE", "KIND", "BY", "SOURCE"
        );
    }
    for change in &changes {
        let _ = writeln!(
            out,
            "{:<16}  {:>6}  {:<14}  {:<8}  {:<12}  {:<10}  {}",
            change.at.format("%Y-%m-%d %H:%M"),
            format::age_secs((until - change.at).num_seconds()),
            inert::line(&change.service),
            change.kind.as_str(),
            inert::line(change.author.as_deref().unwrap_or("—")),
            inert::line(&change.source),
            inert::line(&change.what()),
        );
    }
    for source in &sources {
        if let Some(error) = &source.error {
            let _ = writeln!(
                out,
                "source {} failed: {}",
                inert::line(&source.name),
                inert::line(error)
            );
        }
        for warning in &source.warnings {
            let _ = writeln!(
                out,
                "source {}: {}",
                inert::line(&source.name),
                inert::line(warning)
            );
        }
    }
    (out, u8::from(failed))
}

/// The handoff's "Changes during the shift" section.
pub fn handoff_section(out: &mut String, state: &State, since: DateTime<Utc>, now: DateTime<Utc>) {
    if !state.has_change_sources() {
        return;
    }
    let changes = listed(state, since, now, None);
    let _ = writeln!(out, "## Changes during the shift ({})\n", changes.len());
    let failed: Vec<String> = sources(state)
        .into_iter()
        .filter_map(|s| {
            s.error
                .map(|e| format!("{} ({})", inert::line(&s.name), inert::line(&e)))
        })
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "Not complete: could not read changes from {}.\n",
            failed.join(", ")
        );
    }
    if changes.is_empty() {
        let _ = writeln!(out, "None that the change sources list.\n");
        return;
    }
    let cell = |text: &str| inert::line(text).replace('|', "\\|");
    let _ = writeln!(out, "| time (UTC) | service | kind | what | by | source |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for change in changes.iter().rev() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            change.at.format("%H:%M"),
            cell(&change.service),
            change.kind.as_str(),
            cell(&change.what()),
            cell(change.author.as_deref().unwrap_or("—")),
            cell(&change.source),
        );
    }
    out.push('\n');
}
