//! The demo's log lines, generated from the same sampled traces the tracing feed serves, so
//! a line's `trace_id` opens a real demo trace: every request a service served logs one
//! line (an error, with its cause, when the request failed; a warning when it was slow),
//! every failed or stalled database or API call logs from the service that made it, and each
//! service logs a few housekeeping lines a minute without a trace. Errors cluster around the
//! checkout burn because the traces do. Everything is regenerated from the seed on demand.

use chrono::{DateTime, Duration};

use super::fleet::Fleet;
use super::roster::SERVICES;
use super::snapshot::epoch_secs;
use super::traces::{SLOTS, decode, generate};
use crate::model::{LogBatch, LogLevel, LogLine, LogQuery, Span, Trace};
use crate::sources::logs::finish;

/// The longest stretch of logs a query reads back from its end: the demo keeps six hours.
const MAX_MINUTES: i64 = 6 * 60;
/// A span slower than this logs a warning, in microseconds.
const SLOW_US: u64 = 800_000;

/// Whether `service` is one of the fleet's (not a database or an outside API).
fn in_fleet(service: &str) -> bool {
    SERVICES.iter().any(|s| s.name == service)
}

/// The deepest failing span under `index`, for the cause of a failed request.
fn cause(spans: &[Span], index: usize) -> Option<&Span> {
    let id = &spans.get(index)?.span_id;
    spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.error && s.parent_id.as_ref() == Some(id))
        .find_map(|(i, _)| cause(spans, i).or_else(|| spans.get(i)))
}

fn attribute<'a>(span: &'a Span, key: &str) -> Option<&'a str> {
    span.attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A duration as services log them: `2.41s`, `127ms`, `0.36ms`.
fn millis(us: u64) -> String {
    match us {
        us if us >= 1_000_000 => format!("{:.2}s", us as f64 / 1e6),
        us if us >= 10_000 => format!("{}ms", us / 1000),
        us => format!("{:.2}ms", us as f64 / 1000.0),
    }
}

/// The lines one trace makes, by the fleet service that logs each.
fn trace_lines(trace: &Trace, source: &str) -> Vec<LogLine> {
    let spans = &trace.spans;
    let id = &trace.summary.trace_id;
    let mut out = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        let parent = span
            .parent_id
            .as_ref()
            .and_then(|p| spans.iter().find(|s| &s.span_id == p));
        let at = trace.summary.start
            + Duration::microseconds(
                i64::try_from(span.start_offset_us + span.duration_us).unwrap_or(0),
            );
        let (service, level, text) = if in_fleet(&span.service) {
            if attribute(span, "span.kind") != Some("server") {
                continue;
            }
            let status = attribute(span, "http.status_code").unwrap_or("200");
            let took = millis(span.duration_us);
            let (level, text) = match cause(spans, i) {
                Some(bad) if span.error => {
                    let why = attribute(bad, "error.message").unwrap_or("failed");
                    let place = if bad.service == span.service {
                        String::new()
                    } else {
                        format!("{} {}: ", bad.service, bad.operation)
                    };
                    (
                        LogLevel::Error,
                        format!("{} {status} in {took}: {place}{why}", span.operation),
                    )
                }
                _ if span.error => (
                    LogLevel::Error,
                    format!("{} {status} in {took}: request failed", span.operation),
                ),
                _ if span.duration_us > SLOW_US => (
                    LogLevel::Warn,
                    format!("{} {status} in {took}: slow request", span.operation),
                ),
                _ => (
                    LogLevel::Info,
                    format!("{} {status} in {took}", span.operation),
                ),
            };
            (span.service.clone(), level, text)
        } else {
            // A call to a database or an outside API logs from the service that made it,
            // and only when it went wrong.
            let Some(caller) = parent.filter(|p| in_fleet(&p.service)) else {
                continue;
            };
            let took = millis(span.duration_us);
            let text = match (span.error, attribute(span, "error.message")) {
                (true, why) => format!(
                    "{} {} failed after {took}: {}",
                    span.service,
                    span.operation,
                    why.unwrap_or("error")
                ),
                (false, _) if span.duration_us > SLOW_US => {
                    format!("{} {} took {took}", span.service, span.operation)
                }
                _ => continue,
            };
            let level = if span.error {
                LogLevel::Error
            } else {
                LogLevel::Warn
            };
            (caller.service.clone(), level, text)
        };
        let message = format!("{text} trace_id={id} span_id={}", span.span_id);
        out.push(LogLine {
            at,
            level,
            source: source.to_string(),
            message,
            labels: vec![
                (
                    "host".to_string(),
                    format!("{service}-{}", &span.span_id[..4]),
                ),
                ("level".to_string(), level.tag().to_ascii_lowercase()),
                ("service".to_string(), service),
                ("span_id".to_string(), span.span_id.clone()),
                ("trace_id".to_string(), id.clone()),
            ],
            trace_id: Some(id.clone()),
            key: format!("{id}:{}", span.span_id),
        });
    }
    out
}

/// A few lines a minute each service logs without a request: pool and cache statistics, and
/// for checkout, while its redis is failing, a warning about it.
fn housekeeping(fleet: &Fleet, seed: u64, minute: i64, source: &str) -> Vec<LogLine> {
    let mut out = Vec::new();
    let burning = fleet
        .checkout_burst()
        .map_or(0.0, |b| b.level(minute as f64 * 60.0 + 30.0));
    for (s, service) in SERVICES.iter().enumerate() {
        let roll = |what: u64| fleet.noise(&[seed, 0x1095, minute as u64, s as u64, what]);
        let mut lines = vec![
            (
                LogLevel::Info,
                format!(
                    "connection pool: {} active, {} idle",
                    (roll(1) * 40.0) as u32 + 2,
                    (roll(2) * 20.0) as u32
                ),
            ),
            (
                LogLevel::Debug,
                format!("cache hit ratio {:.2}", 0.8 + roll(3) * 0.19),
            ),
        ];
        if service.name == "checkout" && burning > 0.2 {
            lines.push((
                LogLevel::Warn,
                format!(
                    "checkout-redis pool saturated: {} of 64 connections waiting",
                    (burning * 60.0) as u32 + 3
                ),
            ));
        }
        for (n, (level, message)) in lines.into_iter().enumerate() {
            let second = roll(10 + n as u64) * 59.0;
            let at = DateTime::from_timestamp_micros(minute * 60_000_000 + (second * 1e6) as i64)
                .unwrap_or_default();
            out.push(LogLine {
                at,
                level,
                source: source.to_string(),
                message,
                labels: vec![
                    (
                        "host".to_string(),
                        format!("{}-{:02}", service.name, minute.rem_euclid(3)),
                    ),
                    ("level".to_string(), level.tag().to_ascii_lowercase()),
                    ("service".to_string(), service.name.to_string()),
                ],
                trace_id: None,
                key: format!("{}:{minute}:{n}", service.name),
            });
        }
    }
    out
}

/// The lines answering `query`, newest first, reading back minute by minute from its end
/// until it has `query.limit` lines or reaches its start (at most [`MAX_MINUTES`] back).
pub(super) fn logs(fleet: &Fleet, seed: u64, query: &LogQuery, source: &str) -> LogBatch {
    let mut batch = LogBatch::default();
    let service = query.target.service();
    let of_service = |line: &LogLine| {
        service.is_none_or(|s| line.labels.iter().any(|(k, v)| k == "service" && v == s))
    };
    if let Some(id) = query.target.trace_id() {
        let lines = match decode(seed, id) {
            Some((minute, slot)) => trace_lines(&generate(fleet, seed, minute, slot), source),
            None => Vec::new(),
        };
        let lines = lines.into_iter().filter(|l| of_service(l)).collect();
        return finish(lines, query, query.limit, false, batch);
    }
    let last = (epoch_secs(query.until) / 60.0).floor() as i64;
    let first = (epoch_secs(query.since) / 60.0).floor() as i64;
    let oldest = first.max(last - MAX_MINUTES + 1);
    if oldest > first {
        batch.warnings.push(format!(
            "the demo keeps {} hours of logs: older lines of the window are not shown",
            MAX_MINUTES / 60
        ));
    }
    let mut lines = Vec::new();
    let mut more = false;
    for minute in (oldest..=last).rev() {
        let mut found = housekeeping(fleet, seed, minute, source);
        for slot in 0..SLOTS {
            found.extend(trace_lines(&generate(fleet, seed, minute, slot), source));
        }
        lines.extend(
            found
                .into_iter()
                .filter(|l| of_service(l) && query.admits(l)),
        );
        if lines.len() >= query.limit {
            more = minute > oldest;
            break;
        }
    }
    finish(lines, query, query.limit, more, batch)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::LogTarget;

    #[test]
    fn checkout_errors_carry_a_demo_trace_and_name_the_redis_cause() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, 0).unwrap();
        let fleet = Fleet::new(42, epoch_secs(start));
        let until = start + Duration::minutes(2);
        let query = LogQuery {
            target: LogTarget::Service("checkout".into()),
            since: until - Duration::minutes(15),
            until,
            grep: None,
            limit: 2000,
            trouble_only: false,
        };
        let batch = logs(&fleet, 42, &query, "demo");
        assert!(batch.lines.len() > 50, "{} lines", batch.lines.len());
        assert!(
            batch.lines.windows(2).all(|w| w[0].at >= w[1].at),
            "newest first"
        );
        let errors: Vec<&LogLine> = batch
            .lines
            .iter()
            .filter(|l| l.level == LogLevel::Error && l.trace_id.is_some())
            .collect();
        assert!(
            errors.iter().any(|l| l.message.contains("checkout-redis")),
            "the burn's cause is in the errors"
        );
        let id = errors[0].trace_id.clone().unwrap();
        let trace = super::super::traces::fetch(&fleet, 42, &id).unwrap();
        assert!(trace.spans.iter().any(|s| s.service == "checkout"));
        let by_trace = LogQuery {
            target: LogTarget::Trace(id.clone()),
            ..query.clone()
        };
        let same = logs(&fleet, 42, &by_trace, "demo");
        assert!(!same.lines.is_empty());
        assert!(
            same.lines
                .iter()
                .all(|l| l.trace_id.as_deref() == Some(id.as_str()))
        );
    }
}
