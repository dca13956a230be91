//! The run loop: await one event or the clock, drain the rest, map keys (and, when enabled,
//! mouse clicks) to actions, `update`, run the commands off the UI task, and redraw once per
//! batch — only when something was applied; the backend then sends only the cells that
//! changed. It also owns the terminal's life outside drawing: SIGTERM/SIGHUP end the loop
//! like quit, and Ctrl-Z hands the terminal back to the shell until `fg`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use color_eyre::Result;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::buffer::Buffer;
use tokio::sync::{mpsc, oneshot, watch};

use crate::action::Action;
use crate::command::{Command, RunbookCommand};
use crate::config::{Keymap, Theme};
use crate::event::{CommandResult, Event, RunbookResult};
use crate::outbox::OutboxSetup;
use crate::outbox::cockpit::Courier;
use crate::runbook::perform as runbook_perform;
use crate::slo::{TierSpec, Window};
use crate::sources::history::HistoryCache;
use crate::sources::poller::spawn_poller;
use crate::sources::{
    Backends, Clock, Feed, IncidentSource, MetricsSource, SourceError, SourcePayload, TraceSource,
};
use crate::state::{SloRows, State};
use crate::ui::terminal::{self, Tty};
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
    /// The durable outbox every write goes through.
    pub outbox: OutboxSetup,
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
    if let Some(crate::state::Overlay::Silence(_)) = &state.overlay {
        return Some(Action::SilenceKey(*key));
    }
    if let Some(crate::state::Overlay::Confirm(confirm)) = &state.overlay
        && confirm.note.editing
    {
        return Some(Action::NoteKey(*key));
    }
    if state.logs.filter.editing && state.overlay.is_none() {
        return Some(Action::LogFilterKey(*key));
    }
    keymap.lookup(&key_contexts(state), key)
}

impl App {
    /// Runs the cockpit until the user quits. With `mouse`, clicks and the wheel are read
    /// (the caller enabled capture in [`terminal::init`]).
    pub async fn run(mut self, terminal: &mut Tty, mouse: bool) -> Result<()> {
        let (tx, mut rx) = mpsc::channel::<Event>(CHANNEL_CAPACITY);
        let (refresh_tx, refresh_rx) = watch::channel(0u64);
        // Before the first poll, so the first trend query already has the pane's step.
        self.fit_trends(terminal.size()?.width);
        ui::input::spawn(tx.clone());
        // The clock lives in the loop, not in a task of its own: one wake-up per second, not
        // two (the task's, then the loop's).
        let mut ticks = crate::ticker::Ticker::start();
        let tiers = Arc::new((self.state.tiers.clone(), self.state.period_tiers.clone()));
        spawn_pollers_preparing(&self.backends, self.clock, &tx, &refresh_rx, Some(tiers));
        let mut signals = spawn_signals();
        let mut runs = RunningSteps::new();
        let courier = crate::outbox::cockpit::start(&self.outbox, tx.clone());

        // The frame on screen, kept only for the mouse: clicks are read against it.
        let mut shown = mouse.then(Buffer::default);
        self.draw(terminal, shown.as_mut())?;
        loop {
            let first = tokio::select! {
                Some(signal) = signals.recv() => {
                    tracing::info!(?signal, "signal received, leaving");
                    self.handle_signal(signal);
                    break;
                }
                _ = ticks.tick() => Event::Tick,
                event = rx.recv() => match event {
                    Some(event) => event,
                    None => break,
                },
            };
            let mut suspend = false;
            let mut redraw = false;
            let mut event = Some(first);
            while let Some(next) = event {
                if let Event::Runbook(result) = &next
                    && let RunbookResult::StepFinished { run_id, .. } = result.as_ref()
                {
                    runs.remove(run_id);
                }
                if let Event::Source(polled) = &next
                    && polled.feed == Feed::Incidents
                    && polled.outcome.is_ok()
                {
                    // The backend answers again: a write waiting out a backoff goes now.
                    courier.kick(&polled.source);
                }
                if let Event::Input(TermEvent::Resize(..)) = next {
                    terminal.backend().forget_size();
                    redraw = true;
                }
                let (actions, commands) = self.handle(next, shown.as_ref());
                suspend |= actions.contains(&Action::Suspend);
                redraw |= !actions.is_empty();
                for command in commands {
                    self.execute(command, &tx, &refresh_tx, &mut runs, &courier);
                }
                event = rx.try_recv().ok();
            }
            if self.state.quit {
                break;
            }
            if suspend {
                suspend_to_shell(terminal, mouse)?;
            }
            if (redraw || suspend) && !self.draw_unless_gone(terminal, shown.as_mut())? {
                break;
            }
        }
        Ok(())
    }

    /// Draws; false when the terminal is gone. The hang-up's SIGHUP may come a moment after a
    /// frame already failed — or never, when the shell that got it exits first — so a frame
    /// the dropped link refuses ends the cockpit as cleanly as the signal does: the outbox
    /// keeps what is not delivered yet.
    fn draw_unless_gone(&mut self, terminal: &mut Tty, shown: Option<&mut Buffer>) -> Result<bool> {
        match self.draw(terminal, shown) {
            Ok(()) => Ok(true),
            Err(error) if terminal::is_gone(&error) => {
                tracing::info!(%error, "the terminal went away, leaving");
                update(&mut self.state, Action::Terminate);
                Ok(false)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Applies a termination signal: the state says quit, whatever view or dialog is up.
    pub fn handle_signal(&mut self, signal: Signal) -> Vec<Command> {
        update(&mut self.state, signal.action())
    }

    /// Sizes the metrics sources' trend queries to the executive pane's trend column.
    fn fit_trends(&self, width: u16) {
        let points = crate::ui::panes::executive::trend_points(width);
        if points > 0 {
            self.backends.set_trend_points(points);
        }
    }

    /// Draws the state; `shown`, when kept, receives a copy of the frame for the mouse, as
    /// rendered (before the wire's canonical form drops the styles it reads).
    fn draw(&self, terminal: &mut Tty, shown: Option<&mut Buffer>) -> std::io::Result<()> {
        let ctx = UiContext {
            theme: &self.theme,
            keymap: &self.keymap,
        };
        terminal.draw(|frame| {
            ui::render(frame, &self.state, &ctx);
            if let Some(shown) = shown {
                shown.clone_from(frame.buffer_mut());
            }
            ui::wire::canonicalize(frame.buffer_mut());
        })?;
        Ok(())
    }

    /// Maps one event to actions and applies them; returns the actions too, so the loop can
    /// see the ones that concern the terminal rather than the state (suspend) and whether
    /// anything happened at all (no action, no redraw).
    fn handle(&mut self, event: Event, shown: Option<&Buffer>) -> (Vec<Action>, Vec<Command>) {
        let actions: Vec<Action> = match event {
            Event::Input(TermEvent::Key(key)) => action_for_key(&self.state, &self.keymap, &key)
                .into_iter()
                .collect(),
            Event::Input(TermEvent::Mouse(mouse)) => shown.map_or_else(Vec::new, |shown| {
                ui::mouse::actions(&self.state, &self.theme, shown, &mouse)
            }),
            Event::Input(TermEvent::Resize(width, _)) => {
                self.fit_trends(width);
                Vec::new()
            }
            Event::Input(_) => Vec::new(),
            Event::Tick => vec![Action::Tick(self.clock.now())],
            Event::TerminalGone => {
                tracing::info!("the terminal went away, leaving");
                vec![Action::Terminate]
            }
            Event::Source(update) => vec![Action::Ingest(update)],
            Event::Done(result) => vec![Action::Completed(result)],
            Event::Runbook(result) => vec![Action::Runbook(result)],
        };
        let mut commands = Vec::new();
        for action in &actions {
            commands.extend(update(&mut self.state, action.clone()));
        }
        (actions, commands)
    }

    fn execute(
        &self,
        command: Command,
        tx: &mpsc::Sender<Event>,
        refresh: &watch::Sender<u64>,
        runs: &mut RunningSteps,
        courier: &Courier,
    ) {
        match command {
            Command::Quit => {}
            Command::Write(request) => courier.send(request),
            Command::RefreshNow => refresh.send_modify(|n| *n = n.wrapping_add(1)),
            // A few bytes between frames, on the UI task, so they never land inside a frame.
            Command::Copy { text } => {
                if let Err(error) = crate::clipboard::copy(&mut std::io::stdout(), &text) {
                    tracing::warn!(%error, "could not write the clipboard escape");
                }
                // tmux ignores an application's escape by default; hand it the text too,
                // off the UI task, bounded, and say where it went.
                if crate::clipboard::in_tmux() {
                    let tx = tx.clone();
                    tokio::spawn(async move {
                        let copied = text.clone();
                        let work = tokio::task::spawn_blocking(move || {
                            crate::clipboard::through_tmux(&copied)
                        });
                        let outcome = match tokio::time::timeout(COMMAND_TIMEOUT, work).await {
                            Ok(Ok(outcome)) => outcome,
                            Ok(Err(error)) => Err(error.to_string()),
                            Err(_) => Err("tmux did not answer".into()),
                        };
                        let result = CommandResult::Copied { text, outcome };
                        let _ = tx.send(Event::Done(Box::new(result))).await;
                    });
                }
            }
            Command::Runbook(RunbookCommand::KillStep { run_id }) => {
                if let Some(cancel) = runs.remove(&run_id) {
                    let _ = cancel.send(());
                }
            }
            Command::Runbook(runbook) => {
                let (cancel_tx, cancel_rx) = oneshot::channel();
                if let RunbookCommand::RunStep { run_id, .. } = &runbook {
                    runs.insert(*run_id, cancel_tx);
                }
                let tx = tx.clone();
                tokio::spawn(runbook_perform::perform(runbook, tx, cancel_rx));
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
/// are not backend work (quit, refresh), for incident writes (the outbox's) and for runbook commands, which stream their results
/// through [`crate::runbook::perform::perform`] instead. Each call is bounded by [`COMMAND_TIMEOUT`], and a
/// timeout is reported as a failure, so no write is ever silently dropped.
pub async fn perform(backends: &Backends, clock: Clock, command: Command) -> Option<CommandResult> {
    let timed_out = || SourceError::Timeout(COMMAND_TIMEOUT.as_millis() as u64);
    let result = match command {
        Command::Quit | Command::RefreshNow | Command::Copy { .. } => return None,
        Command::Explore(question) => CommandResult::Explore(Box::new(
            crate::sources::explore::perform(backends, clock, question).await,
        )),
        Command::FetchLogs(request) => CommandResult::Logs(Box::new(
            crate::sources::logs::fetch(backends, clock, request).await,
        )),
        Command::Runbook(_) => return None,
        Command::RelatedChanges { source, incident } => {
            let outcome = crate::sources::changes::related(backends, &source, &incident)
                .await
                .unwrap_or_else(|| {
                    Err(SourceError::Rejected(format!(
                        "{source} does not relate changes to incidents"
                    )))
                });
            CommandResult::RelatedChanges {
                key: crate::state::IncidentKey {
                    source,
                    id: incident,
                },
                outcome,
            }
        }
        // Writes go through the outbox (`App::execute`), never straight to a backend.
        Command::Write(_) => return None,
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
        Command::PreviewSilence { source, matchers } => {
            let am = backends
                .incidents
                .iter()
                .find_map(|(meta, backend)| match backend {
                    crate::sources::IncidentBackend::Alertmanager(am) if meta.name == source => {
                        Some(am)
                    }
                    _ => None,
                });
            let outcome = match am {
                Some(am) => tokio::time::timeout(COMMAND_TIMEOUT, am.preview(&matchers))
                    .await
                    .unwrap_or_else(|_| Err(timed_out())),
                None => Err(SourceError::Rejected(format!(
                    "no Alertmanager source named {source}"
                ))),
            };
            CommandResult::SilencePreview {
                matchers,
                outcome,
                at: clock.now(),
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

/// A signal that ends the cockpit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM: asked to stop (systemd, `kill`).
    Terminate,
    /// SIGHUP: the controlling terminal went away (the SSH link dropped).
    Hangup,
}

impl Signal {
    /// The action the signal maps to: both end the loop like quit, but unconditionally.
    pub fn action(self) -> Action {
        Action::Terminate
    }
}

/// Listens for SIGTERM and SIGHUP. If a listener cannot be installed the default disposition
/// stays (the process dies without restoring the terminal), which is logged, not fatal.
fn spawn_signals() -> mpsc::Receiver<Signal> {
    use tokio::signal::unix::{SignalKind, signal};
    let (tx, rx) = mpsc::channel(4);
    for (kind, which) in [
        (SignalKind::terminate(), Signal::Terminate),
        (SignalKind::hangup(), Signal::Hangup),
    ] {
        match signal(kind) {
            Ok(mut stream) => {
                let tx = tx.clone();
                tokio::spawn(async move {
                    while stream.recv().await.is_some() {
                        if tx.send(which).await.is_err() {
                            return;
                        }
                    }
                });
            }
            Err(error) => tracing::warn!(signal = ?which, %error, "cannot listen for signal"),
        }
    }
    rx
}

/// Ctrl-Z: gives the terminal back to the shell, stops the process, and on `fg` takes the
/// terminal again and repaints everything (the shell drew over the screen meanwhile, and the
/// window may have been resized).
fn suspend_to_shell(terminal: &mut Tty, mouse: bool) -> Result<()> {
    // Also shows the cursor: raw mode off is not enough, the shell prompt needs one.
    terminal::restore(mouse);
    // SAFETY: raise only sends a signal to this process; SIGTSTP's default action stops it
    // and execution resumes here on SIGCONT.
    let raised = unsafe { libc::raise(libc::SIGTSTP) };
    if raised != 0 {
        tracing::warn!("could not raise SIGTSTP");
    }
    terminal::resume(mouse)?;
    // The window may have been resized while we were stopped.
    terminal.backend().forget_size();
    // The shell saw a cursor; the backend must hide it again on the next frame.
    terminal.show_cursor()?;
    // Not `terminal.clear()`: it asks the terminal for the cursor position, and the input task
    // swallows the reply. A resize to the current size clears and forgets the last frame
    // without asking, so the next draw repaints every cell.
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
    Ok(())
}

/// One poller per metrics feed and per incident feed. Trace backends are queried on demand.
/// Metrics polls arrive as snapshots ([`SourcePayload::Metrics`]).
pub fn spawn_pollers(
    backends: &Backends,
    clock: Clock,
    tx: &mpsc::Sender<Event>,
    refresh: &watch::Receiver<u64>,
) {
    spawn_pollers_preparing(backends, clock, tx, refresh, None);
}

/// The alert tiers SLO rows are evaluated with: the default tiers and those per period.
pub type Tiers = Arc<(Vec<TierSpec>, BTreeMap<Window, Vec<TierSpec>>)>;

/// Like [`spawn_pollers`]; with `tiers`, each metrics poll is made into rows on a blocking
/// thread ([`SourcePayload::SloRows`]) so the loop only swaps them in: evaluating and sorting
/// thousands of SLOs there would hold back the keys read on the same thread.
pub fn spawn_pollers_preparing(
    backends: &Backends,
    clock: Clock,
    tx: &mpsc::Sender<Event>,
    refresh: &watch::Receiver<u64>,
    tiers: Option<Tiers>,
) {
    for (meta, backend) in &backends.metrics {
        let backend = backend.clone();
        let (name, tiers) = (meta.name.clone(), tiers.clone());
        spawn_poller(
            meta.clone(),
            Feed::Metrics,
            tx.clone(),
            refresh.clone(),
            move || {
                let backend = backend.clone();
                let (name, tiers) = (name.clone(), tiers.clone());
                async move {
                    let snapshot = backend.fetch_metrics(clock.now()).await?;
                    let Some(tiers) = tiers else {
                        return Ok(SourcePayload::Metrics(snapshot));
                    };
                    let rows = tokio::task::spawn_blocking(move || {
                        SloRows::prepare(&name, snapshot, &tiers.0, &tiers.1)
                    })
                    .await
                    .map_err(|e| SourceError::Malformed(format!("preparing the rows: {e}")))?;
                    Ok(SourcePayload::SloRows(Box::new(rows)))
                }
            },
        );
    }
    crate::sources::changes::spawn_pollers(backends, clock, tx, refresh);
    for (meta, backend) in &backends.incidents {
        let backend = backend.clone();
        // History (MTTA/MTTR) is read in the background on its own cadence; each poll carries
        // the read that finished since the last one (the first poll waits a little for it).
        let history = HistoryCache::default();
        let first_wait = meta.timeout;
        spawn_poller(
            meta.clone(),
            Feed::Incidents,
            tx.clone(),
            refresh.clone(),
            move || {
                let backend = backend.clone();
                let history = history.clone();
                async move {
                    let (snapshot, update) = tokio::join!(
                        backend.poll_incidents(),
                        history.collect_within(&backend, clock, first_wait)
                    );
                    let mut snapshot = snapshot?;
                    snapshot.history = update;
                    Ok(SourcePayload::Incidents(snapshot))
                }
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::{Signal, action_for_key};
    use crate::action::Action;
    use crate::command::Command;
    use crate::config::Keymap;
    use crate::slo::default_tiers;
    use crate::state::{Overlay, State};
    use crate::update::update;

    fn state() -> State {
        State::new(
            Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap(),
            default_tiers(),
        )
    }

    #[test]
    fn sigterm_and_sighup_end_the_loop_like_quit() {
        for signal in [Signal::Terminate, Signal::Hangup] {
            let mut s = state();
            let commands = update(&mut s, signal.action());
            assert!(s.quit, "{signal:?} must end the loop");
            assert_eq!(commands, vec![Command::Quit]);
        }
    }

    #[test]
    fn a_signal_quits_even_with_an_overlay_open() {
        let mut s = state();
        s.overlay = Some(Overlay::Help);
        update(&mut s, Signal::Hangup.action());
        assert!(s.quit);
    }

    #[test]
    fn ctrl_z_suspends_by_default_and_changes_no_state() {
        let s = state();
        let key = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
        let action = action_for_key(&s, &Keymap::defaults(), &key);
        assert_eq!(action, Some(Action::Suspend));
        let mut after = state();
        assert!(update(&mut after, Action::Suspend).is_empty());
        assert!(!after.quit);
        assert_eq!(after.pane, s.pane);
    }

    #[test]
    fn terminate_cannot_be_bound_to_a_key() {
        let mut keymap = Keymap::defaults();
        assert!(
            keymap
                .merge_toml("[global]\n\"x\" = \"terminate\"\n")
                .is_err()
        );
    }
}
