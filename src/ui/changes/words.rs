//! Changes in words: the sentence beside a page ("checkout 1.42 → 1.43 deployed 6m before it
//! fired (argo, by ci-bot)"), the executive pane's cell and burn note ("burn began 3m after
//! deploy 1.43"), and a change's detail. Every piece of a change is outside text, made inert
//! here; every change is drawn as current as its source's changes feed.

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::inert;
use crate::model::{Change, ChangeKind};
use crate::state::{BurnAfter, Freshness, State};
use crate::ui::{format, freshness};

/// The noun of a kind, as "after deploy 1.43" reads.
pub fn noun(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Deploy => "deploy",
        ChangeKind::Rollback => "rollback",
        ChangeKind::Config => "config change",
        ChangeKind::Flag => "flag change",
        ChangeKind::Scale => "scaling",
    }
}

/// How long, coarsely: "6m", "2h05m".
pub fn span(duration: chrono::Duration) -> String {
    format::age_secs(duration.num_seconds())
}

/// "(argo, by ci-bot)": where the change was read and who made it.
pub fn by(change: &Change) -> String {
    match &change.author {
        Some(author) => format!(
            "({}, by {})",
            inert::line(&change.source),
            inert::line(author)
        ),
        None => format!("({})", inert::line(&change.source)),
    }
}

/// The style a change is drawn in: `normal` while its source's changes are current, else
/// the stale role; a rollback stands out in the warning colour.
pub fn style(change: &Change, fresh: Freshness, normal: Style, theme: &Theme) -> Style {
    let normal = if change.kind == ChangeKind::Rollback {
        theme.sev_warning
    } else {
        normal
    };
    freshness::style(fresh, normal, theme)
}

/// "checkout 1.42 → 1.43 deployed 6m before it fired (argo, by ci-bot)", with "↶ " before a
/// rollback and the data's age after it when its source is not current.
pub fn before_page(change: &Change, fired: DateTime<Utc>, state: &State) -> String {
    let mark = if change.kind == ChangeKind::Rollback {
        format!("{ROLLBACK_MARK} ")
    } else {
        String::new()
    };
    let ago = span(fired - change.at);
    let mut text = format!(
        "{mark}{} {ago} before it fired {}",
        inert::line(&change.headline()),
        by(change)
    );
    if let Some(age) = freshness::age(state.freshness_of(change)) {
        text.push_str(&format!(" (as of {age})"));
    }
    text
}

/// What marks a rollback in lists and sentences (the ASCII pass draws it as `<`).
pub const ROLLBACK_MARK: &str = "↶";

/// The lines "changed before this page" adds to an incident's facts: the nearest `most`
/// changes, a count of the rest, or that nothing changed — with the doubt of any change
/// source that is not current. Nothing when no change source is configured.
pub fn before_page_lines(
    incident: &crate::model::Incident,
    state: &State,
    theme: &Theme,
    most: usize,
) -> Vec<Line<'static>> {
    if !state.has_change_sources() {
        return Vec::new();
    }
    let label = Span::styled("changed before this page: ", theme.text_muted);
    let changes = state.changes_before(incident);
    let note = freshness::note(state, crate::sources::Feed::Changes);
    if changes.is_empty() {
        let calls = if state.callees(&incident.service).is_empty() {
            ""
        } else {
            " and what it calls"
        };
        let text = format!(
            "none in the hour before ({}{calls})",
            inert::line(&incident.service)
        );
        let line = match note {
            None => Line::from(vec![label, Span::styled(text, theme.text_muted)]),
            Some(note) => Line::from(vec![
                label,
                Span::styled(format!("{text} — not certain: {note}"), theme.stale),
            ]),
        };
        return vec![line];
    }
    // Later changes under the first, indented a little: wrapped lines would break a deeper
    // indent anyway.
    let indent = "  ".to_string();
    let mut lines: Vec<Line<'static>> = changes
        .iter()
        .take(most)
        .enumerate()
        .map(|(i, change)| {
            let lead = if i == 0 {
                label.clone()
            } else {
                Span::raw(indent.clone())
            };
            let fresh = state.freshness_of(*change);
            let text = before_page(change, incident.created_at, state);
            Line::from(vec![
                lead,
                Span::styled(text, style(change, fresh, theme.text, theme)),
            ])
        })
        .collect();
    if changes.len() > most {
        lines.push(Line::from(vec![
            Span::raw(indent),
            Span::styled(
                format!(
                    "and {} more (debug pane, changes list)",
                    changes.len() - most
                ),
                theme.text_muted,
            ),
        ]));
    }
    lines
}

/// "burn began 3m after deploy 1.43".
pub fn burn_after(burn: &BurnAfter<'_>) -> String {
    let change = burn.change;
    let what = change
        .to
        .as_deref()
        .map(|to| format!(" {}", inert::line(crate::model::change::short(to))))
        .unwrap_or_default();
    format!(
        "burn began {} after {}{what}",
        span(burn.after),
        noun(change.kind)
    )
}

/// The executive pane's LAST CHANGE cell: "deploy 1.43 · 12m ago", or with the burn that
/// followed it: "deploy 1.43, burn +3m".
pub fn last_change_cell(change: &Change, burn: Option<&BurnAfter<'_>>, state: &State) -> String {
    let kind = change.kind.as_str();
    let to = change
        .to
        .as_deref()
        .map(|to| format!(" {}", inert::line(crate::model::change::short(to))))
        .unwrap_or_default();
    match burn {
        Some(burn) if burn.change == change => {
            format!("{kind}{to}, burn +{}", span(burn.after))
        }
        _ => format!(
            "{kind}{to} · {} ago",
            freshness::short_age((state.now - change.at).num_seconds())
        ),
    }
}

fn field(label: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<10}"), theme.text_muted),
        Span::styled(value, theme.text),
    ])
}

/// A change's facts as lines, for its detail.
pub fn detail_lines(change: &Change, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let ago = span(state.now - change.at);
    let mut lines = vec![
        Line::styled(
            inert::line(&change.headline()).into_owned(),
            style(change, state.freshness_of(change), theme.title, theme),
        ),
        Line::default(),
        field("service", inert::line(&change.service).into_owned(), theme),
        field("kind", change.kind.as_str().to_string(), theme),
        field(
            "when",
            format!("{} ({ago} ago)", change.at.format("%Y-%m-%d %H:%M:%S UTC")),
            theme,
        ),
    ];
    if change.from.is_some() || change.to.is_some() {
        let value = |v: &Option<String>| {
            v.as_deref().map_or_else(
                || format::NO_DATA.to_string(),
                |v| inert::line(v).into_owned(),
            )
        };
        lines.push(field("from", value(&change.from), theme));
        lines.push(field("to", value(&change.to), theme));
    }
    if !change.summary.is_empty() {
        lines.push(field(
            "summary",
            inert::line(&change.summary).into_owned(),
            theme,
        ));
    }
    if let Some(author) = &change.author {
        lines.push(field("by", inert::line(author).into_owned(), theme));
    }
    lines.push(field(
        "source",
        inert::line(&change.source).into_owned(),
        theme,
    ));
    if let Some(link) = &change.link {
        lines.push(field("link", inert::line(link).into_owned(), theme));
    }
    lines.push(field("id", inert::line(&change.id).into_owned(), theme));
    lines.push(Line::default());
    lines.push(Line::styled(
        "y copies the revision (or the link when there is none)",
        theme.text_muted,
    ));
    lines
}
