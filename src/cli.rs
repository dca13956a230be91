//! Command-line flags and subcommands.

use std::path::PathBuf;

use chrono::{DateTime, TimeZone, Utc};
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
    /// Draw with ASCII only (borders, bars, sparklines, arrows). Automatic when the locale
    /// (LC_ALL, LC_CTYPE, LANG) is not UTF-8.
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Time travel: evaluate every query at this instant (RFC 3339 such as
    /// 2025-01-01T03:12:00Z, or unix epoch seconds). The cockpit is then read-only.
    #[arg(long, global = true, value_name = "TIME", value_parser = parse_instant)]
    pub at: Option<DateTime<Utc>>,
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
    /// Work with runbooks.
    Runbook {
        /// What to do.
        #[command(subcommand)]
        command: RunbookCommand,
    },
    /// Print the audit log: every acknowledge, resolve and runbook step, oldest first.
    Audit {
        /// Check the log's hash chain instead: name the first line that was changed, removed
        /// or inserted (exit 1 when one was).
        #[arg(long)]
        verify: bool,
    },
    /// Acknowledge an incident through the outbox, as `a` does (exit 0 delivered,
    /// 1 refused, 75 still queued after --wait: it is resent by the next ondeck run).
    Ack(WriteArgs),
    /// Resolve an incident through the outbox, as `r` does (exit codes as for ack).
    Resolve(WriteArgs),
    /// Un-acknowledge an incident so it pages again, as `u` does (exit codes as for ack).
    Unack(WriteArgs),
    /// Poll the incident sources once and list open incidents and who is on call
    /// (exit 1 if any source failed).
    Incidents {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the writes still owed in the outbox and try each once more.
    Outbox {
        /// Settle the owed write with this id without sending it (it is audited as dropped).
        #[arg(long, value_name = "ID")]
        drop: Option<String>,
    },
    /// Work with the configured SLOs.
    Slo {
        /// What to do.
        #[command(subcommand)]
        command: SloCommand,
    },
    /// Write a working, commented config for your stack: probe each URL (reachable, auth
    /// accepted, version), find SLIs in the Prometheus (request counters with a status code,
    /// latency histograms, Sloth and Pyrra rules), check each SLO once, and write the file.
    /// Secrets are named by their environment variable, never written.
    Init(InitArgs),
    /// Print a Markdown report of the shift (pages, acks, resolves, runbook steps, SLOs that
    /// burned) from the audit log and the sources, ready to paste into the team channel.
    Handoff {
        /// How far back the shift goes, in any duration form the config takes: 12h, 90m, 1d, 1w.
        #[arg(long, default_value = "12h", value_parser = parse_span)]
        since: std::time::Duration,
    },
}

/// What `ondeck init` probes and where it writes.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// A Prometheus-compatible server (Prometheus, Thanos, Mimir, VictoriaMetrics).
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,
    /// The environment variable holding the Prometheus bearer token.
    #[arg(long, value_name = "NAME")]
    pub prometheus_token_env: Option<String>,
    /// An Alertmanager (API v2).
    #[arg(long, value_name = "URL")]
    pub alertmanager: Option<String>,
    /// The environment variable holding a PagerDuty REST API token: adds a PagerDuty source.
    #[arg(long, value_name = "NAME")]
    pub pagerduty_token_env: Option<String>,
    /// The email PagerDuty records acknowledgements under (its `From` header).
    #[arg(long, value_name = "EMAIL")]
    pub pagerduty_from: Option<String>,
    /// PagerDuty's API address.
    #[arg(long, value_name = "URL", default_value = "https://api.pagerduty.com")]
    pub pagerduty_url: String,
    /// Where to write the config (default: the file ondeck reads).
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// The incident and note of `ack`, `resolve` and `unack`.
#[derive(Debug, clap::Args)]
pub struct WriteArgs {
    /// Incident id, as the on-call pane and `ondeck incidents` show it.
    pub id: String,
    /// A note sent with the write (silence comment, PagerDuty note, Alerta text…).
    #[arg(long)]
    pub note: Option<String>,
    /// The incident source (needed only when several list the same id).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// How long to keep retrying before leaving the write queued in the outbox.
    #[arg(long, default_value = "15s", value_parser = parse_span)]
    pub wait: std::time::Duration,
}

/// Parses `12h`, `30m`, `1d`, `15s` the way the config file writes durations.
pub fn parse_span(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<crate::config::duration::HumanDuration>()
        .map(|d| d.0)
        .map_err(|e| e.to_string())
}

/// `ondeck runbook …`.
#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// Validate every *.md runbook in a directory: front matter, matchers, at least one step
    /// (exit 2 if any file has an error).
    Check {
        /// The directory to check.
        dir: PathBuf,
    },
}

/// `ondeck slo …`.
#[derive(Debug, Subcommand)]
pub enum SloCommand {
    /// Print Prometheus recording rules (Sloth-compatible names, so use_recording_rules =
    /// "auto" reads them back) and multiwindow multi-burn-rate alerting rules for every
    /// configured SLO, from the same alert tiers the cockpit uses.
    Rules {
        /// A rule file, or a prometheus-operator PrometheusRule resource.
        #[arg(long, value_enum, default_value_t = RulesFormat::Prometheus)]
        format: RulesFormat,
        /// Only the SLOs this source measures.
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
}

/// Output format of `ondeck slo rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// A Prometheus rule file (`groups:`).
    Prometheus,
    /// A prometheus-operator `PrometheusRule`.
    PrometheusOperator,
}

impl From<RulesFormat> for crate::sources::prometheus::rulefile::RuleFormat {
    fn from(format: RulesFormat) -> Self {
        match format {
            RulesFormat::Prometheus => Self::Prometheus,
            RulesFormat::PrometheusOperator => Self::PrometheusOperator,
        }
    }
}

/// Output format of headless commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Text,
    /// JSON for scripts.
    Json,
}

/// Parses `--at`: unix epoch seconds (fractions allowed) or an RFC 3339 timestamp.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    let invalid =
        || format!("`{text}` is neither RFC 3339 (2025-01-01T03:12:00Z) nor unix epoch seconds");
    if let Ok(seconds) = text.parse::<f64>() {
        if !seconds.is_finite() {
            return Err(invalid());
        }
        let whole = seconds.floor();
        // Whole milliseconds: Prometheus evaluates at millisecond resolution.
        let millis = ((seconds - whole) * 1000.0).round() as u32;
        return Utc
            .timestamp_opt(whole as i64, millis.min(999) * 1_000_000)
            .single()
            .ok_or_else(invalid);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_takes_epoch_seconds_or_rfc3339() {
        let end = Utc.timestamp_opt(1_735_689_600, 0).unwrap();
        assert_eq!(parse_instant("1735689600"), Ok(end));
        assert_eq!(parse_instant("2025-01-01T00:00:00Z"), Ok(end));
        assert_eq!(parse_instant("2025-01-01T01:00:00+01:00"), Ok(end));
        assert_eq!(
            parse_instant("1735689600.25"),
            Ok(end + chrono::Duration::milliseconds(250))
        );
        for bad in ["yesterday", "", "NaN", "2025-01-01 25:00"] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
    }
}
