//! `ondeck snapshot --format text`: the cockpit's numbers as aligned text for a terminal or a
//! chat paste. Every field from a backend or a file is made inert for one line
//! ([`inert::line`]) before it is padded, so columns are counted on what is shown and no
//! title can start a line that passes for another row.

use std::fmt::Write;

use super::json::Snapshot;
use crate::inert::line;
use crate::ui::freshness::short_age;

fn pct(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{:.*}%", digits, v * 100.0))
}

fn burn(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{v:.1}x"))
}

fn duration(seconds: Option<f64>) -> String {
    let Some(secs) = seconds else {
        return "—".to_string();
    };
    let secs = secs.max(0.0) as u64;
    match secs {
        0 => "exhausted".to_string(),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// Renders the snapshot as text.
pub fn render(snapshot: &Snapshot) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ondeck snapshot at {}", snapshot.generated_at);
    for source in &snapshot.sources {
        let error = source
            .error
            .as_deref()
            .map(|e| format!(" ({})", line(e)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "source {} [{}]: {}{error}",
            line(&source.name),
            line(&source.kind),
            source.status
        );
        for warning in &source.warnings {
            let _ = writeln!(out, "  warning: {warning}");
        }
    }
    let _ = writeln!(
        out,
        "\n{:<14} {:<22} {:>7} {:>8} {:>8} {:>7} {:>7} {:>10}  alerts",
        "SERVICE", "SLO", "OBJ", "SLI", "BUDGET", "BURN1h", "BURN5m", "EXHAUSTS"
    );
    for slo in &snapshot.slos {
        let rate = |w: &str| {
            slo.burn_rates
                .0
                .iter()
                .find(|(k, _)| k == w)
                .and_then(|(_, v)| *v)
        };
        let firing: Vec<String> = slo
            .alerts
            .iter()
            .filter(|a| a.firing)
            .map(|a| {
                format!("{:?} {}/{}", a.severity, a.long_window, a.short_window).to_uppercase()
            })
            .collect();
        let mut alerts = firing.join(", ");
        if !slo.fresh {
            // Said in words: the line may be read in a chat paste with no colour at all.
            let age = slo.age_secs.map_or_else(
                || "no data".to_string(),
                |s| format!("data {} old", short_age(s)),
            );
            let gap = if alerts.is_empty() { "" } else { "  " };
            alerts.push_str(&format!("{gap}NOT CURRENT: {} {age}", line(&slo.source)));
        }
        let _ = writeln!(
            out,
            "{:<14} {:<22} {:>7} {:>8} {:>8} {:>7} {:>7} {:>10}  {}",
            line(&slo.service),
            line(&slo.name),
            format!("{}%", slo.objective * 100.0),
            pct(slo.sli, 3),
            pct(slo.error_budget_remaining, 1),
            burn(rate("1h")),
            burn(rate("5m")),
            duration(slo.time_to_exhaustion_seconds),
            alerts
        );
    }
    out.push('\n');
    out.push_str(&incidents_table(&snapshot.incidents));
    for warning in &snapshot.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out.push('\n');
    out.push_str(&response(&snapshot.response));
    out
}

/// "MTTA 8m (n=17), MTTR 1h42m (n=16) over 30d: 22 opened, history read 2m ago", or "—"
/// with the reason, then what the numbers leave out.
fn response(times: &super::json::ResponseJson) -> String {
    let measure = |seconds: Option<f64>, n: usize, missing: &Option<String>| match seconds {
        Some(s) => format!(
            "{} (n={n})",
            crate::ui::format::duration_secs(s.round() as i64)
        ),
        None => format!("— ({})", missing.as_deref().unwrap_or("no data")),
    };
    let mut out = format!(
        "MTTA {}, MTTR {} over {}d",
        measure(times.mtta_seconds, times.acknowledged, &times.mtta_missing),
        measure(times.mttr_seconds, times.resolved, &times.mttr_missing),
        times.window_days
    );
    if let Some(age) = times.history_age_seconds {
        let stale = if times.stale { " (stale)" } else { "" };
        let _ = write!(
            out,
            ": {} opened, history read {} ago{stale}",
            times.opened,
            crate::ui::format::age_secs(age)
        );
    }
    out.push('\n');
    for note in &times.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    out
}

/// The open incidents as an aligned table, for `snapshot` and `incidents`.
pub fn incidents_table(incidents: &[super::json::IncidentJson]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12} {:<12} {:<6} {:<13} {:<5} {:<14} TITLE",
        "ID", "SOURCE", "URG", "STATUS", "LEVEL", "ASSIGNEE"
    );
    for i in incidents {
        let _ = writeln!(
            out,
            "{:<12} {:<12} {:<6} {:<13} {:<5} {:<14} {}",
            line(&i.id),
            line(&i.source),
            i.urgency,
            i.status,
            i.escalation_level
                .map_or_else(|| "—".to_string(), |level| format!("L{level}")),
            line(i.assignee.as_deref().unwrap_or("—")),
            line(&i.title)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{TimeZone, Utc};

    use crate::headless::json;
    use crate::slo::{SliKind, SloSpec, Window, default_tiers, evaluate};
    use crate::sources::Feed;
    use crate::state::sources::Failure;
    use crate::state::{SloRow, SourceStatus, State};

    /// Two SLOs, one from a source that answered 4 minutes ago and has failed since.
    fn state() -> State {
        let now = Utc.timestamp_opt(1_735_689_600, 0).unwrap();
        let mut state = State::new(now, default_tiers());
        let status = |name: &str, ago: i64| {
            let mut s =
                SourceStatus::new(name, "prometheus", Feed::Metrics, Duration::from_secs(30));
            s.last_ok = Some(now - chrono::Duration::seconds(ago));
            s
        };
        let mut prom = status("prom", 240);
        prom.failure = Some(Failure {
            error: "unreachable: connection refused".into(),
            since: now - chrono::Duration::seconds(200),
            retry_at: None,
        });
        state.sources = vec![status("vm", 5), prom];
        let row = |source: &str, service: &str| {
            let spec = SloSpec::new(
                service,
                "availability",
                0.999,
                Window::days(30),
                SliKind::Availability,
            );
            SloRow {
                source: source.into(),
                report: evaluate(&spec, &Default::default(), &state.tiers),
                trend: Vec::new(),
                issues: Vec::new(),
            }
        };
        state.slos = vec![row("vm", "search"), row("prom", "checkout")];
        state
    }

    #[test]
    fn each_slo_says_whether_its_numbers_are_current() {
        let state = state();
        let snapshot = json::build(&state, state.now);
        let value = serde_json::to_value(&snapshot).unwrap();
        let slos = value["slos"].as_array().unwrap();
        assert_eq!(slos[0]["source"], "vm");
        assert_eq!(slos[0]["fresh"], true);
        assert_eq!(slos[0]["age_secs"], 5);
        assert_eq!(slos[1]["source"], "prom");
        assert_eq!(slos[1]["fresh"], false);
        assert_eq!(slos[1]["age_secs"], 240);
        assert_eq!(slos[1]["as_of"], "2024-12-31T23:56:00Z");

        let text = super::render(&snapshot);
        let line = |service: &str| {
            text.lines()
                .find(|l| l.starts_with(service))
                .unwrap_or_else(|| panic!("no {service} in {text}"))
        };
        assert!(
            line("checkout").ends_with("NOT CURRENT: prom data 4m old"),
            "{text}"
        );
        assert!(!line("search").contains("NOT CURRENT"), "{text}");
    }
}
