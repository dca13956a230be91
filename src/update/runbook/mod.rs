//! The runbook view's transitions: open a runbook for an incident or alert, step through it,
//! mark, skip, confirm and run commands, and fold their output back in. Every step change
//! is audited and saved; nothing here does IO, it asks for it with commands.

use std::path::PathBuf;

use crate::action::Action;
use crate::command::Command;
use crate::journal::{AuditEntry, audit_path};
use crate::runbook::env::IncidentContext;
use crate::runbook::exec::ExecSpec;
use crate::runbook::library::{Found, is_local_path};
use crate::runbook::progress::{self, Progress, StepState};
use crate::runbook::{Library, Runbook};
use crate::slo::SliKind;
use crate::state::{
    ExecConfirm, FlashKind, OncallFocus, Overlay, Pane, RunbookView, RunningStep, State,
};

use super::respond::flash;

mod results;

pub(super) use results::{audit_incident, completed};

/// `b`: opens the runbook of the selected incident (on-call pane or its detail) or of the
/// selected firing alert (through the open incident on its service when there is one).
pub(super) fn open(state: &mut State) -> Vec<Command> {
    let on_incidents =
        matches!(state.overlay, None | Some(Overlay::Detail)) && state.pane == Pane::Oncall;
    if !on_incidents {
        return vec![];
    }
    let target = match state.oncall_focus {
        OncallFocus::Incidents => state
            .selected_incident()
            .map(|i| (IncidentContext::of(i), i.runbook.clone())),
        OncallFocus::Alerts => alert_target(state),
    };
    let Some((context, reference)) = target else {
        flash(
            state,
            FlashKind::Info,
            "nothing selected to open a runbook for".into(),
        );
        return vec![];
    };
    if let Some(path) = reference.as_deref().filter(|r| is_local_path(r))
        && state.runbook.library.get(path).is_none()
    {
        state.runbook.pending_open = Some(context);
        return vec![Command::LoadRunbook {
            path: PathBuf::from(path),
        }];
    }
    let library = state.runbook.library.clone();
    let found = reference
        .as_deref()
        .and_then(|r| library.get(r))
        .map(|r| (r, Found::Named))
        .or_else(|| best_for(&library, &context));
    match found {
        Some((runbook, how)) => {
            let mut reason = match how {
                Found::Named => "named by the incident".to_string(),
                Found::Matched(n) => format!("matched {n} label rule(s)"),
            };
            if let Some(url) = reference.filter(|r| r.starts_with("http")) {
                reason = format!("{reason}; the alert links {url} (not fetched)");
            }
            show(state, runbook.clone(), context, reason)
        }
        None => {
            let text = match reference {
                Some(r) => format!(
                    "no runbook `{r}` for {}, and no match rule fits",
                    context.id
                ),
                None => format!("no runbook matches {}", context.id),
            };
            flash(state, FlashKind::Info, text);
            vec![]
        }
    }
}

fn best_for<'a>(library: &'a Library, context: &IncidentContext) -> Option<(&'a Runbook, Found)> {
    let mut labels = context.labels.clone();
    labels
        .entry("service".into())
        .or_insert_with(|| context.service.clone());
    library.best_match(&labels)
}

/// A firing alert's incident: the open page on its service, else the SLO itself as context.
fn alert_target(state: &State) -> Option<(IncidentContext, Option<String>)> {
    let alerts = state.firing_alerts();
    let alert = alerts.get(state.selected_alert)?;
    let spec = &alert.slo.report.spec;
    if let Some(incident) = state
        .open_incidents()
        .into_iter()
        .find(|i| i.service == spec.service)
    {
        return Some((IncidentContext::of(incident), incident.runbook.clone()));
    }
    let alertname = match spec.sli {
        SliKind::Availability => "HighErrorRate",
        SliKind::Latency { .. } => "HighLatency",
    };
    let labels = [
        ("alertname", alertname.to_string()),
        ("service", spec.service.clone()),
        ("slo", spec.name.clone()),
        (
            "severity",
            format!("{:?}", alert.tier.spec.severity).to_lowercase(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let context = IncidentContext {
        source: alert.slo.source.clone(),
        id: spec.id.clone(),
        title: format!("{} burning its budget", spec.id),
        service: spec.service.clone(),
        labels,
    };
    Some((context, None))
}

/// Shows `runbook` for `context` and asks for its saved progress.
fn show(
    state: &mut State,
    runbook: Runbook,
    context: IncidentContext,
    reason: String,
) -> Vec<Command> {
    let progress_path = state
        .runbook
        .settings
        .state_dir
        .as_ref()
        .map(|dir| progress::path(dir, &context.source, &context.id, &runbook.id));
    state.overlay = None;
    state.runbook.view = Some(RunbookView {
        progress: Progress::new(&runbook.id, runbook.steps.len(), state.now),
        runbook,
        incident: context,
        reason,
        progress_path: progress_path.clone(),
        confirm: None,
        running: None,
        scroll: 0,
    });
    progress_path
        .map(|path| vec![Command::LoadProgress { path }])
        .unwrap_or_default()
}

/// Handles `action` while the runbook view is up; `None` lets the normal update handle it.
pub(super) fn handle(state: &mut State, action: &Action) -> Option<Vec<Command>> {
    if state.overlay.is_some() {
        return None;
    }
    let view = state.runbook.view.as_mut()?;
    let steps = view.runbook.steps.len();
    if view.confirm.is_some() {
        return match action {
            Action::Confirm => Some(start(state)),
            Action::Cancel | Action::Back => {
                view.confirm = None;
                Some(vec![])
            }
            Action::Quit | Action::ToggleHelp => None,
            _ => Some(vec![]),
        };
    }
    let commands = match action {
        Action::StepNext => {
            view.progress.current = (view.progress.current + 1).min(steps.saturating_sub(1));
            view.scroll = 0;
            vec![]
        }
        Action::StepPrev => {
            view.progress.current = view.progress.current.saturating_sub(1);
            view.scroll = 0;
            vec![]
        }
        Action::Up => scroll(view, 1),
        Action::Down => scroll(view, -1),
        Action::PageUp => scroll(view, 10),
        Action::PageDown => scroll(view, -10),
        Action::Top => scroll(view, isize::MAX),
        Action::Bottom => scroll(view, isize::MIN),
        Action::StepDone => mark(state, StepState::Done, "step_done"),
        Action::StepSkip => mark(state, StepState::Skipped, "step_skipped"),
        Action::StepExecute => ask(state),
        Action::KillStep => match &view.running {
            Some(run) => vec![Command::KillStep { run_id: run.run_id }],
            None => vec![],
        },
        Action::Back => {
            if view.running.is_some() {
                flash(
                    state,
                    FlashKind::Info,
                    "a step is running: ctrl-c stops it".into(),
                );
            } else {
                state.runbook.view = None;
            }
            vec![]
        }
        Action::ShowExecutive
        | Action::ShowOncall
        | Action::ShowDebug
        | Action::NextPane
        | Action::PrevPane => {
            if view.running.is_some() {
                flash(
                    state,
                    FlashKind::Info,
                    "a step is running: ctrl-c stops it".into(),
                );
                return Some(vec![]);
            }
            state.runbook.view = None;
            return None;
        }
        Action::Open | Action::OpenRunbook | Action::Confirm | Action::Cancel => vec![],
        _ => return None,
    };
    Some(commands)
}

fn scroll(view: &mut RunbookView, by: isize) -> Vec<Command> {
    let lines = view
        .progress
        .steps
        .get(view.progress.current)
        .map_or(0, |s| s.output.len());
    view.scroll = view
        .scroll
        .saturating_add_signed(by)
        .min(lines.saturating_sub(1));
    vec![]
}

/// Space / `s`: records the step's new state, audits it and moves to the next pending step.
fn mark(state: &mut State, to: StepState, verb: &str) -> Vec<Command> {
    let now = state.now;
    let Some(view) = state.runbook.view.as_mut() else {
        return vec![];
    };
    let index = view.progress.current;
    if view.running.as_ref().is_some_and(|r| r.step == index) {
        return vec![];
    }
    let Some(record) = view.progress.steps.get_mut(index) else {
        return vec![];
    };
    record.state = to;
    record.changed_at = Some(now);
    view.progress.updated_at = now;
    let next = (index + 1..view.progress.steps.len())
        .find(|&i| view.progress.steps[i].state == StepState::Pending);
    if let Some(next) = next {
        view.progress.current = next;
        view.scroll = 0;
    }
    let note = step_note(view, index);
    record_step(state, verb, note, to.as_str().to_string())
}

fn step_note(view: &RunbookView, index: usize) -> String {
    let title = view
        .runbook
        .steps
        .get(index)
        .map_or("", |s| s.title.as_str());
    format!("runbook {} step {} \"{title}\"", view.runbook.id, index + 1)
}

/// Audit entry, progress save and (with `post_notes`) a note for a step change.
fn record_step(state: &State, action: &str, note: String, outcome: String) -> Vec<Command> {
    let Some(view) = &state.runbook.view else {
        return vec![];
    };
    let settings = &state.runbook.settings;
    let mut commands = Vec::new();
    if let Some(path) = &view.progress_path {
        commands.push(Command::SaveProgress {
            path: path.clone(),
            progress: Box::new(view.progress.clone()),
        });
    }
    if let Some(dir) = &settings.state_dir {
        commands.push(Command::Audit {
            path: audit_path(dir),
            entry: Box::new(AuditEntry {
                time: state.now,
                user: settings.user.clone(),
                source: view.incident.source.clone(),
                incident: view.incident.id.clone(),
                action: action.to_string(),
                note: Some(note.clone()),
                outcome: outcome.clone(),
            }),
        });
    }
    if settings.post_notes {
        commands.push(Command::AddNote {
            source: view.incident.source.clone(),
            incident_id: view.incident.id.clone(),
            text: format!("{note}: {outcome} (by {} via ondeck)", settings.user),
        });
    }
    commands
}

/// `x`: shows the exact command and its variables, unless it cannot run.
fn ask(state: &mut State) -> Vec<Command> {
    let readonly = state.readonly;
    let Some(view) = state.runbook.view.as_mut() else {
        return vec![];
    };
    let index = view.progress.current;
    let block = view
        .runbook
        .steps
        .get(index)
        .and_then(|s| s.command())
        .cloned();
    let problem = if readonly {
        Some("read-only: runbook commands are never executed (--readonly or readonly = true)")
    } else if view.running.is_some() {
        Some("a step is already running: wait for it or ctrl-c it")
    } else if block.is_none() {
        Some("this step has no sh, bash or shell block to run")
    } else {
        None
    };
    if let Some(problem) = problem {
        flash(state, FlashKind::Error, problem.into());
        return vec![];
    }
    if let Some(block) = block {
        let shell = if block.lang == "bash" { "bash" } else { "sh" };
        view.confirm = Some(ExecConfirm {
            step: index,
            shell: shell.to_string(),
            code: block.code,
            env: view.incident.env(),
        });
    }
    vec![]
}

/// The responder said yes: start the run.
fn start(state: &mut State) -> Vec<Command> {
    let run_id = state.runbook.next_run_id;
    let timeout = state.runbook.settings.step_timeout;
    let now = state.now;
    let Some(view) = state.runbook.view.as_mut() else {
        return vec![];
    };
    let Some(confirm) = view.confirm.take() else {
        return vec![];
    };
    state.runbook.next_run_id += 1;
    if let Some(record) = view.progress.steps.get_mut(confirm.step) {
        record.output.clear();
        record.dropped = 0;
        record.exit = None;
        record.duration_ms = None;
        record.started_at = Some(now);
    }
    view.running = Some(RunningStep {
        run_id,
        step: confirm.step,
        started_at: now,
    });
    view.scroll = 0;
    vec![Command::RunStep {
        run_id,
        spec: Box::new(ExecSpec {
            code: confirm.code,
            shell: confirm.shell,
            env: confirm.env,
            timeout,
        }),
    }]
}
