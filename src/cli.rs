//! Command-line flags and subcommands.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// A terminal on-call cockpit: SLO burn rates, pages and traces in one screen.
/// With no config file it runs on a built-in demo fleet.
#[derive(Debug, Parser)]
#[command(name = "ondeck", disable_version_flag = true)]
pub struct Cli {
    /// Config file (default: $ONDECK_CONFIG, else ~/.config/ondeck/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Theme: dark, light or high-contrast (overrides the config).
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Never send acknowledge or resolve.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Print the version and the config, state and log paths in use.
    #[arg(short = 'V', long)]
    pub version: bool,
    /// What to do (default: run the cockpit).
    #[command(subcommand)]
    pub command: Option<Subcommands>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Subcommands {
    /// Validate a config file and print what ondeck would use (exit 2 if invalid).
    CheckConfig {
        /// The file to check (default: the file ondeck would load).
        path: Option<PathBuf>,
    },
    /// Poll every source once, print what the cockpit would show, and exit
    /// (exit 1 if any source failed).
    Snapshot {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Output format of headless commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Text,
    /// JSON for scripts.
    Json,
}
