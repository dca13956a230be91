//! The incident subcommands: `ack`, `resolve`, `unack`, `incidents`, `outbox`, `handoff`.
//! Each builds the same app as the cockpit (backends, outbox, state) and runs headless.

use std::time::Duration;

use super::writes::{WriteOutcome, drop_owed, resend_owed, write};
use crate::app::App;
use crate::inert::line;
use crate::journal::{audit_path, read_all};
use crate::model::IncidentAction;
use crate::output::{err, out, outln};

/// `ondeck ack|resolve|unack`: records the write, delivers it (after whatever was queued
/// before it for the same backend); prints one line per outcome and returns the exit code
/// (0 delivered, 1 refused, 75 queued).
pub async fn write_command(
    app: &App,
    id: &str,
    action: IncidentAction,
    note: Option<String>,
    source: Option<&str>,
    wait: Duration,
) -> u8 {
    let mut earlier = Vec::new();
    let outcome = write(app, id, action, note, source, wait, &mut earlier).await;
    for earlier in earlier {
        err(line(&earlier));
    }
    match &outcome {
        WriteOutcome::Delivered(m) => outln(line(m)),
        other => err(line(other.message())),
    }
    outcome.exit_code()
}

/// `ondeck outbox`: lists what is owed and tries each once more (or, with `drop`, settles
/// one without sending it); exit 0 when nothing is left owed.
pub async fn outbox_command(app: &App, drop: Option<&str>) -> u8 {
    if let Some(id) = drop {
        return match drop_owed(app, id).await {
            Ok(done) => {
                outln(line(&done));
                0
            }
            Err(why) => {
                err(line(&why));
                1
            }
        };
    }
    let lines = resend_owed(app).await;
    if lines.is_empty() {
        outln(format_args!(
            "{}: nothing owed",
            app.outbox.context.store.path().display()
        ));
        return 0;
    }
    let owed = lines.iter().filter(|l| l.starts_with("still owed")).count();
    // One write a line: a line break in an incident id or an error must not start another.
    out(&lines
        .iter()
        .map(|l| format!("{}\n", line(l)))
        .collect::<String>());
    u8::from(owed > 0)
}

/// `ondeck incidents`: the open incidents and who is on call, as text or JSON; exit 1 when
/// a source failed.
pub async fn incidents_command(app: App, json: bool) -> (String, u8) {
    let (state, at) = super::collect(app).await;
    let snapshot = super::json::build(&state, at);
    let failed = super::any_failed(&state);
    let oncall: Vec<&crate::model::OnCall> = state.oncall.values().flatten().collect();
    let text = if json {
        let value = serde_json::json!({
            "generated_at": snapshot.generated_at,
            "sources": snapshot.sources,
            "incidents": snapshot.incidents,
            "oncall": oncall,
        });
        crate::inert::json::to_string_pretty(&value).unwrap_or_default() + "\n"
    } else {
        let mut out = super::text::incidents_table(&snapshot.incidents);
        for shift in oncall {
            out.push_str(&format!(
                "on call for {} ({}): {} now, {} next\n",
                line(&shift.schedule),
                line(&shift.source),
                line(shift.now.as_deref().unwrap_or("nobody")),
                line(shift.next.as_deref().unwrap_or("—")),
            ));
        }
        for source in snapshot.sources.iter().filter(|s| s.error.is_some()) {
            out.push_str(&format!(
                "source {} failed: {}\n",
                line(&source.name),
                line(source.error.as_deref().unwrap_or_default())
            ));
        }
        for source in &snapshot.sources {
            for warning in &source.warnings {
                out.push_str(&format!("source {}: {warning}\n", source.name));
            }
        }
        out
    };
    (text, u8::from(failed))
}

/// `ondeck handoff --since`: the Markdown shift report.
pub async fn handoff_command(
    app: App,
    state_dir: Option<&std::path::Path>,
    since: Duration,
) -> std::io::Result<String> {
    let audit = match state_dir {
        Some(dir) => read_all(&audit_path(dir))?
            .into_iter()
            .filter_map(Result::ok)
            .collect(),
        None => Vec::new(),
    };
    let (state, at) = super::collect(app).await;
    let span = chrono::Duration::from_std(since).unwrap_or(chrono::Duration::hours(12));
    Ok(super::handoff::render(&state, &audit, at - span, at))
}
