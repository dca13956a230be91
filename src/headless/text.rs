//! `ondeck snapshot --format text`: the cockpit's numbers as aligned text for a terminal or a
//! chat paste.

use std::fmt::Write;

use super::json::Snapshot;

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
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "source {} [{}]: {}{error}",
            source.name, source.kind, source.status
        );
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
        let _ = writeln!(
            out,
            "{:<14} {:<22} {:>7} {:>8} {:>8} {:>7} {:>7} {:>10}  {}",
            slo.service,
            slo.name,
            format!("{}%", slo.objective * 100.0),
            pct(slo.sli, 3),
            pct(slo.error_budget_remaining, 1),
            burn(rate("1h")),
            burn(rate("5m")),
            duration(slo.time_to_exhaustion_seconds),
            firing.join(", ")
        );
    }
    out.push('\n');
    out.push_str(&incidents_table(&snapshot.incidents));
    for warning in &snapshot.warnings {
        let _ = writeln!(out, "warning: {warning}");
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
            "{:<12} {:<12} {:<6} {:<13} L{:<4} {:<14} {}",
            i.id,
            i.source,
            i.urgency,
            i.status,
            i.escalation_level,
            i.assignee.as_deref().unwrap_or("—"),
            i.title
        );
    }
    out
}
