//! The runbook view's transitions: open a runbook for an incident or alert, step through it,
//! mark, skip, confirm and run commands, and fold their output back in. Every step change
//! is audited and saved; nothing here does IO, it asks for it with commands.

use std::path::PathBuf;

use crate::action::Action;
use crate::command::{Command, RunbookCommand};
use crate::journal::{AuditEntry, audit_path};
use crate::outbox::{WriteKind, WriteRequest};
use crate::runbook::env::IncidentContext;
use crate::runbook::exec::ExecSpec;
use crate::runbook::fetch::is_url;
use crate::runbook::library::{Found, is_local_path};
use crate::runbook::progress::{self, Progress, StepState};
use crate::runbook::{Library, Runbook};
use crate::slo::SliKind;
use crate::state::{
    ExecConfirm, FlashKind, OncallFocus, Overlay, Pane, PendingFetch, RunbookView, RunningStep,
    State,
};

use super::respond::flash;

mod open;
mod results;

use open::{fetch_link, show};
pub(in crate::update) use open::{open, open_by_id};
pub(super) use results::completed;

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
        Action::FetchRunbook => fetch_link(state),
        Action::KillStep => match &view.running {
            Some(run) => vec![Command::Runbook(RunbookCommand::KillStep {
                run_id: run.run_id,
            })],
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
        commands.push(Command::Runbook(RunbookCommand::SaveProgress {
            path: path.clone(),
            progress: Box::new(view.progress.clone()),
        }));
    }
    let (source, incident) = view
        .incident
        .as_ref()
        .map_or(("-", "-"), |c| (c.source.as_str(), c.id.as_str()));
    if let Some(dir) = &settings.state_dir {
        commands.push(Command::Runbook(RunbookCommand::Audit {
            path: audit_path(dir),
            entry: Box::new(AuditEntry {
                time: state.now,
                user: settings.user.clone(),
                source: source.to_string(),
                incident: incident.to_string(),
                action: action.to_string(),
                note: Some(note.clone()),
                outcome: outcome.clone(),
            }),
        }));
    }
    if settings.post_notes
        && let Some(context) = &view.incident
    {
        // Through the outbox like every other write: kept while the backend is down.
        commands.push(Command::Write(WriteRequest {
            source: context.source.clone(),
            incident: context.id.clone(),
            kind: WriteKind::Note,
            note: Some(format!(
                "{note}: {outcome} (by {} via ondeck)",
                settings.user
            )),
            labels: context.labels.clone(),
            silence: None,
            reroute: None,
        }));
    }
    commands
}

/// `x`: shows the exact command, its variables and which runbook version it comes from —
/// unless the runbook may not run here (read-only, or not from a trusted place).
fn ask(state: &mut State) -> Vec<Command> {
    let readonly = state.readonly;
    let trusted_urls = state.runbook.settings.trusted_urls.clone();
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
    let untrusted = view.runbook.provenance.may_run(&trusted_urls).err();
    let problem = if readonly {
        Some(
            "read-only: runbook commands are never executed (--readonly or readonly = true)"
                .to_string(),
        )
    } else if let Some(why) = untrusted {
        Some(why)
    } else if view.running.is_some() {
        Some("a step is already running: wait for it or ctrl-c it".to_string())
    } else if block.is_none() {
        Some("this step has no sh, bash or shell block to run".to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        flash(state, FlashKind::Error, problem);
        return vec![];
    }
    if let Some(block) = block {
        let shell = if block.lang == "bash" { "bash" } else { "sh" };
        let mut env = view
            .incident
            .as_ref()
            .map(IncidentContext::env)
            .unwrap_or_default();
        env.push(("ONDECK_RUNBOOK_ID".into(), view.runbook.id.clone()));
        env.sort();
        let refused = crate::inert::hidden_in_command(&block.code).map(|shown| {
            format!(
                "refused: the command holds {shown}, which does not show as itself — what is \
                 on screen would not be what runs; fix the runbook"
            )
        });
        view.confirm = Some(ExecConfirm {
            step: index,
            shell: shell.to_string(),
            code: block.code,
            env,
            provenance: view.runbook.provenance.describe(),
            refused,
        });
    }
    vec![]
}

/// The responder said yes: start the run.
fn start(state: &mut State) -> Vec<Command> {
    let run_id = state.runbook.next_run_id;
    let timeout = state.runbook.settings.step_timeout;
    let pass_env = state.runbook.settings.pass_env.clone();
    let now = state.now;
    let Some(view) = state.runbook.view.as_mut() else {
        return vec![];
    };
    let Some(confirm) = view.confirm.take() else {
        return vec![];
    };
    if let Some(refused) = confirm.refused {
        flash(state, FlashKind::Error, refused);
        return vec![];
    }
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
    vec![Command::Runbook(RunbookCommand::RunStep {
        run_id,
        spec: Box::new(ExecSpec {
            code: confirm.code,
            shell: confirm.shell,
            env: confirm.env,
            pass: pass_env,
            timeout,
        }),
    })]
}
