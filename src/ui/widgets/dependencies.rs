//! The service's neighbours in the tracing backend's service graph: who calls it (upstream)
//! and whom it calls (downstream), each with its worst SLO state, so the responder can tell
//! a service that reports the problem (its callees burn too) from one that causes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::config::Theme;
use crate::model::Dependency;
use crate::state::{Load, State};
use crate::ui::freshness;
use crate::ui::panes::executive::{severity_badge, severity_style};
use crate::ui::text;
use crate::ui::widgets::{panel, title};

/// The worst SLO state of `service` as a short badge and its style: `PAGE`, `TICKET`, `ok`,
/// or `—` for a service without SLOs; in the stale role when that SLO's source is not current.
pub fn slo_state(state: &State, service: &str, theme: &Theme) -> (&'static str, Style) {
    // Rows are sorted most at risk first, so the first of the service is its worst.
    match state.slos.iter().find(|r| r.report.spec.service == service) {
        None => ("—", theme.text_muted),
        Some(row) => {
            let (badge, style) = match row.report.worst_firing() {
                Some(tier) => (
                    severity_badge(tier.spec.severity),
                    severity_style(Some(tier.spec.severity), theme),
                ),
                None => ("ok", theme.sev_ok),
            };
            (
                badge,
                freshness::style(state.freshness_of(row), style, theme),
            )
        }
    }
}

/// Services next to one service, with how many calls were seen.
pub type Neighbours = Vec<(String, u64)>;

/// Upstream and downstream services of `service`, busiest first.
pub fn neighbours(edges: &[Dependency], service: &str) -> (Neighbours, Neighbours) {
    let mut up: Vec<(String, u64)> = edges
        .iter()
        .filter(|e| e.child == service && e.parent != service)
        .map(|e| (e.parent.clone(), e.calls))
        .collect();
    let mut down: Vec<(String, u64)> = edges
        .iter()
        .filter(|e| e.parent == service && e.child != service)
        .map(|e| (e.child.clone(), e.calls))
        .collect();
    for list in [&mut up, &mut down] {
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    (up, down)
}

fn side(label: &str, list: &[(String, u64)], state: &State, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{label:<10}"), theme.text_muted)];
    if list.is_empty() {
        spans.push(Span::styled("none", theme.text_muted));
    }
    for (i, (service, _)) in list.iter().enumerate() {
        if i > 0 {
            let separator = theme.symbols.separator;
            spans.push(Span::styled(format!(" {separator} "), theme.text_muted));
        }
        let (badge, style) = slo_state(state, service, theme);
        spans.push(Span::styled(format!("{service} "), theme.text));
        spans.push(Span::styled(badge, style));
    }
    Line::from(spans)
}

/// Draws the panel for the debug pane's service.
pub fn render(frame: &mut Frame, area: Rect, state: &State, service: &str, theme: &Theme) {
    let block = panel(title("Dependencies"), false, theme);
    let lines = match &state.debug.dependencies {
        Load::Idle => vec![Line::styled("—", theme.text_muted)],
        Load::Loading => vec![Line::styled("loading the service graph…", theme.text_muted)],
        Load::Failed(error) => vec![Line::styled(error.clone(), theme.text_muted)],
        Load::Ready(edges) => {
            let (up, down) = neighbours(edges, service);
            let (badge, style) = slo_state(state, service, theme);
            let symbols = theme.symbols;
            vec![
                side(&format!("{} callers", symbols.up), &up, state, theme),
                Line::from(vec![
                    Span::styled(
                        format!("{:<10}", format!("{} this", symbols.dot)),
                        theme.text_muted,
                    ),
                    Span::styled(format!("{service} "), theme.title),
                    Span::styled(badge, style),
                ]),
                side(&format!("{} calls", symbols.down), &down, state, theme),
            ]
        }
    };
    frame.render_widget(text::paragraph(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(parent: &str, child: &str, calls: u64) -> Dependency {
        Dependency {
            parent: parent.into(),
            child: child.into(),
            calls,
        }
    }

    #[test]
    fn callers_and_callees_busiest_first_without_self_calls() {
        let edges = [
            edge("web", "checkout", 10),
            edge("api", "checkout", 30),
            edge("checkout", "redis", 5),
            edge("checkout", "checkout", 99),
            edge("web", "search", 7),
        ];
        let (up, down) = neighbours(&edges, "checkout");
        assert_eq!(up, [("api".to_string(), 30), ("web".to_string(), 10)]);
        assert_eq!(down, [("redis".to_string(), 5)]);
    }
}
