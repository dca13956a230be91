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
    /// Alertmanager silences: add (with a preview of what it hides), list, extend, expire —
    /// through the outbox, as the cockpit's `S` view and `:silence` do.
    Silence {
        /// What to do.
        #[command(subcommand)]
        command: SilenceCommand,
    },
    /// Escalate a PagerDuty incident to a level of its escalation policy (default: one above
    /// the level it is at), through the outbox (exit codes as for ack; 2 bad arguments).
    Escalate {
        /// Incident id.
        id: String,
        /// The level to escalate to (1 = first responder).
        #[arg(long)]
        level: Option<u32>,
        #[command(flatten)]
        target: IncidentTarget,
    },
    /// Hand a PagerDuty incident to someone, through the outbox (exit codes as for escalate).
    Reassign {
        /// Incident id.
        id: String,
        /// The new assignee: an email (looked up) or a PagerDuty user id.
        #[arg(long)]
        to: String,
        #[command(flatten)]
        target: IncidentTarget,
    },
    /// Snooze an acknowledged PagerDuty incident, through the outbox (exit codes as for
    /// escalate).
    Snooze {
        /// Incident id.
        id: String,
        /// How long: 30m, 2h, 1d.
        #[arg(long = "for", value_name = "DURATION")]
        duration: String,
        #[command(flatten)]
        target: IncidentTarget,
    },
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
    /// Print the log lines of a service (or of a trace) from every log source, oldest first,
    /// as the logs panel reads them (exit 1 if any log source failed).
    Logs(LogsArgs),
    /// List the changes — deploys, rollbacks, config and flag changes, scaling — the change
    /// sources report, newest first (exit 1 if a change source failed, 2 if none is configured).
    Changes {
        /// How far back to look, e.g. 2h, 30m, 1d.
        #[arg(long, default_value = "2h", value_parser = parse_span)]
        since: std::time::Duration,
        /// Only the changes of this service.
        #[arg(long, value_name = "NAME")]
        service: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
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

/// `ondeck logs SERVICE [--since 15m] [--grep TEXT] [--trace ID] [--format json|text]`.
#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    /// The service whose lines to print (optional with --trace: then every service's).
    #[arg(required_unless_present = "trace")]
    pub service: Option<String>,
    /// How far back to look, e.g. 15m, 2h.
    #[arg(long, default_value = "15m", value_parser = parse_span)]
    pub since: std::time::Duration,
    /// Only lines containing this text (ignoring case).
    #[arg(long, value_name = "TEXT")]
    pub grep: Option<String>,
    /// Only lines carrying this trace id.
    #[arg(long, value_name = "ID")]
    pub trace: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `ondeck silence …`.
#[derive(Debug, Subcommand)]
pub enum SilenceCommand {
    /// Create a silence: prints the alerts firing now that it would hide, then sends it
    /// (exit 0 created, 1 refused, 2 bad matchers/duration/comment, 75 still queued).
    Add {
        /// Matchers, one a word: service=checkout 'alertname=~"Disk.*"' env!=dev.
        #[arg(required = true, value_name = "MATCHER")]
        matchers: Vec<String>,
        /// How long it lasts: 30m, 2h, 1d (at most 30d).
        #[arg(long)]
        duration: String,
        /// Why (required: the next responder reads it).
        #[arg(long)]
        comment: String,
        /// Only print the preview; create nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        target: SilenceTarget,
    },
    /// List the active silences, soonest to end first.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The Alertmanager source (needed only when several are configured).
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
    },
    /// Move a silence's end later by a duration (exit codes as for add).
    Extend {
        /// Silence id, as `ondeck silence list` shows it.
        id: String,
        /// How much later: 30m, 2h, 1d.
        #[arg(long)]
        by: String,
        #[command(flatten)]
        target: SilenceTarget,
    },
    /// End a silence now: what it hid notifies again (exit codes as for add).
    Expire {
        /// Silence id, as `ondeck silence list` shows it.
        id: String,
        #[command(flatten)]
        target: SilenceTarget,
    },
}

/// Which incident source, and how long to keep retrying.
#[derive(Debug, clap::Args)]
pub struct IncidentTarget {
    /// The incident source (needed only when several list the same id).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// How long to keep retrying before leaving the write queued in the outbox.
    #[arg(long, default_value = "15s", value_parser = parse_span)]
    pub wait: std::time::Duration,
}

/// Which Alertmanager, and how long to keep retrying.
#[derive(Debug, clap::Args)]
pub struct SilenceTarget {
    /// The Alertmanager source (needed only when several are configured).
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
