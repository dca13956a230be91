//! The Alertmanager silences view of the on-call pane (`S`): what each active silence
//! matches, who made it and why, how long it has left, and the two things worth a second
//! look — silences that match nothing firing, and ones about to expire.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::model::Silence;
use crate::sources::Feed;
use crate::state::State;
use crate::ui::widgets::panel;
use crate::ui::widgets::table::{ScrolledTable, TableRow};
use crate::ui::{format, freshness};

/// A silence ending sooner than this is flagged: whatever it hides starts notifying soon.
pub const EXPIRING_SOON_SECS: i64 = 15 * 60;

/// Active silences, soonest to expire first.
pub fn sorted(state: &State) -> Vec<&Silence> {
    let mut all: Vec<&Silence> = state
        .silences
        .values()
        .flatten()
        .filter(|s| s.ends_at > state.now)
        .collect();
    all.sort_by_key(|s| (s.ends_at, s.id.clone()));
    all
}

/// What is worth a second look about a silence, if anything.
pub fn flags(silence: &Silence, state: &State) -> Vec<&'static str> {
    let mut flags = Vec::new();
    if silence.matching_alerts == 0 {
        flags.push("matches nothing");
    }
    if (silence.ends_at - state.now).num_seconds() < EXPIRING_SOON_SECS {
        flags.push("expires soon");
    }
    flags
}

/// Draws the silences table into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let silences = sorted(state);
    let table = ScrolledTable {
        block: panel(
            freshness::title(
                format!(
                    "Silences ({} active) · s new · e extend · x expire · S back",
                    silences.len()
                ),
                state,
                Feed::Incidents,
                theme,
            ),
            true,
            theme,
        ),
        header: TableRow::new(["LEFT", "MATCHES", "BY", "COMMENT", "CHECK"]),
        widths: vec![
            Constraint::Length(6),
            Constraint::Fill(2),
            Constraint::Length(10),
            Constraint::Fill(1),
            Constraint::Length(16),
        ],
        len: silences.len(),
        selected: Some(state.selected_silence.min(silences.len().saturating_sub(1))),
        empty: freshness::empty(
            "no active silences",
            theme.text_muted,
            state,
            Feed::Incidents,
            theme,
        ),
    };
    table.render(frame, area, theme, |i| {
        let silence = silences[i];
        let left = format::age_secs((silence.ends_at - state.now).num_seconds());
        let matchers: Vec<String> = silence.matchers.iter().map(|m| m.display()).collect();
        let flags = flags(silence, state);
        TableRow::new([
            Line::from(left),
            Line::from(matchers.join(" ")),
            Line::from(silence.created_by.clone()),
            Line::from(silence.comment.clone()),
            Line::from(Span::styled(flags.join(", "), theme.sev_warning)),
        ])
        .style(theme.text)
        .over((!state.freshness_of(silence).is_current()).then_some(theme.stale))
    });
}
