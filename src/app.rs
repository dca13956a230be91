//! The run loop: await one event, drain the rest, map keys to actions, `update`, run the
//! commands off the UI task, and redraw once per batch.

use std::collections::HashMap;
use std::time::Duration;

use color_eyre::Result;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::{mpsc, oneshot, watch};

use crate::action::Action;
use crate::command::Command;
use crate::config::{Keymap, Theme};
use crate::event::{CommandResult, Event, RunbookResult};
use crate::runbook::perform::{self as runbook_perform, is_runbook_command};
use crate::sources::poller::spawn_poller;
use crate::sources::{
    Backends, Clock, Feed, IncidentSource, MetricsSource, SourceError, SourcePayload, TraceSource,
};
use crate::state::State;
use crate::ui::{self, UiContext};
use crate::update::update;

/// Events queued between the tasks and the loop; pollers wait when it is full.
const CHANNEL_CAPACITY: usize = 256;

/// How long an acknowledge, resolve or trace fetch may take before it counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

/// Everything the loop needs, built by [`crate::setup`].
pub struct App {
    /// Initial state (sources registered, nothing loaded).
    pub state: State,
    /// Live keymap.
    pub keymap: Keymap,
    /// Live theme.
    pub theme: Theme,
    /// Configured backends.
    pub backends: Backends,
    /// Where "now" comes from.
    pub clock: Clock,
}

/// The keymap contexts that apply in the current state, most specific first.
pub fn key_contexts(state: &State) -> Vec<&'static str> {
    state.key_contexts()
}

/// The action a key press maps to. Ctrl-C always quits, whatever the keymap says, so a broken
/// user keymap can never trap anyone in the cockpit — except while the runbook view shows a
/// running step, where it kills that step's process group instead. While the `:` command line
/// is open every other key goes to it, not to the keymap.
pub fn action_for_key(state: &State, keymap: &Keymap, key: &KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        let running = state.overlay.is_none()
            && state
                .runbook
                .view
                .as_ref()
                .is_some_and(|v| v.running.is_some());
        return Some(if running {
            Action::KillStep
        } else {
            Action::Quit
        });
    }
    if state.command_line.is_open() {
        return Some(Action::CommandLineKey(*key));
    }
    keymap.lookup(&key_contexts(state), key)
}

impl App {
    /// Runs the cockpit until the user quits.
    pub async fn run(mut self, terminal: &mut DefaultTerminal) -> Result<()> {
        let (tx, mut rx) = mpsc::channel::<Event>(CHANNEL_CAPACITY);
        let (refresh_tx, refresh_rx) = watch::channel(0u64);
        // Before the first poll, so the first trend query already has the pane's step.
        self.fit_trends(terminal.size()?.width);
        spawn_input(tx.clone());
        spawn_ticks(tx.clone());
        spawn_pollers(&self.backends, self.clock, &tx, &refresh_rx);
        let mut runs = RunningSteps::new();

        self.draw(terminal)?;
        while let Some(first) = rx.recv().await {
            let mut event = Some(first);
            while let Some(next) = event {
                if let Event::Runbook(result) = &next
                    && let RunbookResult::StepFinished { run_id, .. } = result.as_ref()
                {
                    runs.remove(run_id);
                }
                for command in self.handle(next) {
                    self.execute(command, &tx, &refresh_tx, &mut runs);
                }
                event = rx.try_recv().ok();
            }
            if self.state.quit {
                break;
            }
            self.draw(terminal)?;
        }
        Ok(())
    }

    /// Sizes the metrics sources' trend queries to the executive pane's trend column.
    fn fit_trends(&self, width: u16) {
        let points = crate::ui::panes::executive::trend_points(width);
        if points > 0 {
            self.backends.set_trend_points(points);
        }
    }

    fn draw(&self, terminal: &mut DefaultTerminal) -> Result<()> {
        let ctx = UiContext {
            theme: &self.theme,
            keymap: &self.keymap,
        };
        terminal.draw(|frame| ui::render(frame, &self.state, &ctx))?;
        Ok(())
    }

    fn handle(&mut self, event: Event) -> Vec<Command> {
        let action = match event {
            Event::Input(TermEvent::Key(key)) => action_for_key(&self.state, &self.keymap, &key),
            Event::Input(TermEvent::Resize(width, _)) => {
                self.fit_trends(width);
                None
            }
            Event::Input(_) => None,
            Event::Tick => Some(Action::Tick(self.clock.now())),
            Event::Source(update) => Some(Action::Ingest(update)),
            Event::Done(result) => Some(Action::Completed(result)),
            Event::Runbook(result) => Some(Action::Runbook(result)),
        };
        action.map_or_else(Vec::new, |a| update(&mut self.state, a))
    }

    fn execute(
        &self,
        command: Command,
        tx: &mpsc::Sender<Event>,
        refresh: &watch::Sender<u64>,
        runs: &mut RunningSteps,
    ) {
        match command {
            Command::Quit => {}
            Command::RefreshNow => refresh.send_modify(|n| *n = n.wrapping_add(1)),
            Command::KillStep { run_id } => {
                if let Some(cancel) = runs.remove(&run_id) {
                    let _ = cancel.send(());
                }
            }
            runbook if is_runbook_command(&runbook) => {
                let (cancel_tx, cancel_rx) = oneshot::channel();
                if let Command::RunStep { run_id, .. } = &runbook {
                    runs.insert(*run_id, cancel_tx);
                }
                let backends = self.backends.clone();
                let tx = tx.clone();
                tokio::spawn(async move {
                    runbook_perform::perform(&backends, runbook, tx, cancel_rx).await;
                });
            }
            work => {
                let backends = self.backends.clone();
                let clock = self.clock;
                let tx = tx.clone();
                tokio::spawn(async move {
                    if let Some(result) = perform(&backends, clock, work).await {
                        let _ = tx.send(Event::Done(Box::new(result))).await;
                    }
                });
            }
        }
    }
}

/// Cancel switches of the steps running now, by run id.
type RunningSteps = HashMap<u64, oneshot::Sender<()>>;

/// Runs a command that talks to a backend and returns its result; `None` for commands that
/// are not backend work (quit, refresh) and for runbook commands, which stream their results
/// through [`crate::runbook::perform::perform`] instead. Each call is bounded by [`COMMAND_TIMEOUT`], and a
/// timeout is reported as a failure, so no write is ever silently dropped.
pub async fn perform(backends: &Backends, clock: Clock, command: Command) -> Option<CommandResult> {
    let timed_out = || SourceError::Timeout(COMMAND_TIMEOUT.as_millis() as u64);
    let result = match command {
        Command::Quit | Command::RefreshNow => return None,
        Command::LoadProgress { .. }
        | Command::SaveProgress { .. }
        | Command::LoadRunbook { .. }
        | Command::FetchRunbook { .. }
        | Command::Audit { .. }
        | Command::AddNote { .. }
        | Command::RunStep { .. }
        | Command::KillStep { .. } => return None,
        Command::Incident {
            source,
            incident_id,
            action,
            note,
        } => {
            tracing::info!(%source, incident = %incident_id, action = action.verb(), "sending");
            let outcome = match backends.incident_backend(&source) {
                Some(b) => tokio::time::timeout(
                    COMMAND_TIMEOUT,
                    b.apply(&incident_id, action, note.as_deref()),
                )
                .await
                .unwrap_or_else(|_| Err(timed_out())),
                None => Err(SourceError::Rejected(format!("no source named {source}"))),
            };
            match &outcome {
                Ok(()) => {
                    tracing::info!(%source, incident = %incident_id, action = action.verb(), "delivered")
                }
                Err(error) => {
                    tracing::warn!(%source, incident = %incident_id, action = action.verb(), %error, "not delivered")
                }
            }
            CommandResult::Incident {
                source,
                incident_id,
                action,
                outcome,
            }
        }
        Command::SearchTraces(search) => {
            let outcome = match backends.trace_backend() {
                Some(b) => {
                    tokio::time::timeout(COMMAND_TIMEOUT, b.search_traces(&search, clock.now()))
                        .await
                        .unwrap_or_else(|_| Err(timed_out()))
                }
                None => Err(no_tracing()),
            };
            CommandResult::Traces {
                service: search.service,
                kind: search.kind,
                outcome,
            }
        }
        Command::FetchTrace { trace_id } => {
            let outcome = match backends.trace_backend() {
                Some(b) => tokio::time::timeout(COMMAND_TIMEOUT, b.fetch_trace(&trace_id))
                    .await
                    .unwrap_or_else(|_| Err(timed_out())),
                None => Err(no_tracing()),
            };
            CommandResult::Trace { trace_id, outcome }
        }
    };
    Some(result)
}

fn no_tracing() -> SourceError {
    SourceError::Rejected("no tracing source is configured".into())
}

fn spawn_input(tx: mpsc::Sender<Event>) {
    tokio::spawn(async move {
        let mut stream = crossterm::event::EventStream::new();
        while let Some(Ok(event)) = stream.next().await {
            if tx.send(Event::Input(event)).await.is_err() {
                return;
            }
        }
    });
}

fn spawn_ticks(tx: mpsc::Sender<Event>) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if tx.send(Event::Tick).await.is_err() {
                return;
            }
        }
    });
}

/// One poller per metrics feed and per incident feed. Trace backends are queried on demand.
pub fn spawn_pollers(
    backends: &Backends,
    clock: Clock,
    tx: &mpsc::Sender<Event>,
    refresh: &watch::Receiver<u64>,
) {
    for (meta, backend) in &backends.metrics {
        let backend = backend.clone();
        spawn_poller(
            meta.clone(),
            Feed::Metrics,
            tx.clone(),
            refresh.clone(),
            move || {
                let backend = backend.clone();
                async move {
                    backend
                        .fetch_metrics(clock.now())
                        .await
                        .map(SourcePayload::Metrics)
                }
            },
        );
    }
    for (meta, backend) in &backends.incidents {
        let backend = backend.clone();
        spawn_poller(
            meta.clone(),
            Feed::Incidents,
            tx.clone(),
            refresh.clone(),
            move || {
                let backend = backend.clone();
                async move {
                    backend
                        .fetch_incidents()
                        .await
                        .map(SourcePayload::Incidents)
                }
            },
        );
    }
}
