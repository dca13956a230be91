//! One metrics snapshot of the demo fleet: window counts and the 24-hour burn trend of every
//! SLO, and the last hour of latency and error trends of every service.
//!
//! Service trends are derived from the same counts as the SLOs, so checkout's error rate and
//! p99 rise exactly when its availability SLO burns.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::counts::Counter;
use super::fleet::Fleet;
use super::roster::SERVICES;
use crate::model::{MetricsSnapshot, ServiceMetrics, SloObservation};
use crate::slo::math::burn_rate;
use crate::slo::{Counts, STANDARD_WINDOWS, SliKind};

/// Seconds between trend samples and how many there are (24 hours).
const TREND_STEP: f64 = 1800.0;
const TREND_SAMPLES: usize = 48;
/// Service trend: one sample per minute for the last hour.
const SERVICE_STEP: u64 = 60;
const SERVICE_SAMPLES: usize = 60;

/// Seconds since the epoch, with sub-second precision.
pub(super) fn epoch_secs(at: DateTime<Utc>) -> f64 {
    at.timestamp() as f64 + f64::from(at.timestamp_subsec_nanos()) / 1e9
}

/// Everything the demo's metrics feed reports at `at`.
pub(super) fn snapshot(fleet: &Fleet, counter: &mut Counter, at: DateTime<Utc>) -> MetricsSnapshot {
    counter.begin_fetch();
    let t = epoch_secs(at);
    let slos = (0..fleet.slos.len())
        .map(|s| observe(fleet, counter, s, t))
        .collect();
    let services = (0..SERVICES.len())
        .map(|i| service_trends(fleet, counter, i, t))
        .collect();
    MetricsSnapshot {
        at,
        evaluated: Default::default(),
        slos,
        services,
    }
}

/// Window counts and burn trend of SLO `s` at `t`.
fn observe(fleet: &Fleet, counter: &mut Counter, s: usize, t: f64) -> SloObservation {
    let spec = fleet.slos[s].spec.clone();
    let counts: BTreeMap<_, _> = STANDARD_WINDOWS
        .iter()
        .copied()
        .chain([spec.period])
        .map(|w| (w, counter.between(fleet, s, t - w.as_secs_f64(), t)))
        .collect();
    // Sample ends every 30 minutes; a 1h window spans two steps.
    let ends: Vec<(f64, f64)> = (0..TREND_SAMPLES + 2)
        .map(|k| counter.cumulative(fleet, s, t - k as f64 * TREND_STEP))
        .collect();
    let trend = (0..TREND_SAMPLES)
        .rev()
        .map(|k| {
            let (end, begin) = (ends[k], ends[k + 2]);
            let window = Counts {
                bad: (end.1 - begin.1).max(0.0),
                total: (end.0 - begin.0).max(0.0),
            };
            burn_rate(window, spec.objective).unwrap_or(0.0)
        })
        .collect();
    SloObservation {
        spec,
        counts,
        trend,
        issues: Vec::new(),
    }
}

/// Latency percentiles and error rate of service `i`, one sample per minute for the last hour.
fn service_trends(fleet: &Fleet, counter: &mut Counter, i: usize, t: f64) -> ServiceMetrics {
    trends_every(fleet, counter, i, t, SERVICE_STEP)
}

/// The trends of the service named `service` over the `range` seconds before `at`, in as
/// many samples as the hourly trend (the debug pane's longer ranges); `None` for a service
/// the fleet does not run.
pub(super) fn service_trends_over(
    fleet: &Fleet,
    counter: &mut Counter,
    service: &str,
    range: u64,
    at: DateTime<Utc>,
) -> Option<ServiceMetrics> {
    let i = SERVICES.iter().position(|s| s.name == service)?;
    let step = (range / SERVICE_SAMPLES as u64).max(SERVICE_STEP);
    Some(trends_every(fleet, counter, i, epoch_secs(at), step))
}

/// Service `i`'s trends in [`SERVICE_SAMPLES`] samples `step_secs` apart, ending at `t`.
fn trends_every(
    fleet: &Fleet,
    counter: &mut Counter,
    i: usize,
    t: f64,
    step_secs: u64,
) -> ServiceMetrics {
    let def = SERVICES[i];
    let own: Vec<usize> = (0..fleet.slos.len())
        .filter(|&s| fleet.slos[s].service == i)
        .collect();
    let availability = own
        .iter()
        .copied()
        .find(|&s| fleet.slos[s].spec.sli == SliKind::Availability);
    let mut out = ServiceMetrics {
        service: def.name.to_string(),
        step_seconds: step_secs,
        ..ServiceMetrics::default()
    };
    if own.is_empty() {
        return out;
    }
    let step = step_secs as f64;
    // Cumulative counts at each sample edge, per SLO of the service.
    let edges: Vec<Vec<(f64, f64)>> = own
        .iter()
        .map(|&s| {
            (0..=SERVICE_SAMPLES)
                .map(|j| counter.cumulative(fleet, s, t - (SERVICE_SAMPLES - j) as f64 * step))
                .collect()
        })
        .collect();
    for j in 0..SERVICE_SAMPLES {
        let window = |k: usize| {
            let (a, b) = (edges[k][j], edges[k][j + 1]);
            Counts {
                bad: (b.1 - a.1).max(0.0),
                total: (b.0 - a.0).max(0.0),
            }
        };
        let worst_burn = own
            .iter()
            .enumerate()
            .filter_map(|(k, &s)| burn_rate(window(k), fleet.slos[s].spec.objective))
            .fold(0.0, f64::max);
        let errors = availability
            .and_then(|s| own.iter().position(|&o| o == s))
            .map(window);
        let error_rate = errors
            .filter(|c| c.total > 0.0)
            .map_or(0.0, |c| c.bad / c.total);
        let traffic = window(0).total / (step * def.rps);
        let end_minute = ((t - (SERVICE_SAMPLES - 1 - j) as f64 * step) / step).floor() as u64;
        let jitter = |which: u64, spread: f64| {
            1.0 + spread * (2.0 * fleet.noise(&[0x1a7e, i as u64, end_minute, which]) - 1.0)
        };
        // Busier minutes are a little slower; a burning SLO drags the tail up most.
        let load = 0.85 + 0.15 * traffic;
        let excess = (worst_burn - 1.0).max(0.0);
        let p50 = def.p50 * load * jitter(0, 0.06);
        let p95 = (def.p95 * load * jitter(1, 0.08) * (1.0 + 0.025 * excess)).max(p50);
        let p99 = (def.p99 * load * jitter(2, 0.12) * (1.0 + 0.07 * excess)).max(p95);
        out.p50.push(p50);
        out.p95.push(p95);
        out.p99.push(p99);
        out.error_rate.push(error_rate);
    }
    out
}
