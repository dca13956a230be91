//! The three panes, one module each, each drawing into the body area between the tab line
//! and the status bar.

pub mod debug;
pub mod executive;
pub mod logs;
pub mod oncall;
pub mod runbook;
pub mod silences;
