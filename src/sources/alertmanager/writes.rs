//! What acknowledge, un-acknowledge and notes mean for Alertmanager: a silence on the group's
//! labels, made, expired or annotated. Every write reads the alerts and silences first, so a
//! retried write finds its own earlier effect and does not repeat it.

use chrono::{DateTime, Utc};

use super::api::Api;
use super::group::{AlertGroup, group_alerts};
use super::wire::{Alert, GettableSilence, PostableSilence};
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

impl Writer {
    /// Acknowledges a group: creates a silence matching its labels, unless one this user made
    /// already covers it (a retried acknowledge must not stack silences).
    pub async fn acknowledge(
        &self,
        api: &Api,
        id: &str,
        note: Option<&str>,
    ) -> Result<(), SourceError> {
        let (alerts, silences) = tokio::try_join!(api.alerts(), api.silences())?;
        let group = find(&alerts, &self.group_by, id)?;
        if self.own_silence(&group, &silences).is_some() {
            return Ok(());
        }
        let silence = self.ack_silence(&group, note, Utc::now());
        api.post_silence(&silence).await.map(|_| ())
    }

    /// Un-acknowledges a group: expires every active silence that silences any of its alerts,
    /// so it pages again. Nothing to expire is success (already un-acknowledged).
    pub async fn unacknowledge(&self, api: &Api, id: &str) -> Result<(), SourceError> {
        let (alerts, silences) = tokio::try_join!(api.alerts(), api.silences())?;
        let group = find(&alerts, &self.group_by, id)?;
        for silence in silences.iter().filter(|s| group.touched_by(s)) {
            api.expire(&silence.id).await?;
        }
        Ok(())
    }

    /// Appends `text` to the comment of the silence this user made for the group (updating
    /// it in place). A retry whose text is already the comment's last line changes nothing.
    pub async fn add_note(&self, api: &Api, id: &str, text: &str) -> Result<(), SourceError> {
        let (alerts, silences) = tokio::try_join!(api.alerts(), api.silences())?;
        let group = find(&alerts, &self.group_by, id)?;
        let Some(silence) = self.own_silence(&group, &silences) else {
            return Err(SourceError::Rejected(format!(
                "alert group {id} has no silence by {}; acknowledge first: notes go in the \
                 silence comment",
                self.user
            )));
        };
        match noted(silence, text) {
            Some(update) => api.post_silence(&update).await.map(|_| ()),
            None => Ok(()),
        }
    }

    /// The active silence this user made that covers the whole group, the longest-lasting
    /// one if there are several.
    pub fn own_silence<'s>(
        &self,
        group: &AlertGroup<'_>,
        silences: &'s [GettableSilence],
    ) -> Option<&'s GettableSilence> {
        silences
            .iter()
            .filter(|s| s.created_by == self.user && group.covered_by(s))
            .max_by_key(|s| s.ends_at)
    }

    /// The silence an acknowledge creates at `now`: equality matchers on the group labels,
    /// lasting the configured duration, with the note (or a default) as its comment.
    pub fn ack_silence(
        &self,
        group: &AlertGroup<'_>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> PostableSilence {
        let comment = match note.map(str::trim).filter(|n| !n.is_empty()) {
            Some(note) => note.to_string(),
            None => format!("acknowledged in ondeck by {}", self.user),
        };
        PostableSilence {
            id: None,
            matchers: group.matchers(),
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

/// The firing group with incident id `id`.
fn find<'a>(
    alerts: &'a [Alert],
    group_by: &[String],
    id: &str,
) -> Result<AlertGroup<'a>, SourceError> {
    group_alerts(alerts, group_by)
        .into_iter()
        .find(|g| g.id == id)
        .ok_or_else(|| SourceError::Rejected(format!("no alert group {id} is firing")))
}
