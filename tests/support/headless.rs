//! The cockpit driven headless, the way `App::run` drives it: a key through the live keymap
//! to an action, `update`, and every command it returns carried out in order — writes
//! through the outbox (one attempt, as the courier makes it), runbook work through the
//! runbook performer with its events fed back, `R` as a poll, the rest through `perform` —
//! each result fed back to `update` before the next command. No terminal.
// Each test file that includes this uses a part of it.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::{mpsc, oneshot};

use ondeck::action::Action;
use ondeck::app::{App, action_for_key, perform};
use ondeck::command::Command;
use ondeck::config::Config;
use ondeck::event::{CommandResult, Event};
use ondeck::headless::poll_once;
use ondeck::journal;
use ondeck::runbook::perform as runbook_perform;
use ondeck::setup::{Overrides, build};
use ondeck::sources::Clock;
use ondeck::update::update;

/// The cockpit without a terminal.
pub struct Headless {
    /// The app, as `App::run` would hold it.
    pub app: App,
    /// Its state dir (outbox, audit log, runbook progress).
    pub dir: PathBuf,
    /// Every write handed to the outbox, in order.
    pub sent: Vec<Command>,
}

/// A fresh directory under the system temp dir, unique to this process and `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ondeck-headless-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Headless {
    /// The demo on the fixed clock of the screen tests, polled once.
    pub async fn demo(name: &str, readonly: bool) -> Self {
        Self::with_config(&Config::demo(), name, readonly).await
    }

    /// `config` on the fixed clock, with a state dir of its own, polled once.
    pub async fn with_config(config: &Config, name: &str, readonly: bool) -> Self {
        let clock = Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0).unwrap());
        Self::with_config_at(config, name, readonly, clock).await
    }

    /// `config` on `clock` (the system clock for real servers, whose silences and alerts
    /// live in real time), with a state dir of its own, polled once.
    pub async fn with_config_at(config: &Config, name: &str, readonly: bool, clock: Clock) -> Self {
        let dir = temp_dir(name);
        let overrides = Overrides {
            theme: None,
            readonly,
            state_dir: Some(dir.clone()),
        };
        let mut app = build(config, &overrides, clock).expect("the config builds");
        app.state.runbook.settings.state_dir = Some(dir.clone());
        app.state.runbook.settings.user = config.user.clone();
        let mut headless = Self {
            app,
            dir,
            sent: Vec::new(),
        };
        headless.poll().await;
        headless
    }

    /// One poll of every source, fed to `update`.
    pub async fn poll(&mut self) {
        for source_update in poll_once(&self.app.backends, self.app.clock).await {
            update(&mut self.app.state, Action::Ingest(Box::new(source_update)));
        }
    }

    /// A key with modifiers, through the live keymap.
    pub async fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        let key = KeyEvent::new(code, modifiers);
        if let Some(action) = action_for_key(&self.app.state, &self.app.keymap, &key) {
            self.act(action).await;
        }
    }

    /// A key.
    pub async fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE).await;
    }

    /// Each character as a key.
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c)).await;
        }
    }

    /// Applies an action and carries out every command it causes, in the order `update`
    /// returned them, each one's results applied before the next starts.
    pub async fn act(&mut self, action: Action) {
        let mut queue: VecDeque<Command> = update(&mut self.app.state, action).into();
        while let Some(command) = queue.pop_front() {
            let results = self.carry_out(command).await;
            for action in results {
                queue.extend(update(&mut self.app.state, action));
            }
        }
    }

    async fn carry_out(&mut self, command: Command) -> Vec<Action> {
        match command {
            Command::RefreshNow => {
                self.poll().await;
                Vec::new()
            }
            Command::Write(request) => {
                self.sent.push(Command::Write(request.clone()));
                ondeck::outbox::deliver_inline(&self.app.outbox, request)
                    .await
                    .into_iter()
                    .map(|report| Action::Completed(Box::new(CommandResult::Delivery(report))))
                    .collect()
            }
            Command::Runbook(command) => {
                let (tx, mut rx) = mpsc::channel(64);
                let (_cancel, cancel_rx) = oneshot::channel();
                let task = tokio::spawn(runbook_perform::perform(command, tx, cancel_rx));
                let mut results = Vec::new();
                while let Some(event) = rx.recv().await {
                    if let Event::Runbook(result) = event {
                        results.push(Action::Runbook(result));
                    }
                }
                task.await.unwrap();
                results
            }
            other => perform(&self.app.backends, self.app.clock, other)
                .await
                .map(|result| Action::Completed(Box::new(result)))
                .into_iter()
                .collect(),
        }
    }

    /// The audit log, every line readable.
    pub fn audit(&self) -> Vec<journal::AuditEntry> {
        journal::read_all(&journal::audit_path(&self.dir))
            .unwrap()
            .into_iter()
            .map(Result::unwrap)
            .collect()
    }
}
