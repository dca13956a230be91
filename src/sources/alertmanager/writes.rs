//! What acknowledge, un-acknowledge and notes mean for Alertmanager: a silence on the group's
//! labels, made, expired or annotated.
//!
//! Alertmanager keeps alerts in memory only: after a restart it lists none until Prometheus
//! sends them again. So a write carries the group's labels from when it was queued (the
//! outbox keeps them) and acts on them whether or not the group is listed right now. Every
//! write reads the silences first, so a repeated write finds its own earlier effect and does
//! not repeat it.

use chrono::{DateTime, Utc};

use super::api::Api;
use super::group::{AlertGroup, group_alerts, group_id};
use super::wire::{Alert, GettableSilence, Matcher, PostableSilence};
use crate::outbox::Write;
use crate::sources::SourceError;

/// Why resolve is refused: Alertmanager has no such operation.
pub const CANNOT_RESOLVE: &str = "an Alertmanager alert resolves by itself when its rule stops \
     firing; press `a` to silence it instead";

/// Who writes, and how: the acting user and how long an acknowledge silences for.
#[derive(Debug, Clone)]
pub struct Writer {
    /// `createdBy` of the silences ondeck makes.
    pub user: String,
    /// How long an acknowledge silences the group.
    pub silence_duration: chrono::Duration,
    /// The labels alerts are grouped by.
    pub group_by: Vec<String>,
}

/// The group a write is about: its labels as `group_by` pairs, and its alerts when listed.
pub(super) struct Target<'a> {
    key: Vec<(String, String)>,
    group: Option<AlertGroup<'a>>,
}

impl<'a> Target<'a> {
    /// A listed group.
    #[cfg(test)]
    pub(super) fn of_group(group: &AlertGroup<'a>) -> Self {
        Self {
            key: group.key.clone(),
            group: Some(group.clone()),
        }
    }

    /// Equality matchers on the group labels.
    fn matchers(&self) -> Vec<Matcher> {
        self.key
            .iter()
            .map(|(name, value)| Matcher {
                name: name.clone(),
                value: value.clone(),
                is_regex: false,
                is_equal: true,
            })
            .collect()
    }

    /// Whether `silence` is exactly this group's silence (the one an acknowledge makes), or
    /// silences every listed alert of it.
    fn covered_by(&self, silence: &GettableSilence) -> bool {
        silence.is_active()
            && (same_matchers(&silence.matchers, &self.matchers())
                || self.group.as_ref().is_some_and(|g| g.covered_by(silence)))
    }

    /// Whether `silence` silences this group or any listed alert of it.
    fn touched_by(&self, silence: &GettableSilence) -> bool {
        silence.is_active()
            && (same_matchers(&silence.matchers, &self.matchers())
                || self.group.as_ref().is_some_and(|g| g.touched_by(silence)))
    }
}

/// Whether two matcher lists are the same set.
pub(super) fn same_matchers(a: &[Matcher], b: &[Matcher]) -> bool {
    let sorted = |m: &[Matcher]| {
        let mut v: Vec<(String, String, bool, bool)> = m
            .iter()
            .map(|m| (m.name.clone(), m.value.clone(), m.is_regex, m.is_equal))
            .collect();
        v.sort();
        v
    };
    sorted(a) == sorted(b)
}

impl Writer {
    /// The group `write` is about. Its stored labels decide when they name exactly this group
    /// (their group id is the incident id); otherwise the group must be listed now — and if
    /// it is not, that is transient until the silence it asks for would have run out.
    fn target<'a>(&self, write: Write<'_>, alerts: &'a [Alert]) -> Result<Target<'a>, SourceError> {
        let entry = write.entry;
        let id = entry.incident.as_str();
        let group = group_alerts(alerts, &self.group_by)
            .into_iter()
            .find(|g| g.id == id);
        let stored: Vec<(String, String)> = self
            .group_by
            .iter()
            .map(|name| {
                let value = entry.labels.get(name).cloned().unwrap_or_default();
                (name.clone(), value)
            })
            .collect();
        if !entry.labels.is_empty() && group_id(&stored) == id {
            return Ok(Target { key: stored, group });
        }
        match group {
            Some(group) => Ok(Target {
                key: group.key.clone(),
                group: Some(group),
            }),
            None => Err(self.absent(write, Utc::now())),
        }
    }

    /// A group that is not listed, for a write that did not keep its labels.
    fn absent(&self, write: Write<'_>, now: DateTime<Utc>) -> SourceError {
        let entry = write.entry;
        let id = &entry.incident;
        let give_up = entry.queued_at + self.silence_duration;
        if now < give_up {
            SourceError::Absent(format!(
                "alert group {id} is not listed now (Alertmanager may have restarted and not \
                 yet heard from Prometheus); retrying until {}",
                give_up.format("%H:%M UTC")
            ))
        } else {
            SourceError::Rejected(format!(
                "alert group {id} has not been listed since the write was queued at {}, longer \
                 than the silence would have lasted",
                entry.queued_at.format("%H:%M UTC")
            ))
        }
    }

    /// Delivers a write from the outbox.
    pub async fn deliver(&self, api: &Api, write: Write<'_>) -> Result<(), SourceError> {
        use crate::model::IncidentAction::{Acknowledge, Resolve, Unacknowledge};
        if write.entry.kind.is_silence() {
            return super::silencing::deliver(self, api, write).await;
        }
        match write.action() {
            Some(Acknowledge) => self.acknowledge(api, write).await,
            Some(Unacknowledge) => self.unacknowledge(api, write).await,
            Some(Resolve) => Err(SourceError::Rejected(CANNOT_RESOLVE.to_string())),
            None => self.add_note(api, write).await,
        }
    }

    /// Acknowledges a group: creates a silence matching its labels, unless one this user made
    /// already covers it (a retried acknowledge must not stack silences).
    pub async fn acknowledge(&self, api: &Api, write: Write<'_>) -> Result<(), SourceError> {
        let (alerts, silences) = tokio::try_join!(api.alerts(), api.silences())?;
        let target = self.target(write, &alerts)?;
        if self.own_silence(&target, &silences).is_some() {
            return Ok(());
        }
        let silence = self.ack_silence(target.matchers(), write.note(), Utc::now());
        api.post_silence(&silence).await.map(|_| ())
    }

    /// Un-acknowledges a group: expires every active silence that is exactly its silence or
    /// silences any of its listed alerts, so it pages again. Nothing to expire is success.
    pub async fn unacknowledge(&self, api: &Api, write: Write<'_>) -> Result<(), SourceError> {
        let (alerts, silences) = tokio::try_join!(api.alerts(), api.silences())?;
        let target = self.target(write, &alerts)?;
        for silence in silences.iter().filter(|s| target.touched_by(s)) {
            api.expire(&silence.id).await?;
        }
        Ok(())
    }

    /// Appends the note to the comment of the silence this user made for the group (updating
    /// it in place). A retry whose text is already the comment's last line changes nothing.
    pub async fn add_note(&self, api: &Api, write: Write<'_>) -> Result<(), SourceError> {
        let (alerts, silences) = tokio::try_join!(api.alerts(), api.silences())?;
        let target = self.target(write, &alerts)?;
        let id = &write.entry.incident;
        let Some(silence) = self.own_silence(&target, &silences) else {
            return Err(SourceError::Rejected(format!(
                "alert group {id} has no silence by {}; acknowledge first: notes go in the \
                 silence comment",
                self.user
            )));
        };
        match noted(silence, write.note().unwrap_or_default()) {
            Some(update) => api.post_silence(&update).await.map(|_| ()),
            None => Ok(()),
        }
    }

    /// The active silence this user made that covers the whole group, the longest-lasting
    /// one if there are several.
    pub(super) fn own_silence<'s>(
        &self,
        target: &Target<'_>,
        silences: &'s [GettableSilence],
    ) -> Option<&'s GettableSilence> {
        silences
            .iter()
            .filter(|s| s.created_by == self.user && target.covered_by(s))
            .max_by_key(|s| s.ends_at)
    }

    /// The silence an acknowledge creates at `now`: `matchers`, lasting the configured
    /// duration, with the note (or a default) as its comment.
    pub fn ack_silence(
        &self,
        matchers: Vec<Matcher>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> PostableSilence {
        let comment = match note.map(str::trim).filter(|n| !n.is_empty()) {
            Some(note) => note.to_string(),
            None => format!("acknowledged in ondeck by {}", self.user),
        };
        PostableSilence {
            id: None,
            matchers,
            starts_at: now,
            ends_at: now + self.silence_duration,
            created_by: self.user.clone(),
            comment,
        }
    }
}

/// The update that appends `text` to `silence`'s comment, or `None` when its last line is
/// already `text`. Everything else is sent back unchanged, so Alertmanager updates the
/// silence in place instead of replacing it.
pub fn noted(silence: &GettableSilence, text: &str) -> Option<PostableSilence> {
    let text = text.trim();
    if silence.comment.lines().last().map(str::trim) == Some(text) {
        return None;
    }
    let comment = if silence.comment.is_empty() {
        text.to_string()
    } else {
        format!("{}\n{text}", silence.comment)
    };
    Some(PostableSilence {
        id: Some(silence.id.clone()),
        matchers: silence.matchers.clone(),
        starts_at: silence.starts_at,
        ends_at: silence.ends_at,
        created_by: silence.created_by.clone(),
        comment,
    })
}
