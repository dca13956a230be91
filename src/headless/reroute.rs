//! `ondeck escalate|reassign|snooze ID`: PagerDuty's escalate, reassign and snooze for
//! scripts, through the outbox like every write. Each target is fixed before it is queued —
//! the level, the assignee, the end of the snooze — so a retry never goes further than what
//! was asked. Other backends refuse in words before anything is queued.

use std::time::Duration;

use super::writes::{WriteOutcome, listed, source_for, submit};
use crate::app::App;
use crate::inert::line;
use crate::model::silence::parse_duration;
use crate::outbox::{Reroute, WriteKind, WriteRequest};
use crate::output::{err, outln};
use crate::sources::registry::no_reroute;

/// What to do to the incident.
#[derive(Debug, Clone)]
pub enum Ask {
    /// Escalate to this level, or (`None`) one above the level it is at.
    Escalate(Option<u32>),
    /// Hand it to this user (email or PagerDuty user id).
    Reassign(String),
    /// Quiet it for this long (`30m`, `2h`, `1d`).
    Snooze(String),
}

/// Sends `ask` for incident `id`; prints the outcome; returns the exit code (0 done,
/// 1 refused, 2 bad arguments, 75 still queued).
pub async fn reroute(app: &App, id: &str, ask: Ask, source: Option<&str>, wait: Duration) -> u8 {
    let fail = |why: &str, code: u8| {
        err(line(why));
        code
    };
    if app.state.readonly {
        return fail("read-only: not sending it", 2);
    }
    let source = match source_for(app, id, source).await {
        Ok(source) => source,
        Err(why) => return fail(&why, 1),
    };
    let Some((_, backend)) = app
        .backends
        .incidents
        .iter()
        .find(|(m, _)| m.name == source)
    else {
        return fail(&format!("no incident source named `{source}`"), 1);
    };
    let (kind, reroute) = match ask {
        Ask::Escalate(level) => {
            let level = match level {
                Some(level) => level,
                None => match listed(app, &source, id).await {
                    Ok(Some(incident)) => match incident.escalation_level {
                        Some(now) => now + 1,
                        None => {
                            return fail(
                                &format!(
                                    "ondeck does not know {id}'s escalation level; pass --level N"
                                ),
                                2,
                            );
                        }
                    },
                    _ => {
                        return fail(
                            &format!("{source} does not list {id} now; pass --level N"),
                            1,
                        );
                    }
                },
            };
            if level == 0 {
                return fail("--level starts at 1 (the first responder)", 2);
            }
            (
                WriteKind::Escalate,
                Reroute {
                    level: Some(level),
                    ..Reroute::default()
                },
            )
        }
        Ask::Reassign(to) if to.trim().is_empty() => {
            return fail("--to needs a user: an email or a PagerDuty user id", 2);
        }
        Ask::Reassign(to) => (
            WriteKind::Reassign,
            Reroute {
                assignee: Some(to.trim().to_string()),
                ..Reroute::default()
            },
        ),
        Ask::Snooze(text) => match parse_duration(&text) {
            Ok(d) => (
                WriteKind::Snooze,
                Reroute {
                    until: Some(app.clock.now() + d),
                    ..Reroute::default()
                },
            ),
            Err(e) => {
                return fail(
                    &e.to_string().replace("silence duration", "snooze duration"),
                    2,
                );
            }
        },
    };
    if let Some(why) = no_reroute(backend, kind) {
        return fail(
            &format!("cannot {} {id} on {source}: {why}", kind.verb()),
            1,
        );
    }
    let target = match (&reroute.level, &reroute.assignee, &reroute.until) {
        (Some(level), _, _) => format!(" to level {level}"),
        (_, Some(to), _) => format!(" to {to}"),
        (_, _, Some(until)) => format!(" until {}", until.format("%Y-%m-%d %H:%M UTC")),
        _ => String::new(),
    };
    let request = WriteRequest {
        source: source.clone(),
        incident: id.to_string(),
        kind,
        note: None,
        labels: Default::default(),
        silence: None,
        reroute: Some(reroute),
    };
    let what = format!("{id} on {source}{target}");
    let mut earlier = Vec::new();
    let outcome = submit(app, request, &what, wait, &mut earlier).await;
    for earlier in earlier {
        err(line(&earlier));
    }
    match &outcome {
        WriteOutcome::Delivered(m) => outln(line(m)),
        other => err(line(other.message())),
    }
    outcome.exit_code()
}
