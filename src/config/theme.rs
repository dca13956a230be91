//! Themes name meanings, not widgets. UI code asks for `theme.sev_critical`, never for red.

use ratatui::style::{Color, Modifier, Style};

/// Styles by meaning.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Theme name.
    pub name: String,
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: labels, units, ages.
    pub text_muted: Style,
    /// Titles of panels.
    pub title: Style,
    /// Borders of unfocused panels.
    pub border: Style,
    /// Border of the focused panel.
    pub border_focused: Style,
    /// The selected row.
    pub selection: Style,
    /// The active tab.
    pub tab_active: Style,
    /// Other tabs.
    pub tab_inactive: Style,
    /// Keys in hints and help.
    pub key: Style,
    /// Page-level severity, high urgency, errors.
    pub sev_critical: Style,
    /// Ticket-level severity, low urgency, warnings.
    pub sev_warning: Style,
    /// Healthy, acknowledged, resolved.
    pub sev_ok: Style,
    /// Neutral information.
    pub sev_info: Style,
    /// Budget gauge while plenty is left.
    pub budget_ok: Style,
    /// Budget gauge when running low.
    pub budget_warning: Style,
    /// Budget gauge when exhausted.
    pub budget_exhausted: Style,
    /// A fresh source.
    pub source_fresh: Style,
    /// A stale source or stale data.
    pub stale: Style,
    /// A failed source.
    pub source_failed: Style,
    /// Sparklines and charts.
    pub chart: Style,
    /// Span bars in the waterfall.
    pub span: Style,
    /// Failed span bars.
    pub span_error: Style,
    /// Dialog and overlay background.
    pub overlay: Style,
}

impl Theme {
    /// A theme with no colour at all, for `NO_COLOR`: meaning carried by bold, reverse, underline.
    pub fn monochrome() -> Self {
        let plain = Style::default();
        let bold = plain.add_modifier(Modifier::BOLD);
        Self {
            name: "monochrome".to_string(),
            text: plain,
            text_muted: plain.add_modifier(Modifier::DIM),
            title: bold,
            border: plain,
            border_focused: bold,
            selection: plain.add_modifier(Modifier::REVERSED),
            tab_active: bold.add_modifier(Modifier::REVERSED),
            tab_inactive: plain,
            key: bold,
            sev_critical: bold.add_modifier(Modifier::UNDERLINED),
            sev_warning: bold,
            sev_ok: plain,
            sev_info: plain,
            budget_ok: plain,
            budget_warning: bold,
            budget_exhausted: bold.add_modifier(Modifier::UNDERLINED),
            source_fresh: plain,
            stale: plain.add_modifier(Modifier::DIM),
            source_failed: bold.add_modifier(Modifier::UNDERLINED),
            chart: plain,
            span: plain,
            span_error: bold,
            overlay: plain,
        }
    }

    /// The default dark theme.
    pub fn dark() -> Self {
        let fg = |c: Color| Style::default().fg(c);
        Self {
            name: "dark".to_string(),
            text: fg(Color::Gray),
            text_muted: fg(Color::DarkGray),
            title: fg(Color::White).add_modifier(Modifier::BOLD),
            border: fg(Color::DarkGray),
            border_focused: fg(Color::Cyan),
            selection: Style::default().bg(Color::Rgb(40, 50, 70)).fg(Color::White),
            tab_active: fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            tab_inactive: fg(Color::Gray),
            key: fg(Color::Cyan).add_modifier(Modifier::BOLD),
            sev_critical: fg(Color::LightRed).add_modifier(Modifier::BOLD),
            sev_warning: fg(Color::Yellow),
            sev_ok: fg(Color::Green),
            sev_info: fg(Color::Blue),
            budget_ok: fg(Color::Green),
            budget_warning: fg(Color::Yellow),
            budget_exhausted: fg(Color::Red),
            source_fresh: fg(Color::Green),
            stale: fg(Color::Yellow),
            source_failed: fg(Color::Red).add_modifier(Modifier::BOLD),
            chart: fg(Color::Cyan),
            span: fg(Color::Blue),
            span_error: fg(Color::Red),
            overlay: Style::default().bg(Color::Black).fg(Color::Gray),
        }
    }
}
