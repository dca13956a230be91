//! The JSON shape of `ondeck snapshot --format json`. Fields may be added, never renamed.
//! A number that cannot be computed (no traffic) is `null`, never 0 or NaN.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::model::{Incident, Link};
use crate::slo::{Severity, Window};
use crate::sources::Feed;
use crate::state::{Health, Measure, ResponseTimes, SloRow, State};

/// The whole snapshot.
#[derive(Debug, Serialize)]
pub struct Snapshot {
    /// Evaluation instant, RFC 3339.
    pub generated_at: String,
    /// One entry per configured source.
    pub sources: Vec<SourceJson>,
    /// Every SLO, most at risk first.
    pub slos: Vec<SloJson>,
    /// Open incidents in on-call order.
    pub incidents: Vec<IncidentJson>,
    /// MTTA / MTTR over the last 30 days, from the sources' incident history.
    pub response: ResponseJson,
    /// What the config loader skipped or could not honour (SLO files that cannot be read,
    /// SLOs skipped with the reason), one line each.
    pub warnings: Vec<String>,
}

/// A source's state.
#[derive(Debug, Serialize)]
pub struct SourceJson {
    /// Configured name.
    pub name: String,
    /// Backend kind.
    pub kind: String,
    /// `fresh`, `stale` or `failed`.
    pub status: &'static str,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// What its last good poll left out (a list cut short by the paging cap, an on-call
    /// lookup that failed): its data is there but not whole.
    pub warnings: Vec<String>,
}

/// One SLO.
#[derive(Debug, Serialize)]
pub struct SloJson {
    /// `service/name`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Service.
    pub service: String,
    /// Source that measured it.
    pub source: String,
    /// Objective as a fraction.
    pub objective: f64,
    /// Compliance period.
    pub window: String,
    /// SLI over the period.
    pub sli: Option<f64>,
    /// Share of budget left.
    pub error_budget_remaining: Option<f64>,
    /// Burn rate per window, shortest window first.
    pub burn_rates: WindowMap,
    /// Seconds until the budget is gone at the 1h burn rate.
    pub time_to_exhaustion_seconds: Option<f64>,
    /// Every alert tier.
    pub alerts: Vec<AlertJson>,
    /// Why some of its numbers are missing (query errors, `; `-separated), else `null`.
    pub error: Option<String>,
    /// Whether its numbers are current: false when its source has gone stale or its latest
    /// poll failed, so the numbers are the last good ones, `age_secs` old.
    pub fresh: bool,
    /// Seconds since its source last answered with good data.
    pub age_secs: Option<i64>,
    /// When its source last answered with good data, RFC 3339.
    pub as_of: Option<String>,
}

/// One alert tier of one SLO.
#[derive(Debug, Serialize)]
pub struct AlertJson {
    /// `page` or `ticket`.
    pub severity: Severity,
    /// Long window.
    pub long_window: String,
    /// Short window.
    pub short_window: String,
    /// Burn-rate threshold.
    pub factor: f64,
    /// Both windows above the factor.
    pub firing: bool,
}

/// One incident.
#[derive(Debug, Serialize)]
pub struct IncidentJson {
    /// Backend id.
    pub id: String,
    /// Source name.
    pub source: String,
    /// Title.
    pub title: String,
    /// Service.
    pub service: String,
    /// `triggered`, `acknowledged` or `resolved`.
    pub status: &'static str,
    /// `high` or `low`.
    pub urgency: &'static str,
    /// RFC 3339.
    pub created_at: String,
    /// Who holds it.
    pub assignee: Option<String>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<String>,
    /// Escalation level, `null` when the backend has none or ondeck does not know it.
    pub escalation_level: Option<u32>,
    /// When a triggered page escalates to the next level (RFC 3339), if the backend says.
    pub escalates_at: Option<String>,
    /// The backend's severity word, if any.
    pub severity: Option<String>,
    /// Silenced or inhibited (Alertmanager).
    pub suppressed: bool,
    /// Runbook reference.
    pub runbook: Option<String>,
    /// Labels or tags (`alertname`, `service`, …), as the backend gave them.
    pub labels: BTreeMap<String, String>,
    /// Annotations (`summary`, `runbook_url`, …), where the backend has them.
    pub annotations: BTreeMap<String, String>,
    /// Related links (backend page, dashboards, runbook URL).
    pub links: Vec<Link>,
}

/// Mean response times, from the incident history each source keeps.
#[derive(Debug, Serialize)]
pub struct ResponseJson {
    /// Mean time to acknowledge, seconds; `null` with `mtta_missing` saying why.
    pub mtta_seconds: Option<f64>,
    /// Mean time to resolve, seconds; `null` with `mttr_missing` saying why.
    pub mttr_seconds: Option<f64>,
    /// Incidents opened in the window, across the sources counted.
    pub opened: usize,
    /// The window, in days.
    pub window_days: i64,
    /// Incidents the MTTA averages (opened in the window and acknowledged).
    pub acknowledged: usize,
    /// Incidents the MTTR averages (opened in the window and resolved).
    pub resolved: usize,
    /// Why there is no MTTA, when there is none.
    pub mtta_missing: Option<String>,
    /// Why there is no MTTR, when there is none.
    pub mttr_missing: Option<String>,
    /// Seconds since the oldest history counted was read.
    pub history_age_seconds: Option<i64>,
    /// Whether a history counted is old or its latest read failed.
    pub stale: bool,
    /// What the numbers leave out, per source.
    pub notes: Vec<String>,
}

impl ResponseJson {
    /// The JSON form of `times`.
    pub fn of(times: &ResponseTimes) -> Self {
        let seconds = |m: &Measure| m.value().map(|d| d.num_milliseconds() as f64 / 1000.0);
        let counted = |m: &Measure| match m {
            Measure::Mean { counted, .. } => *counted,
            Measure::Missing(_) => 0,
        };
        let missing = |m: &Measure| match m {
            Measure::Mean { .. } => None,
            Measure::Missing(why) => Some(why.clone()),
        };
        Self {
            mtta_seconds: seconds(&times.mtta),
            mttr_seconds: seconds(&times.mttr),
            opened: times.opened,
            window_days: times.window_days,
            acknowledged: counted(&times.mtta),
            resolved: counted(&times.mttr),
            mtta_missing: missing(&times.mtta),
            mttr_missing: missing(&times.mttr),
            history_age_seconds: times.age_secs,
            stale: times.stale,
            notes: times.notes.clone(),
        }
    }
}

/// Burn rates keyed by window, serialised as a JSON object in window order (5m before 1h),
/// which a plain string-keyed map would sort as text.
#[derive(Debug)]
pub struct WindowMap(pub Vec<(String, Option<f64>)>);

impl Serialize for WindowMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Builds the snapshot from the state after one poll of every source.
pub fn build(state: &State, generated_at: DateTime<Utc>) -> Snapshot {
    let response = state.response_times();
    Snapshot {
        generated_at: rfc3339(generated_at),
        sources: sources(state),
        slos: state.slos.iter().map(|row| slo(state, row)).collect(),
        incidents: state.open_incidents().into_iter().map(incident).collect(),
        response: ResponseJson::of(&response),
        warnings: state.config_warnings.clone(),
    }
}

/// One entry per source name; a source fails if any of its feeds failed.
fn sources(state: &State) -> Vec<SourceJson> {
    let mut out: Vec<SourceJson> = Vec::new();
    for status in &state.sources {
        let (label, error) = match status.health(state.now) {
            Health::Fresh { .. } => ("fresh", None),
            Health::Stale { .. } => ("stale", None),
            Health::Failed { error, .. } => {
                ("failed", Some(format!("{}: {error}", status.feed.as_str())))
            }
            Health::Loading => (
                "failed",
                Some(format!("{}: no answer", status.feed.as_str())),
            ),
        };
        match out.iter_mut().find(|s| s.name == status.name) {
            Some(existing) => {
                existing.warnings.extend(status.warnings.iter().cloned());
                if label != "fresh" && existing.status != "failed" {
                    existing.status = label;
                }
                if let Some(error) = error {
                    existing.error = Some(match existing.error.take() {
                        Some(before) => format!("{before}; {error}"),
                        None => error,
                    });
                }
            }
            None => out.push(SourceJson {
                name: status.name.clone(),
                kind: status.kind.clone(),
                status: label,
                error,
                warnings: status.warnings.clone(),
            }),
        }
    }
    out
}

fn slo(state: &State, row: &SloRow) -> SloJson {
    let SloRow {
        source,
        report,
        issues,
        ..
    } = row;
    let spec = &report.spec;
    let last_ok = state
        .feed_status(source, Feed::Metrics)
        .and_then(|s| s.last_ok);
    SloJson {
        id: spec.id.clone(),
        name: spec.name.clone(),
        service: spec.service.clone(),
        source: source.to_string(),
        objective: spec.objective,
        window: spec.period.to_string(),
        sli: report.sli,
        error_budget_remaining: report.budget_remaining,
        burn_rates: WindowMap(
            report
                .burn_rates
                .iter()
                .map(|(w, b): (&Window, &Option<f64>)| (w.to_string(), *b))
                .collect(),
        ),
        time_to_exhaustion_seconds: report.exhaustion.seconds(),
        alerts: report
            .alerts
            .iter()
            .map(|t| AlertJson {
                severity: t.spec.severity,
                long_window: t.spec.long_window.to_string(),
                short_window: t.spec.short_window.to_string(),
                factor: t.factor,
                firing: t.firing,
            })
            .collect(),
        error: (!issues.is_empty()).then(|| issues.join("; ")),
        fresh: state.freshness_of(row).is_current(),
        age_secs: last_ok.map(|at| (state.now - at).num_seconds().max(0)),
        as_of: last_ok.map(rfc3339),
    }
}

fn incident(i: &Incident) -> IncidentJson {
    IncidentJson {
        id: i.id.clone(),
        source: i.source.clone(),
        title: i.title.clone(),
        service: i.service.clone(),
        status: i.status.as_str(),
        urgency: i.urgency.as_str(),
        created_at: rfc3339(i.created_at),
        assignee: i.assignee().map(str::to_string),
        acknowledged_by: i.acknowledged_by.clone(),
        escalation_level: i.escalation_level,
        escalates_at: i
            .escalates_at
            .filter(|_| i.status == crate::model::IncidentStatus::Triggered)
            .map(rfc3339),
        severity: i.severity.clone(),
        suppressed: i.suppressed,
        runbook: i.runbook.clone(),
        labels: i.labels.clone(),
        annotations: i.annotations.clone(),
        links: i.links.clone(),
    }
}
