//! `ondeck handoff`: a Markdown report of the shift for the team channel, from the audit log
//! (what this responder did) and one poll of every source (what is still open, what burned).
//!
//! Text from backends and the audit log is inert twice over: for the terminal it is printed
//! on ([`inert::line`]), and for the chat it is pasted into its Markdown is escaped ([`md`],
//! [`code`]), so an alert titled `[docs](https://evil.example)` or `![](…)` shows as written
//! instead of becoming a disguised link or an image the chat client fetches.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};

use crate::inert;
use crate::journal::AuditEntry;
use crate::model::{Incident, IncidentStatus, Urgency};
use crate::slo::{STANDARD_WINDOWS, Severity, Window};
use crate::state::State;
use crate::ui::format;

/// The report for the shift from `since` to `now`, given the polled `state` and every
/// audit entry (older ones are skipped here).
pub fn render(
    state: &State,
    audit: &[AuditEntry],
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let hours = (now - since).num_minutes() as f64 / 60.0;
    let _ = writeln!(
        out,
        "# On-call handoff: {} → {} UTC ({hours:.0}h)\n",
        since.format("%Y-%m-%d %H:%M"),
        now.format("%Y-%m-%d %H:%M")
    );
    let shift: Vec<&AuditEntry> = audit
        .iter()
        .filter(|e| e.time >= since && e.time <= now)
        .collect();
    let received: Vec<&Incident> = state
        .all_incidents()
        .filter(|i| i.created_at >= since && i.created_at <= now)
        .collect();
    still_open(&mut out, state, now);
    pages(&mut out, &received);
    actions(&mut out, &shift, "Acknowledged, resolved and notes", |a| {
        !a.starts_with("step_")
    });
    actions(&mut out, &shift, "Runbook steps run", |a| {
        a.starts_with("step_")
    });
    burned(&mut out, state, now - since);
    out
}

fn still_open(out: &mut String, state: &State, now: DateTime<Utc>) {
    let open = state.open_incidents();
    let _ = writeln!(out, "## Still open ({})\n", open.len());
    if open.is_empty() {
        let _ = writeln!(out, "Nothing open.\n");
        return;
    }
    for i in open {
        let urgency = match i.urgency {
            Urgency::High => "high",
            Urgency::Low => "low",
        };
        let holder = match (i.status, i.acknowledged_by.as_deref(), i.assignee()) {
            (IncidentStatus::Acknowledged, Some(who), _) => format!("acked by {who}"),
            (_, _, Some(who)) => format!("unacked, with {who}"),
            _ => "unacked".to_string(),
        };
        let age = format::age_secs((now - i.created_at).num_seconds());
        let _ = writeln!(
            out,
            "- **{}** [{urgency}] {} {} — {}: open {age}, {} ({})",
            md(&i.service),
            md(&i.title),
            code(&i.id),
            i.status.as_str(),
            md(&holder),
            md(&i.source)
        );
    }
    out.push('\n');
}

fn pages(out: &mut String, received: &[&Incident]) {
    let acked: Vec<Duration> = received
        .iter()
        .filter_map(|i| i.acknowledged_at.map(|at| at - i.created_at))
        .collect();
    let resolved = received
        .iter()
        .filter(|i| i.status == IncidentStatus::Resolved)
        .count();
    let _ = writeln!(out, "## Pages received ({})\n", received.len());
    if received.is_empty() {
        let _ = writeln!(out, "None that the sources still list.\n");
        return;
    }
    let mean =
        (!acked.is_empty()).then(|| acked.iter().copied().sum::<Duration>() / acked.len() as i32);
    let _ = writeln!(
        out,
        "{} acknowledged (mean time to ack {}), {resolved} resolved.\n",
        acked.len(),
        format::duration(mean)
    );
    let _ = writeln!(
        out,
        "| opened (UTC) | incident | service | urgency | status | acked by | time to ack |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    let mut sorted = received.to_vec();
    sorted.sort_by_key(|i| i.created_at);
    for i in sorted {
        let tta = i.acknowledged_at.map(|at| at - i.created_at);
        let _ = writeln!(
            out,
            "| {} | {} {} ({}) | {} | {} | {} | {} | {} |",
            i.created_at.format("%H:%M"),
            md(&i.title),
            code(&i.id),
            md(&i.source),
            md(&i.service),
            i.urgency.as_str(),
            i.status.as_str(),
            md(i.acknowledged_by.as_deref().unwrap_or("—")),
            format::duration(tta)
        );
    }
    out.push('\n');
}

fn actions(out: &mut String, shift: &[&AuditEntry], heading: &str, keep: impl Fn(&str) -> bool) {
    let picked: Vec<&&AuditEntry> = shift.iter().filter(|e| keep(&e.action)).collect();
    let _ = writeln!(out, "## {heading} ({})\n", picked.len());
    if picked.is_empty() {
        let _ = writeln!(out, "None.\n");
        return;
    }
    for e in picked {
        let note = e
            .note
            .as_deref()
            .map(|n| format!(" — {}", md(n)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- {} {} {} {} on {}: {}{note}",
            e.time.format("%H:%M"),
            md(&e.user),
            code(&e.incident),
            md(&e.action),
            md(&e.source),
            md(&e.outcome)
        );
    }
    out.push('\n');
}

/// The shortest standard window that covers the shift, so its burn rate speaks for the shift.
fn shift_window(length: Duration) -> Window {
    let secs = length.num_seconds().max(0) as u64;
    STANDARD_WINDOWS
        .iter()
        .copied()
        .find(|w| w.as_secs() >= secs)
        .unwrap_or(STANDARD_WINDOWS[STANDARD_WINDOWS.len() - 1])
}

fn burned(out: &mut String, state: &State, length: Duration) {
    let window = shift_window(length);
    let mut rows: Vec<(String, f64, Option<f64>, Option<String>)> = state
        .slos
        .iter()
        .filter_map(|row| {
            let burn = row.report.burn_rates.get(&window).copied().flatten()?;
            let firing = row.report.worst_firing().map(|t| match t.spec.severity {
                Severity::Page => "page".to_string(),
                Severity::Ticket => "ticket".to_string(),
            });
            (burn > 1.0 || firing.is_some()).then(|| {
                (
                    row.report.spec.id.clone(),
                    burn,
                    row.report.budget_remaining,
                    firing,
                )
            })
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let _ = writeln!(
        out,
        "## SLOs that burned budget ({window} burn rate above 1×)\n"
    );
    if rows.is_empty() {
        let _ = writeln!(out, "None: every SLO stayed within its sustainable burn.\n");
        return;
    }
    let _ = writeln!(out, "| SLO | {window} burn | budget left | firing |");
    let _ = writeln!(out, "|---|---|---|---|");
    for (id, burn, budget, firing) in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            md(&id),
            format::burn_rate(Some(burn)),
            format::percent(budget, 0),
            firing.unwrap_or_else(|| "—".into())
        );
    }
    out.push('\n');
}

/// Outside text as literal Markdown on one line, safe in a table cell: inert, and every
/// character Markdown would read as markup backslash-escaped — links and images (`[`, `]`,
/// `<`, `>`), emphasis, code, cell borders, and `&`, which would otherwise let a character
/// reference (`&#x202e;`) bring back in the chat what the terminal escape took out.
fn md(text: &str) -> String {
    let text = inert::line(text);
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An id as a Markdown code span: fenced with one backtick more than the longest run inside
/// it (CommonMark's rule), so a backtick in the id cannot end the span early.
fn code(text: &str) -> String {
    let text = inert::line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    // A `|` would still end a table cell inside a code span (GFM splits cells first).
    let text = text.replace('|', "\\|");
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_markdown_is_literal_text() {
        assert_eq!(
            md("see [docs](https://evil.example) ![x](http://t/p.png) *now*"),
            "see \\[docs\\](https://evil.example) !\\[x\\](http://t/p.png) \\*now\\*"
        );
        assert_eq!(md("a|b\nc &#x202e;"), "a\\|b c \\&#x202e;");
        assert_eq!(md("\u{1b}]52;c;eA==\u{7}"), "\\\\e\\]52;c;eA==\\\\a");
    }

    #[test]
    fn ids_stay_one_code_span_whatever_they_hold() {
        assert_eq!(code("DEMO-1042"), "`DEMO-1042`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x``"), "``` `x`` ```");
        assert_eq!(code("a|b"), "`a\\|b`");
    }
}
