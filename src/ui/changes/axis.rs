//! Change markers on the time axis under the debug pane's sparklines, each in the column of
//! the first sample that could show the change's effect (the sample at or after it).
//!
//! A sparkline draws the last `width` samples of its series, oldest on the left, `step`
//! apart, the newest at the trend's instant; the axis places marks by the same arithmetic, so
//! a mark sits under the bar it belongs to. When several changes share a column the one a
//! responder most needs to see wins (a rollback, then a deploy, then the rest). A change
//! after the newest sample, or before the oldest drawn, gets no mark; the changes list still
//! shows it, and the changes of the series that a narrow sparkline leaves off its left edge
//! are counted, so a narrow terminal never shows an empty axis that looks like "no change".

use chrono::{DateTime, Utc};
use ratatui::text::Span;

use crate::config::Theme;
use crate::model::{Change, ChangeKind};

/// The marker glyph of a kind.
pub fn glyph(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Deploy => "▲",
        ChangeKind::Rollback => "↶",
        ChangeKind::Config => "◆",
        ChangeKind::Flag => "⚑",
        ChangeKind::Scale => "↕",
    }
}

/// One marked column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The kind drawn there.
    pub kind: ChangeKind,
    /// Whether it changed the service itself (else a service it calls).
    pub own: bool,
}

/// The marks of one axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// One entry per drawn column, `Some` where a change falls.
    pub columns: Vec<Option<Mark>>,
    /// Changes in samples of the series older than the oldest drawn.
    pub earlier: usize,
}

/// The axis under a sparkline of `len` samples `step_seconds` apart, the newest at `end`,
/// drawn `width` columns wide.
pub fn marks(
    changes: &[&Change],
    service: &str,
    end: DateTime<Utc>,
    step_seconds: u64,
    len: usize,
    width: usize,
) -> Axis {
    let shown = len.min(width);
    let mut out: Vec<Option<Mark>> = vec![None; shown];
    let mut earlier = 0;
    let (Ok(step), true) = (i64::try_from(step_seconds), step_seconds > 0) else {
        return Axis {
            columns: out,
            earlier,
        };
    };
    let first_shown = len - shown;
    for change in changes {
        let before = (end - change.at).num_milliseconds();
        if before < 0 {
            continue;
        }
        let back = usize::try_from(before / (step * 1000)).unwrap_or(usize::MAX);
        let Some(sample) = (len - 1).checked_sub(back) else {
            continue;
        };
        let Some(column) = sample.checked_sub(first_shown) else {
            earlier += 1;
            continue;
        };
        let mark = Mark {
            kind: change.kind,
            own: change.service == service,
        };
        let slot = &mut out[column];
        let heavier =
            slot.is_none_or(|m| (mark.own, mark.kind.weight()) > (m.own, m.kind.weight()));
        if heavier {
            *slot = Some(mark);
        }
    }
    Axis {
        columns: out,
        earlier,
    }
}

/// The axis as spans: a glyph per marked column (the service's own changes in the info
/// colour, rollbacks in the warning colour, changes of what it calls muted), spaces between.
pub fn spans(marks: &[Option<Mark>], dim: bool, theme: &Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut gap = 0usize;
    for mark in marks {
        match mark {
            None => gap += 1,
            Some(mark) => {
                if gap > 0 {
                    out.push(Span::raw(" ".repeat(gap)));
                    gap = 0;
                }
                let style = if dim {
                    theme.stale
                } else if mark.kind == ChangeKind::Rollback {
                    theme.sev_warning
                } else if mark.own {
                    theme.sev_info
                } else {
                    theme.text_muted
                };
                out.push(Span::styled(glyph(mark.kind), style));
            }
        }
    }
    if gap > 0 {
        out.push(Span::raw(" ".repeat(gap)));
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn change(service: &str, kind: ChangeKind, at: DateTime<Utc>) -> Change {
        Change {
            source: "s".into(),
            id: format!("{service}{at}"),
            at,
            service: service.into(),
            kind,
            summary: String::new(),
            from: None,
            to: None,
            link: None,
            author: None,
        }
    }

    #[test]
    fn a_change_sits_under_the_first_sample_at_or_after_it() {
        let end = Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap();
        let minute = Duration::minutes(1);
        let deploy = change(
            "checkout",
            ChangeKind::Deploy,
            end - minute * 6 - Duration::seconds(30),
        );
        let exact = change("checkout", ChangeKind::Config, end - minute * 10);
        let newest = change("checkout", ChangeKind::Scale, end);
        let future = change("checkout", ChangeKind::Deploy, end + minute);
        let old = change("checkout", ChangeKind::Deploy, end - minute * 90);
        let all = [&deploy, &exact, &newest, &future, &old];
        // 60 samples a minute apart, all drawn.
        let axis = marks(&all, "checkout", end, 60, 60, 80);
        assert_eq!(axis.earlier, 0, "every sample is drawn");
        let axis = axis.columns;
        assert_eq!(axis.len(), 60);
        let at = |column: usize| axis[column].map(|m| m.kind);
        // 6m30s before the newest sample: the sample 6 minutes before it is the first after.
        assert_eq!(at(59 - 6), Some(ChangeKind::Deploy));
        assert_eq!(at(59 - 10), Some(ChangeKind::Config));
        assert_eq!(at(59), Some(ChangeKind::Scale));
        assert_eq!(
            axis.iter().flatten().count(),
            3,
            "future and too old have no mark"
        );
        // Drawn 8 wide: only the last 8 samples; the deploy is 6 back from the right.
        let narrow = marks(&all, "checkout", end, 60, 60, 8);
        assert_eq!(
            narrow.earlier, 1,
            "the config change is in the series, left of the drawn part; the 90m-old one is not"
        );
        let narrow = narrow.columns;
        assert_eq!(narrow.len(), 8);
        assert_eq!(narrow[7 - 6].map(|m| m.kind), Some(ChangeKind::Deploy));
        assert_eq!(
            narrow.iter().flatten().count(),
            2,
            "the config change is off the left"
        );
    }

    #[test]
    fn in_a_shared_column_the_services_own_rollback_wins() {
        let end = Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap();
        let at = end - Duration::seconds(20);
        let theirs = change("inventory", ChangeKind::Rollback, at);
        let deploy = change("checkout", ChangeKind::Deploy, at);
        let rollback = change("checkout", ChangeKind::Rollback, at);
        let axis = marks(&[&theirs, &deploy], "checkout", end, 60, 5, 5).columns;
        assert_eq!(
            axis[4],
            Some(Mark {
                kind: ChangeKind::Deploy,
                own: true
            })
        );
        let axis = marks(&[&deploy, &rollback, &theirs], "checkout", end, 60, 5, 5).columns;
        assert_eq!(axis[4].map(|m| m.kind), Some(ChangeKind::Rollback));
    }
}
