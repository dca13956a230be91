//! ondeck: a terminal on-call cockpit. Pollers send owned snapshots over one channel,
//! `update` turns actions into state changes and commands, and rendering is a pure function
//! of state.

// Everything printed goes through `output`, which survives a closed pipe or terminal.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod action;
pub mod app;
pub mod cli;
pub mod clipboard;
pub mod command;
pub mod config;
pub mod event;
pub mod failure;
pub mod headless;
pub mod inert;
pub mod init;
pub mod journal;
pub mod logging;
pub mod model;
pub mod outbox;
pub mod output;
pub mod runbook;
pub mod secrets;
pub mod setup;
pub mod slo;
pub mod sources;
pub mod state;
pub mod ticker;
pub mod ui;
pub mod update;
