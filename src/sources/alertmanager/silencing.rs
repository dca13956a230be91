//! Silences a responder makes, extends and expires by hand (the `S` view, `:silence`,
//! `ondeck silence …`), delivered from the outbox.
//!
//! Each write is fixed when confirmed — the matchers, the comment and an absolute end — so
//! delivering it twice changes nothing the first did not: a new silence is looked for (same
//! author, matchers, comment and end) before one is posted, an extension sets an end rather
//! than adding to it, and expiring what is already expired is success.

use chrono::{DateTime, Utc};

use super::api::Api;
use super::wire::{GettableSilence, Matcher, PostableSilence, SilenceState};
use super::writes::Writer;
use crate::model::{SilenceMatcher, SilenceWrite};
use crate::outbox::{Write, WriteKind};
use crate::sources::SourceError;

/// Delivers a silence write (`kind.is_silence()`).
pub async fn deliver(writer: &Writer, api: &Api, write: Write<'_>) -> Result<(), SourceError> {
    let entry = write.entry;
    let missing =
        || SourceError::Rejected("the write carries no silence (a damaged outbox line)".into());
    match entry.kind {
        WriteKind::SilenceAdd => {
            create(
                writer,
                api,
                entry.silence.as_ref().ok_or_else(missing)?,
                entry.queued_at,
            )
            .await
        }
        WriteKind::SilenceExtend => {
            let until = entry
                .silence
                .as_ref()
                .and_then(|s| s.ends_at)
                .ok_or_else(missing)?;
            extend(api, &entry.incident, until).await
        }
        WriteKind::SilenceExpire => expire(api, &entry.incident).await,
        _ => Err(SourceError::Rejected(format!(
            "{} is not a silence write",
            entry.kind.verb()
        ))),
    }
}

/// Alertmanager's matcher for ondeck's.
pub fn wire_matcher(m: &SilenceMatcher) -> Matcher {
    Matcher {
        name: m.name.clone(),
        value: m.value.clone(),
        is_regex: m.is_regex,
        is_equal: m.is_equal,
    }
}

/// Creates the silence unless this write already did (a retry whose first answer was lost,
/// or another process that delivered it): then it stands, with the same author, matchers,
/// comment and end.
async fn create(
    writer: &Writer,
    api: &Api,
    silence: &SilenceWrite,
    queued_at: DateTime<Utc>,
) -> Result<(), SourceError> {
    let now = Utc::now();
    let Some(ends_at) = silence.ends_at else {
        return Err(SourceError::Rejected("the silence has no end".into()));
    };
    if ends_at <= now {
        return Err(SourceError::Rejected(format!(
            "the silence would have ended at {} already; nothing was sent",
            ends_at.format("%H:%M UTC")
        )));
    }
    let matchers: Vec<Matcher> = silence.matchers.iter().map(wire_matcher).collect();
    let existing = api.silences().await?;
    if existing
        .iter()
        .any(|s| is_this_write(s, writer, &matchers, silence, queued_at))
    {
        return Ok(());
    }
    let postable = PostableSilence {
        id: None,
        matchers,
        starts_at: now,
        ends_at,
        created_by: writer.user.clone(),
        comment: silence.comment.clone(),
    };
    api.post_silence(&postable).await.map(|_| ())
}

/// Whether `s` is the silence this write made: same author, matchers and comment, started
/// after the write was queued, and ending when the write said (or expired by hand since, which
/// a retry must not undo).
fn is_this_write(
    s: &GettableSilence,
    writer: &Writer,
    matchers: &[Matcher],
    silence: &SilenceWrite,
    queued_at: DateTime<Utc>,
) -> bool {
    let Some(ends_at) = silence.ends_at else {
        return false;
    };
    // Alertmanager keeps milliseconds; ondeck's and its clock may differ by a little.
    let slack = chrono::Duration::seconds(1);
    let ends_as_asked = (s.ends_at - ends_at).abs() < slack;
    s.created_by == writer.user
        && s.comment == silence.comment
        && super::writes::same_matchers(&s.matchers, matchers)
        && s.starts_at >= queued_at - slack
        && (ends_as_asked || s.status.state == SilenceState::Expired)
}

/// Moves the silence's end to `until` (in place: same id, matchers and start), unless it
/// already ends then or later.
async fn extend(api: &Api, id: &str, until: DateTime<Utc>) -> Result<(), SourceError> {
    let silences = api.silences().await?;
    let Some(silence) = silences.iter().find(|s| s.id == id) else {
        return Err(SourceError::Rejected(format!(
            "Alertmanager has no silence {id} (it forgets expired silences after its retention)"
        )));
    };
    if silence.status.state == SilenceState::Expired {
        return Err(SourceError::Rejected(format!(
            "silence {id} has expired; create a new one instead"
        )));
    }
    if silence.ends_at >= until {
        return Ok(());
    }
    let postable = PostableSilence {
        id: Some(silence.id.clone()),
        matchers: silence.matchers.clone(),
        starts_at: silence.starts_at,
        ends_at: until,
        created_by: silence.created_by.clone(),
        comment: silence.comment.clone(),
    };
    api.post_silence(&postable).await.map(|_| ())
}

/// Expires the silence; one already expired or gone is success (a retry finds its own
/// earlier effect).
async fn expire(api: &Api, id: &str) -> Result<(), SourceError> {
    match api.expire(id).await {
        Ok(()) => Ok(()),
        // Alertmanager answers an already expired silence with an error (500 in some
        // releases): its list says whether there is anything left to do.
        Err(error @ SourceError::Http { .. }) => {
            let silences = api.silences().await?;
            match silences.iter().find(|s| s.id == id) {
                Some(s) if s.status.state == SilenceState::Expired => Ok(()),
                _ => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}
