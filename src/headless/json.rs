//! The JSON shape of `ondeck snapshot --format json`. Fields may be added, never renamed.
//! A number that cannot be computed (no traffic) is `null`, never 0 or NaN.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::model::Incident;
use crate::slo::{Severity, SloReport, Window};
use crate::state::incidents::response_times;
use crate::state::{Health, State};

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
    /// MTTA / MTTR over the last 30 days.
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
    /// Escalation level.
    pub escalation_level: u32,
    /// When a triggered page escalates to the next level (RFC 3339), if the backend says.
    pub escalates_at: Option<String>,
    /// The backend's severity word, if any.
    pub severity: Option<String>,
    /// Silenced or inhibited (Alertmanager).
    pub suppressed: bool,
    /// Runbook reference.
    pub runbook: Option<String>,
}

/// Mean response times.
#[derive(Debug, Serialize)]
pub struct ResponseJson {
    /// Mean time to acknowledge, seconds.
    pub mtta_seconds: Option<f64>,
    /// Mean time to resolve, seconds.
    pub mttr_seconds: Option<f64>,
    /// Incidents opened in the window.
    pub opened: usize,
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
    let response = response_times(state.all_incidents(), state.now, chrono::Duration::days(30));
    let seconds = |d: Option<chrono::Duration>| d.map(|d| d.num_milliseconds() as f64 / 1000.0);
    Snapshot {
        generated_at: rfc3339(generated_at),
        sources: sources(state),
        slos: state
            .slos
            .iter()
            .map(|row| slo(&row.source, &row.report, &row.issues))
            .collect(),
        incidents: state.open_incidents().into_iter().map(incident).collect(),
        response: ResponseJson {
            mtta_seconds: seconds(response.mtta),
            mttr_seconds: seconds(response.mttr),
            opened: response.opened,
        },
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
            }),
        }
    }
    out
}

fn slo(source: &str, report: &SloReport, issues: &[String]) -> SloJson {
    let spec = &report.spec;
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
    }
}
