//! The silence dialog: a new silence (from an incident, from scratch or from `:silence`),
//! an extension, or an expiry — its fields as typed, and the preview of what it would hide
//! as Alertmanager last answered.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::SilenceMatcher;

/// What the dialog will do when confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SilenceOp {
    /// Create a silence from the matchers, duration and comment fields.
    Create,
    /// Move silence `id`'s end later by the duration field.
    Extend {
        /// The silence.
        id: String,
        /// Its end when the dialog opened.
        ends_at: DateTime<Utc>,
        /// Its matchers, shown so the responder sees which silence it is.
        matchers: String,
    },
    /// End silence `id` now.
    Expire {
        /// The silence.
        id: String,
        /// Its matchers, shown so the responder sees which silence it is.
        matchers: String,
        /// How many alerts firing now it silences (they notify again).
        matching_alerts: usize,
    },
}

/// One editable line of the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextField {
    /// The text.
    pub value: String,
    /// Characters before the cursor.
    pub cursor: usize,
}

impl TextField {
    /// A field holding `value`, the cursor at its end.
    pub fn new(value: &str) -> Self {
        Self {
            value: value.to_string(),
            cursor: value.chars().count(),
        }
    }
}

/// Which field has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceField {
    /// `service="checkout" alertname=~"Disk.*"`.
    Matchers,
    /// `2h`.
    Duration,
    /// Why.
    Comment,
}

/// What the silence would hide, as Alertmanager last answered for these matchers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SilencePreview {
    /// The matchers do not parse: nothing asked.
    Invalid(String),
    /// Asked; no answer yet.
    Checking(Vec<SilenceMatcher>),
    /// Alertmanager's firing alerts these matchers match, at `at`.
    Ready {
        /// The matchers asked about.
        matchers: Vec<SilenceMatcher>,
        /// Labels of every matched alert.
        alerts: Vec<BTreeMap<String, String>>,
        /// When Alertmanager answered.
        at: DateTime<Utc>,
    },
    /// Alertmanager did not answer.
    Failed {
        /// The matchers asked about.
        matchers: Vec<SilenceMatcher>,
        /// Why.
        why: String,
    },
}

impl SilencePreview {
    /// The matchers the preview is about, if it is about any.
    pub fn matchers(&self) -> Option<&[SilenceMatcher]> {
        match self {
            SilencePreview::Invalid(_) => None,
            SilencePreview::Checking(m)
            | SilencePreview::Ready { matchers: m, .. }
            | SilencePreview::Failed { matchers: m, .. } => Some(m),
        }
    }
}

/// The silence dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceDialog {
    /// The Alertmanager source it acts on.
    pub source: String,
    /// What it does.
    pub op: SilenceOp,
    /// Matchers, as typed.
    pub matchers: TextField,
    /// Duration (or, for an extension, how much longer), as typed.
    pub duration: TextField,
    /// Comment, as typed.
    pub comment: TextField,
    /// The field with the keyboard.
    pub focus: SilenceField,
    /// Why the last Enter did not send: shown until the next edit.
    pub error: Option<String>,
    /// What a new silence would hide.
    pub preview: SilencePreview,
}

impl SilenceDialog {
    /// The fields this dialog edits, in Tab order.
    pub fn fields(&self) -> &'static [SilenceField] {
        match self.op {
            SilenceOp::Create => &[
                SilenceField::Matchers,
                SilenceField::Duration,
                SilenceField::Comment,
            ],
            SilenceOp::Extend { .. } => &[SilenceField::Duration],
            SilenceOp::Expire { .. } => &[],
        }
    }

    /// The focused field.
    pub fn field_mut(&mut self, field: SilenceField) -> &mut TextField {
        match field {
            SilenceField::Matchers => &mut self.matchers,
            SilenceField::Duration => &mut self.duration,
            SilenceField::Comment => &mut self.comment,
        }
    }
}
