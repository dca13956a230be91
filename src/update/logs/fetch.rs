//! Asking the log sources: a fresh question when the panel opens (or its window, filter or
//! target changes) — per source one for every line and one for trouble lines only, so
//! errors in the window are never crowded out by chatter — the follow polls on each
//! source's refresh while the panel is open and in view, and their answers.

use chrono::Duration;

use crate::command::Command;
use crate::model::{LogLine, LogQuery};
use crate::sources::logs::{LogAnswer, LogRequest, cut_warning};
use crate::state::{LogWindow, Pane, State};

/// How far back a follow poll reaches before the last one's end: a line a shipper
/// delivers a few seconds late is still caught (the overlap is read twice, kept once).
pub const FOLLOW_OVERLAP_SECS: i64 = 5;

/// Warnings one source keeps at most.
const MAX_WARNINGS: usize = 4;

/// The window the panel asks about now: from the fixed start (an incident, a trace) or the
/// trend range before now, to now or the trace's end.
pub fn window(state: &State) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let until = state.logs.until.unwrap_or(state.now).min(state.now);
    let since = match state.logs.window {
        LogWindow::Since(at) => at,
        LogWindow::Range => {
            let seconds = i64::try_from(state.debug.range.window().as_secs()).unwrap_or(3600);
            state.now - Duration::seconds(seconds)
        }
    };
    (since.min(until), until)
}

/// Whether the panel is on screen (and so may ask anything).
pub fn in_view(state: &State) -> bool {
    state.logs.open && state.pane == Pane::Debug && state.runbook.view.is_none()
}

/// A fresh question to every log source; the lines shown so far go.
pub fn ask(state: &mut State) -> Vec<Command> {
    let Some(target) = state.logs.target.clone() else {
        return vec![];
    };
    let (since, until) = window(state);
    let logs = &mut state.logs;
    logs.generation += 1;
    logs.lines.clear();
    logs.selected = 0;
    let grep = logs.filter.sent.clone();
    let mut commands = Vec::new();
    for feed in &mut logs.feeds {
        feed.reset();
        feed.in_flight = 2;
        feed.asked_at = Some(state.now);
        for trouble_only in [false, true] {
            commands.push(Command::FetchLogs(LogRequest {
                source: feed.name.clone(),
                query: LogQuery {
                    target: target.clone(),
                    since,
                    until,
                    grep: grep.clone(),
                    limit: feed.max_lines,
                    trouble_only,
                },
                generation: logs.generation,
                follow: false,
            }));
        }
    }
    commands
}

/// The 1 Hz tick: while the panel follows and is in view, asks each source that is due
/// (its refresh passed since it was last asked, nothing in flight) for what came since.
pub fn tick(state: &mut State) -> Vec<Command> {
    if !(state.logs.follow && in_view(state)) {
        return vec![];
    }
    let Some(target) = state.logs.target.clone() else {
        return vec![];
    };
    let (window_since, until) = window(state);
    let now = state.now;
    let generation = state.logs.generation;
    let grep = state.logs.filter.sent.clone();
    let newest: Vec<Option<chrono::DateTime<chrono::Utc>>> = state
        .logs
        .feeds
        .iter()
        .map(|f| state.logs.newest_of(&f.name))
        .collect();
    let mut commands = Vec::new();
    for (feed, newest) in state.logs.feeds.iter_mut().zip(newest) {
        let refresh = Duration::from_std(feed.refresh).unwrap_or(Duration::seconds(5));
        let due = feed.asked_at.is_none_or(|at| now - at >= refresh);
        if !due || feed.in_flight > 0 {
            continue;
        }
        let from = feed.read_until.or(newest).unwrap_or(window_since);
        let since = (from - Duration::seconds(FOLLOW_OVERLAP_SECS)).max(window_since);
        feed.in_flight = 1;
        feed.asked_at = Some(now);
        commands.push(Command::FetchLogs(LogRequest {
            source: feed.name.clone(),
            query: LogQuery {
                target: target.clone(),
                since,
                until,
                grep: grep.clone(),
                limit: feed.max_lines,
                trouble_only: false,
            },
            generation,
            follow: true,
        }));
    }
    commands
}

/// An answer from a log source. Answers to an older question are dropped.
pub fn completed(state: &mut State, answer: LogAnswer) {
    let LogAnswer {
        request,
        at,
        outcome,
    } = answer;
    if request.generation != state.logs.generation {
        return;
    }
    // At the top, the selection stays at the top as newer lines arrive, so a followed panel
    // reads like `tail -f`; anywhere else it stays on the line the responder moved to.
    let selected_key = (state.logs.selected > 0)
        .then(|| state.logs.selected_line().map(|l| l.key.clone()))
        .flatten();
    let Some(feed) = state.logs.feed_mut(&request.source) else {
        return;
    };
    feed.in_flight = feed.in_flight.saturating_sub(1);
    let lines: Vec<LogLine> = match outcome {
        Err(error) => {
            feed.failure = Some((error.to_string(), at));
            return;
        }
        Ok(batch) => {
            feed.failure = None;
            feed.answered_at = Some(at);
            if !request.query.trouble_only {
                feed.read_until = Some(request.query.until);
            }
            if !request.follow && !request.query.trouble_only {
                feed.hint = batch.hint;
            }
            let mut warnings = batch.warnings;
            if request.follow
                && warnings
                    .iter()
                    .any(|w| *w == cut_warning(request.query.limit))
            {
                // A follow poll that filled its limit skipped lines between the last poll
                // and the oldest line it read.
                warnings.retain(|w| *w != cut_warning(request.query.limit));
                warnings.push(format!(
                    "following: more than {} lines came between polls; the older ones of them are not shown",
                    request.query.limit
                ));
            }
            for warning in warnings {
                if !feed.warnings.contains(&warning) {
                    feed.warnings.push(warning);
                }
            }
            let excess = feed.warnings.len().saturating_sub(MAX_WARNINGS);
            feed.warnings.drain(..excess);
            batch.lines
        }
    };
    state.logs.merge(&request.source, lines);
    if let Some(key) = selected_key
        && let Some(index) = state.logs.shown().iter().position(|l| l.key == key)
    {
        state.logs.selected = index;
    }
}

/// `[` `]` while the panel is open: its window follows the trend range from now on.
pub fn range_changed(state: &mut State, before: crate::state::TrendRange) -> Vec<Command> {
    if !state.logs.open || state.debug.range == before {
        return vec![];
    }
    state.logs.window = LogWindow::Range;
    state.logs.until = None;
    ask(state)
}
