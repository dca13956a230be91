//! `ondeck logs`: a service's (or a trace's) lines from every log source, for scripts. The
//! same path as the logs panel: per source one question for every line and one for trouble
//! lines, asked through [`crate::sources::logs::fetch`], kept through the panel's own merge
//! and cap, then printed oldest first — as text (outside text made inert) or as JSON. What a
//! source admitted to (a cap reached, shards missing) and why one failed go to stderr.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::future::join_all;
use serde::Serialize;

use crate::app::App;
use crate::cli::{Format, LogsArgs};
use crate::inert;
use crate::model::{LogLine, LogQuery, LogTarget};
use crate::output::err;
use crate::sources::logs::{LogRequest, fetch};
use crate::state::LogsState;

/// One source's account in the JSON output.
#[derive(Debug, Serialize)]
struct SourceReport {
    name: String,
    lines: usize,
    error: Option<String>,
    warnings: Vec<String>,
    hint: Option<String>,
}

/// The JSON output.
#[derive(Debug, Serialize)]
struct Report<'a> {
    generated_at: DateTime<Utc>,
    query: &'a LogQuery,
    sources: Vec<SourceReport>,
    lines: Vec<&'a LogLine>,
}

/// What the arguments ask for.
fn target(args: &LogsArgs) -> Option<LogTarget> {
    match (args.service.clone(), args.trace.clone()) {
        (Some(service), None) => Some(LogTarget::Service(service)),
        (None, Some(trace_id)) => Some(LogTarget::Trace(trace_id)),
        (Some(service), Some(trace_id)) => Some(LogTarget::ServiceTrace { service, trace_id }),
        (None, None) => None,
    }
}

/// One line of text output: `2026-11-21T03:11:58.240Z ERROR demo checkout <message>`.
fn text_line(line: &LogLine) -> String {
    let service = line
        .labels
        .iter()
        .find(|(k, _)| k == "service" || k == "service.name" || k == "_SYSTEMD_UNIT")
        .map_or("-", |(_, v)| v.as_str());
    format!(
        "{} {:<5} {} {} {}\n",
        line.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        line.level.tag(),
        inert::line(&line.source),
        inert::line(service),
        inert::line(&line.message)
    )
}

/// Runs `ondeck logs`: the output and the exit code (1 when a source failed or none exists).
pub async fn logs_command(app: App, args: &LogsArgs) -> (String, u8) {
    let App {
        state,
        backends,
        clock,
        ..
    } = app;
    if backends.logs.is_empty() {
        err("no log source is configured: add a loki, elasticsearch or journal [[source]]");
        return (String::new(), 1);
    }
    let Some(target) = target(args) else {
        err("name a service, or a trace with --trace");
        return (String::new(), 2);
    };
    let now = clock.now();
    let since =
        now - chrono::Duration::from_std(args.since).unwrap_or(chrono::Duration::minutes(15));
    let mut logs = LogsState {
        feeds: state.logs.feeds.clone(),
        ..LogsState::default()
    };
    let requests: Vec<LogRequest> = logs
        .feeds
        .iter()
        .flat_map(|feed| {
            [false, true].map(|trouble_only| LogRequest {
                source: feed.name.clone(),
                query: LogQuery {
                    target: target.clone(),
                    since,
                    until: now,
                    grep: args.grep.clone(),
                    limit: feed.max_lines,
                    trouble_only,
                },
                generation: 0,
                follow: false,
            })
        })
        .collect();
    let query = requests
        .first()
        .map(|r| r.query.clone())
        .unwrap_or_else(|| LogQuery {
            target: target.clone(),
            since,
            until: now,
            grep: args.grep.clone(),
            limit: 0,
            trouble_only: false,
        });
    let answers = join_all(requests.into_iter().map(|r| fetch(&backends, clock, r))).await;
    let mut reports: Vec<SourceReport> = logs
        .feeds
        .iter()
        .map(|f| SourceReport {
            name: f.name.clone(),
            lines: 0,
            error: None,
            warnings: Vec::new(),
            hint: None,
        })
        .collect();
    for answer in answers {
        let Some(report) = reports.iter_mut().find(|r| r.name == answer.request.source) else {
            continue;
        };
        match answer.outcome {
            Err(error) => report.error = Some(error.to_string()),
            Ok(batch) => {
                for warning in batch.warnings {
                    if !report.warnings.contains(&warning) {
                        report.warnings.push(warning);
                    }
                }
                if !answer.request.query.trouble_only {
                    report.hint = batch.hint;
                }
                logs.merge(&answer.request.source, batch.lines);
            }
        }
    }
    for report in &mut reports {
        report.lines = logs
            .lines
            .iter()
            .filter(|l| l.source == report.name)
            .count();
        if let Some(dropped) = logs
            .feeds
            .iter()
            .find(|f| f.name == report.name)
            .map(|f| f.dropped)
            && dropped > 0
        {
            report.warnings.push(format!(
                "{dropped} older lines let go: at most {} lines are kept per source",
                logs.feeds
                    .iter()
                    .find(|f| f.name == report.name)
                    .map_or(0, |f| f.max_lines)
            ));
        }
    }
    let mut lines: Vec<&LogLine> = logs.lines.iter().collect();
    lines.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.key.cmp(&b.key)));
    let failed = reports.iter().any(|r| r.error.is_some());
    let text = match args.format {
        Format::Json => {
            let report = Report {
                generated_at: now,
                query: &query,
                sources: reports,
                lines,
            };
            crate::inert::json::to_string_pretty(&report).unwrap_or_default() + "\n"
        }
        Format::Text => {
            for report in &reports {
                if let Some(error) = &report.error {
                    err(format_args!(
                        "log source {} failed: {}",
                        report.name,
                        inert::line(error)
                    ));
                }
                for note in report.warnings.iter().chain(report.hint.iter()) {
                    err(format_args!(
                        "log source {}: {}",
                        report.name,
                        inert::line(note)
                    ));
                }
            }
            lines.into_iter().map(text_line).collect()
        }
    };
    (text, u8::from(failed))
}
