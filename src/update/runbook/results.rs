//! Results of runbook commands folded back into the view: streamed output, a finished run,
//! saved progress read back, a runbook file read, a note delivered.

use crate::command::Command;
use crate::event::RunbookResult;
use crate::runbook::exec::Finished;
use crate::runbook::progress::StepState;
use crate::state::{FlashKind, RunbookView, State};

use super::{flash, record_step, show, step_note};

/// Folds a runbook command's result into the view.
pub(in crate::update) fn completed(state: &mut State, result: RunbookResult) -> Vec<Command> {
    match result {
        RunbookResult::StepOutput {
            run_id,
            stream,
            line,
        } => {
            if let Some((view, step)) = running_view(state, run_id)
                && let Some(record) = view.progress.steps.get_mut(step)
            {
                record.push_line(stream, line);
                // Keep a scrolled-back view on the same lines while new ones arrive.
                if view.scroll > 0 {
                    view.scroll += 1;
                }
            }
            vec![]
        }
        RunbookResult::StepFinished { run_id, finished } => finish(state, run_id, &finished),
        RunbookResult::ProgressLoaded { path, outcome } => {
            let view = state
                .runbook
                .view
                .as_mut()
                .filter(|v| v.progress_path.as_ref() == Some(&path));
            match (view, outcome) {
                (Some(view), Ok(Some(saved)))
                    if saved.runbook_id == view.runbook.id && view.running.is_none() =>
                {
                    view.progress = saved.fit(view.runbook.steps.len());
                }
                (Some(_), Err(error)) => {
                    let text = format!("saved progress unreadable: {error}");
                    flash(state, FlashKind::Error, text);
                }
                _ => {}
            }
            vec![]
        }
        RunbookResult::RunbookLoaded { path, outcome } => {
            let Some(context) = state.runbook.pending_open.take() else {
                return vec![];
            };
            match outcome {
                Ok(runbook) => {
                    let reason = format!("read from {}", path.display());
                    show(state, *runbook, Some(context), reason)
                }
                Err(error) => {
                    flash(state, FlashKind::Error, error);
                    vec![]
                }
            }
        }
        RunbookResult::RunbookFetched { url, outcome } => {
            let pending = state.runbook.pending_fetch.take_if(|p| p.url == url);
            let Some(pending) = pending else {
                return vec![];
            };
            if state
                .runbook
                .view
                .as_ref()
                .is_some_and(|v| v.running.is_some())
            {
                return vec![];
            }
            match outcome {
                Ok(runbook) => {
                    let reason = format!("fetched from {url}");
                    let commands = show(state, *runbook, pending.incident, reason);
                    if let Some(view) = state.runbook.view.as_mut() {
                        view.link = Some(url);
                    }
                    state.flash = None;
                    commands
                }
                Err(error) => {
                    flash(state, FlashKind::Error, error);
                    vec![]
                }
            }
        }
    }
}

/// A run ended: record the exit, audit it, and say how it went.
fn finish(state: &mut State, run_id: u64, finished: &Finished) -> Vec<Command> {
    let now = state.now;
    let Some((view, step)) = running_view(state, run_id) else {
        return vec![];
    };
    view.running = None;
    let to = if finished.status.success() {
        StepState::Done
    } else {
        StepState::Failed
    };
    if let Some(record) = view.progress.steps.get_mut(step) {
        record.state = to;
        record.exit = Some(finished.status.clone());
        record.duration_ms = Some(u64::try_from(finished.duration.as_millis()).unwrap_or(u64::MAX));
        record.changed_at = Some(now);
    }
    view.progress.updated_at = now;
    let code = view
        .runbook
        .steps
        .get(step)
        .and_then(|s| s.command())
        .map(|b| b.code.clone())
        .unwrap_or_default();
    // Which version of which runbook ran: the audit line says so.
    let from = view.runbook.provenance.describe();
    let note = format!("{} from {from}: {code}", step_note(view, step));
    let outcome = format!(
        "{} in {:.1}s",
        finished.status.describe(),
        finished.duration.as_secs_f64()
    );
    let kind = if to == StepState::Done {
        FlashKind::Info
    } else {
        FlashKind::Error
    };
    flash(state, kind, format!("step {}: {outcome}", step + 1));
    record_step(state, "step_executed", note, outcome)
}

fn running_view(state: &mut State, run_id: u64) -> Option<(&mut RunbookView, usize)> {
    let view = state.runbook.view.as_mut()?;
    let step = view.running.as_ref().filter(|r| r.run_id == run_id)?.step;
    Some((view, step))
}
