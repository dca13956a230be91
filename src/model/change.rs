//! Changes to the systems ondeck watches — deploys, rollbacks, config and feature-flag changes,
//! scaling — as every change source reports them, so the panes can put "what changed just
//! before this?" beside every burn and every page without knowing where a change came from.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What kind of change it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A new version or revision rolled out.
    Deploy,
    /// A version or revision going back to an earlier one.
    Rollback,
    /// A configuration change.
    Config,
    /// A feature flag flipped.
    Flag,
    /// Replicas or resources scaled.
    Scale,
}

impl ChangeKind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [ChangeKind; 5] = [
        ChangeKind::Deploy,
        ChangeKind::Rollback,
        ChangeKind::Config,
        ChangeKind::Flag,
        ChangeKind::Scale,
    ];

    /// The word in JSON and the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Deploy => "deploy",
            ChangeKind::Rollback => "rollback",
            ChangeKind::Config => "config",
            ChangeKind::Flag => "flag",
            ChangeKind::Scale => "scale",
        }
    }

    /// The past tense a sentence ends with: "checkout 1.42 → 1.43 deployed".
    pub fn past(self) -> &'static str {
        match self {
            ChangeKind::Deploy => "deployed",
            ChangeKind::Rollback => "rolled back",
            ChangeKind::Config => "config changed",
            ChangeKind::Flag => "flag changed",
            ChangeKind::Scale => "scaled",
        }
    }

    /// The kind named by `word` (`deploy`, `rollback`, `config`, `flag`, `scale`).
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// How much a responder needs to see it when several share one place on a time axis:
    /// a rollback first, then a deploy, then the rest.
    pub fn weight(self) -> u8 {
        match self {
            ChangeKind::Rollback => 4,
            ChangeKind::Deploy => 3,
            ChangeKind::Config => 2,
            ChangeKind::Flag => 1,
            ChangeKind::Scale => 0,
        }
    }
}

/// One change, as a change source reported it. Text fields are kept as received: they are
/// outside text, made inert where they are shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The configured source that reported it.
    pub source: String,
    /// Identifies it within its source (so a list keeps its selection across polls).
    pub id: String,
    /// When it happened (rolled out, took effect).
    pub at: DateTime<Utc>,
    /// The service it changed.
    pub service: String,
    /// What kind of change.
    pub kind: ChangeKind,
    /// One line saying what changed.
    pub summary: String,
    /// The version, revision or value before, when known.
    pub from: Option<String>,
    /// The version, revision or value after, when known.
    pub to: Option<String>,
    /// Where to read more (a pipeline run, a commit, the Argo CD app).
    pub link: Option<String>,
    /// Who or what made it.
    pub author: Option<String>,
}

impl Change {
    /// "1.42 → 1.43", "→ 1.43" or the summary when neither end is known.
    pub fn what(&self) -> String {
        match (&self.from, &self.to) {
            (Some(from), Some(to)) => format!("{} → {}", short(from), short(to)),
            (None, Some(to)) => format!("→ {}", short(to)),
            (Some(from), None) => format!("{} → ?", short(from)),
            (None, None) => self.summary.clone(),
        }
    }

    /// "checkout 1.42 → 1.43 deployed", "inventory cache TTL 60s → 30s config changed".
    pub fn headline(&self) -> String {
        format!("{} {} {}", self.service, self.what(), self.kind.past())
    }

    /// What `y` copies: the revision it went to, else its link, else its summary.
    pub fn copy_text(&self) -> String {
        self.to
            .clone()
            .or_else(|| self.link.clone())
            .unwrap_or_else(|| self.summary.clone())
    }
}

/// A revision as people read it: a 40-character git hash is cut to its first 7.
pub fn short(revision: &str) -> &str {
    let hex = revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit());
    if hex { &revision[..7] } else { revision }
}

/// Everything one change source reported for one poll.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeSnapshot {
    /// The changes it lists in the window asked about, in any order.
    pub changes: Vec<Change>,
    /// What the poll could not read whole (a list cut at its cap, lines of a command that
    /// are not changes), one line each: its data is there but not whole.
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn change(from: Option<&str>, to: Option<&str>) -> Change {
        Change {
            source: "argo".into(),
            id: "1".into(),
            at: Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap(),
            service: "checkout".into(),
            kind: ChangeKind::Deploy,
            summary: "checkout synced".into(),
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            link: Some("https://argo/app/checkout".into()),
            author: None,
        }
    }

    #[test]
    fn a_change_reads_as_its_versions_and_what_happened() {
        assert_eq!(
            change(Some("1.42"), Some("1.43")).headline(),
            "checkout 1.42 → 1.43 deployed"
        );
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(change(None, Some(sha)).what(), "→ 0123456");
        assert_eq!(change(None, None).what(), "checkout synced");
        assert_eq!(
            change(None, Some(sha)).copy_text(),
            sha,
            "y copies it whole"
        );
        assert_eq!(
            change(None, None).copy_text(),
            "https://argo/app/checkout",
            "without a revision, the link"
        );
    }

    #[test]
    fn kinds_read_back_from_their_words() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ChangeKind::parse("release"), None);
    }
}
