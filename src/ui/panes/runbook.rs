//! The runbook view, drawn over the pane body: the steps with their states on the left, the
//! current step rendered as Markdown on the right, its command's output below it, a line
//! saying how to close it (and kill a running step), and the confirmation that shows the exact
//! command and variables before a run.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Wrap};

use crate::config::Theme;
use crate::inert;
use crate::runbook::exec::Stream;
use crate::runbook::markdown::{self, MdStyle};
use crate::runbook::progress::{StepRecord, StepState};
use crate::state::{ExecConfirm, RunbookView, State};
use crate::ui::UiContext;
use crate::ui::keys::grouped;
use crate::ui::layout::centered;
use crate::ui::overlays::dialog;
use crate::ui::text;
use crate::ui::widgets::{fit, panel, title};

/// Draws the open runbook into `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &RunbookView, ctx: &UiContext) {
    let theme = ctx.theme;
    frame.render_widget(Clear, area);
    let [head, body, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let header = Line::from(vec![
        Span::styled(
            format!(" {} ", inert::line(&view.runbook.title)),
            theme.title,
        ),
        Span::styled(
            view.incident.as_ref().map_or_else(
                || "for no incident".to_string(),
                |i| format!("for {} {}", inert::line(&i.id), inert::line(&i.title)),
            ),
            theme.text,
        ),
        Span::styled(
            format!("  ({})", inert::line(&view.reason)),
            theme.text_muted,
        ),
    ]);
    let mut header = header;
    if let Err(why) = view
        .runbook
        .provenance
        .may_run(&state.runbook.settings.trusted_urls)
    {
        header.spans.push(Span::styled(
            format!("  {}", inert::line(&why)),
            theme.sev_warning,
        ));
    }
    frame.render_widget(text::paragraph(header), head);
    let list_width = (area.width / 3).clamp(24, 44);
    let [list, detail] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)]).areas(body);
    render_steps(frame, list, view, theme);
    let record = view.progress.steps.get(view.current());
    let has_output = record.is_some_and(|r| !r.output.is_empty() || r.exit.is_some())
        || view
            .running
            .as_ref()
            .is_some_and(|r| r.step == view.current());
    if has_output {
        let [text, output] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Min(4)]).areas(detail);
        render_step(frame, text, view, theme);
        render_output(frame, output, state, view, theme);
    } else {
        render_step(frame, detail, view, theme);
    }
    frame.render_widget(text::paragraph(hint_line(view, ctx)), hints);
    if let Some(confirm) = &view.confirm {
        render_confirm(frame, area, confirm, view.incident.is_none(), ctx);
    }
}

/// Marker and style of a step in the list.
fn marker(record: Option<&StepRecord>, running: bool, theme: &Theme) -> (&'static str, Style) {
    if running {
        return ("▶", theme.sev_info);
    }
    match record.map_or(StepState::Pending, |r| r.state) {
        StepState::Pending => (theme.symbols.separator, theme.text_muted),
        StepState::Done => (theme.symbols.check, theme.sev_ok),
        StepState::Skipped => ("↷", theme.text_muted),
        StepState::Failed => (theme.symbols.cross, theme.sev_critical),
    }
}

fn render_steps(frame: &mut Frame, area: Rect, view: &RunbookView, theme: &Theme) {
    let done = view
        .progress
        .steps
        .iter()
        .filter(|s| s.state != StepState::Pending)
        .count();
    let block = panel(
        title(format!("Steps {done}/{}", view.runbook.steps.len())),
        false,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let lines: Vec<Line> = view
        .runbook
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let running = view.running.as_ref().is_some_and(|r| r.step == i);
            let record = view.progress.steps.get(i);
            let (mark, style) = marker(record, running, theme);
            let state = if running {
                "running"
            } else {
                record.map_or("pending", |r| r.state.as_str())
            };
            let current = i == view.current();
            // The current row names its state in words; the others show it by their mark.
            let suffix = if current { state.len() + 1 } else { 0 };
            let label = fit(
                &format!("{:>2}. {}", i + 1, inert::line(&step.title)),
                width.saturating_sub(2 + suffix),
            );
            let mut line = Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::styled(label, theme.text),
            ]);
            if current {
                line = line.style(theme.selection);
                line.spans
                    .push(Span::styled(format!(" {state}"), theme.text_muted));
            }
            line
        })
        .collect();
    let height = usize::from(inner.height);
    let skip = view.current().saturating_sub(height.saturating_sub(1));
    let visible: Vec<Line> = lines.into_iter().skip(skip).collect();
    frame.render_widget(text::paragraph(visible), inner);
}

fn md_style(style: MdStyle, theme: &Theme) -> Style {
    use ratatui::style::Modifier;
    match style {
        MdStyle::Plain => theme.text,
        MdStyle::Emphasis => theme.text.add_modifier(Modifier::ITALIC),
        MdStyle::Strong => theme.text.add_modifier(Modifier::BOLD),
        MdStyle::Code | MdStyle::Command => theme.key,
        MdStyle::Link => theme.sev_info.add_modifier(Modifier::UNDERLINED),
        MdStyle::Muted | MdStyle::Marker => theme.text_muted,
        MdStyle::Heading => theme.title,
        MdStyle::Block => theme.span,
    }
}

fn render_step(frame: &mut Frame, area: Rect, view: &RunbookView, theme: &Theme) {
    let index = view.current();
    let Some(step) = view.runbook.steps.get(index) else {
        return;
    };
    let block = panel(
        title(format!(
            "Step {} of {}",
            index + 1,
            view.runbook.steps.len()
        )),
        true,
        theme,
    );
    let mut lines = vec![
        Line::styled(inert::line(&step.title).into_owned(), theme.title),
        Line::default(),
    ];
    lines.extend(markdown::render(&step.body).into_iter().map(|spans| {
        Line::from(
            spans
                .into_iter()
                .map(|s| Span::styled(inert::line(&s.text).into_owned(), md_style(s.style, theme)))
                .collect::<Vec<_>>(),
        )
    }));
    frame.render_widget(
        text::paragraph(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn render_output(frame: &mut Frame, area: Rect, state: &State, view: &RunbookView, theme: &Theme) {
    let index = view.current();
    let record = view.progress.steps.get(index);
    let running = view.running.as_ref().filter(|r| r.step == index);
    let status = match (running, record.and_then(|r| r.exit.as_ref())) {
        (Some(run), _) => {
            let secs = (state.now - run.started_at).num_seconds().max(0);
            Span::styled(format!("running {secs}s · ctrl-c kills"), theme.sev_info)
        }
        (None, Some(exit)) => {
            let secs = record
                .and_then(|r| r.duration_ms)
                .map_or(0.0, |ms| ms as f64 / 1000.0);
            let style = if exit.success() {
                theme.sev_ok
            } else {
                theme.sev_critical
            };
            Span::styled(
                format!("{} in {secs:.1}s", inert::line(&exit.describe())),
                style,
            )
        }
        (None, None) => Span::styled("not run", theme.text_muted),
    };
    let block = panel(
        Line::from(vec![Span::raw(" Output · "), status, Span::raw(" ")]),
        false,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(record) = record else {
        return;
    };
    let height = usize::from(inner.height);
    let end = record.output.len().saturating_sub(view.scroll);
    let start = end.saturating_sub(height);
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    if start == 0 && record.dropped > 0 && height > 0 {
        lines.push(Line::styled(
            format!("… {} earlier lines dropped", record.dropped),
            theme.text_muted,
        ));
    }
    let width = usize::from(inner.width);
    for line in record.output.range(start..end) {
        let style = match line.stream {
            Stream::Stdout => theme.text,
            Stream::Stderr => theme.sev_warning,
        };
        lines.push(Line::styled(fit(&inert::line(&line.text), width), style));
    }
    frame.render_widget(text::paragraph(lines), inner);
}

/// What the status bar's key hints cannot say: how to leave the view, and that ctrl-c kills
/// a running step (instead of quitting). The runbook keys themselves are in the status bar.
fn hint_line(view: &RunbookView, ctx: &UiContext) -> Line<'static> {
    let theme = ctx.theme;
    let mut spans = vec![Span::raw(" ")];
    let mut add = |keys: String, what: &str| {
        spans.push(Span::styled(keys, theme.key));
        spans.push(Span::styled(format!(" {what}  "), theme.text_muted));
    };
    if view.running.is_some() {
        add(
            "ctrl-c".into(),
            "kill the running step (its whole process group)",
        );
    }
    let close = ["runbook", "global"]
        .into_iter()
        .flat_map(|context| grouped(ctx.keymap.bindings(context)))
        .find(|group| group.action == crate::action::Action::Back);
    if let Some(group) = close {
        add(group.joined(), "close the runbook");
    }
    let fetch = grouped(ctx.keymap.bindings("runbook"))
        .into_iter()
        .find(|group| group.action == crate::action::Action::FetchRunbook);
    if let (Some(url), Some(group)) = (&view.link, fetch) {
        add(group.joined(), &format!("fetch {}", inert::line(url)));
    }
    Line::from(spans)
}

fn render_confirm(
    frame: &mut Frame,
    area: Rect,
    confirm: &ExecConfirm,
    no_incident: bool,
    ctx: &UiContext,
) {
    let theme = ctx.theme;
    let width = area.width.saturating_sub(4).min(100);
    let inner_width = usize::from(width.saturating_sub(2));
    // Exactly what `sh -c` receives, each byte that would not show as itself escaped, and
    // long lines wrapped rather than cut: no part of the command is hidden.
    let code: Vec<String> = inert::block(&confirm.code)
        .lines()
        .flat_map(|line| wrap_code(line, inner_width.saturating_sub(2)))
        .collect();
    let mut head = vec![
        Line::styled(
            fit(
                &format!("from {}", inert::line(&confirm.provenance)),
                inner_width,
            ),
            theme.text_muted,
        ),
        Line::styled(
            format!("{} -c, in its own process group:", confirm.shell),
            theme.title,
        ),
    ];
    head.extend(
        code.iter()
            .map(|l| Line::styled(format!("  {l}"), theme.key)),
    );
    if let Some(refused) = &confirm.refused {
        head.push(Line::default());
        head.push(Line::styled(fit(refused, inner_width), theme.sev_critical));
    }
    head.push(Line::default());
    head.push(Line::styled("with these variables:", theme.title));
    if no_incident {
        head.push(Line::styled(
            "  (no incident: only ONDECK_RUNBOOK_ID, no incident variables)",
            theme.sev_warning,
        ));
    }
    let tail = [
        Line::default(),
        crate::ui::overlays::confirm::answer_hint(ctx.keymap, theme),
    ];
    // The answer keys always show; the variables give way first.
    let height = area.height;
    let room = usize::from(height.saturating_sub(2)).saturating_sub(head.len() + tail.len());
    let env: Vec<Line> = confirm
        .env
        .iter()
        .map(|(k, v)| {
            let v = inert::line(v);
            Line::from(vec![
                Span::styled(format!("  {k}="), theme.text_muted),
                Span::styled(fit(&v, inner_width.saturating_sub(k.len() + 3)), theme.text),
            ])
        })
        .collect();
    let mut lines = head;
    if env.len() <= room {
        lines.extend(env);
    } else {
        let shown = room.saturating_sub(1);
        let hidden = env.len() - shown;
        lines.extend(env.into_iter().take(shown));
        lines.push(Line::styled(
            format!("  … and {hidden} more ONDECK_* variables"),
            theme.text_muted,
        ));
    }
    lines.extend(tail);
    let box_height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(height);
    let box_area = centered(area, width, box_height);
    let block = dialog(frame, box_area, "Run this step?", theme);
    frame.render_widget(text::paragraph(lines).block(block), box_area);
}

/// A line of code cut into rows of at most `width` characters, the continuations marked.
fn wrap_code(line: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if width < 4 || chars.len() <= width {
        return vec![line.to_string()];
    }
    let mut rows = vec![chars[..width].iter().collect::<String>()];
    for chunk in chars[width..].chunks(width - 2) {
        rows.push(format!("↪ {}", chunk.iter().collect::<String>()));
    }
    rows
}
