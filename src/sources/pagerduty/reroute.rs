//! Escalate, reassign and snooze on PagerDuty, delivered from the outbox.
//!
//! Each write carries an absolute target fixed when confirmed — a level, an assignee, an
//! end — so delivering it twice (a retry after a lost answer, another process) sets the
//! same thing twice rather than escalating or snoozing further.

use chrono::Utc;
use reqwest::Method;

use super::api::{Api, segment, success};
use crate::outbox::{Write, WriteKind};
use crate::sources::SourceError;

/// Delivers an escalate, reassign or snooze.
pub(crate) async fn deliver(api: &Api, write: Write<'_>) -> Result<(), SourceError> {
    let entry = write.entry;
    let id = entry.incident.as_str();
    let reroute = entry.reroute.clone().unwrap_or_default();
    let missing = |what: &str| SourceError::Rejected(format!("the write carries no {what}"));
    let path = format!("/incidents/{}", segment(id));
    let (method, path, body) = match entry.kind {
        WriteKind::Escalate => {
            let level = reroute.level.ok_or_else(|| missing("level"))?;
            let body = serde_json::json!({
                "incident": { "type": "incident_reference", "escalation_level": level }
            });
            (Method::PUT, path, body)
        }
        WriteKind::Reassign => {
            let to = reroute.assignee.ok_or_else(|| missing("assignee"))?;
            // An email is looked up; anything else is taken as PagerDuty's user id.
            let user = if to.contains('@') {
                api.user_id(&to).await.map_err(|error| match error {
                    SourceError::Rejected(_) => {
                        SourceError::Rejected(format!("no PagerDuty user has the email {to}"))
                    }
                    other => other,
                })?
            } else {
                to
            };
            let body = serde_json::json!({
                "incident": {
                    "type": "incident_reference",
                    "assignments": [{ "assignee": { "id": user, "type": "user_reference" } }]
                }
            });
            (Method::PUT, path, body)
        }
        WriteKind::Snooze => {
            let until = reroute.until.ok_or_else(|| missing("end"))?;
            let seconds = (until - Utc::now()).num_seconds();
            if seconds < 60 {
                return Err(SourceError::Rejected(format!(
                    "the snooze would have ended at {} already; nothing was sent",
                    until.format("%H:%M UTC")
                )));
            }
            let body = serde_json::json!({ "duration": seconds });
            (Method::POST, format!("{path}/snooze"), body)
        }
        _ => {
            return Err(SourceError::Rejected(format!(
                "{} is not an escalate, reassign or snooze",
                entry.kind.verb()
            )));
        }
    };
    let reply = api.send_write(method, &path, &body).await?;
    if reply.status == 404 {
        return Err(api.unknown(id));
    }
    success(reply).map(drop)
}
