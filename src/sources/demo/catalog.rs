//! What the demo's incidents say: alert templates per runbook, the pages already open when the
//! demo starts, and the checkout page its burn opens.
//!
//! Runbook ids match the runbooks ondeck ships: `high-error-rate`, `latency-burn`,
//! `disk-full`, `cert-expiry` and `dependency-outage`.

use chrono::TimeDelta;

use super::rng::Rng;
use super::roster::SERVICES;
use crate::model::Urgency;

/// The text and routing of one incident, before any timing.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Draft {
    /// Index into the fleet's services.
    pub service: usize,
    /// One-line summary.
    pub title: String,
    /// High pages escalate; low ones wait.
    pub urgency: Urgency,
    /// Runbook id.
    pub runbook: &'static str,
    /// The alert rule that fired.
    pub alertname: &'static str,
    /// The SLO the alert is about, if any.
    pub slo: Option<String>,
}

/// A draft with its schedule relative to the demo's start: when it opened, and how long after
/// opening a teammate acknowledges and it resolves (if they do).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Timed {
    /// What it says.
    pub draft: Draft,
    /// When it opens, relative to the start.
    pub created: TimeDelta,
    /// How long after opening a teammate acknowledges it.
    pub ack_after: Option<TimeDelta>,
    /// How long after opening it resolves.
    pub resolve_after: Option<TimeDelta>,
}

/// Per service: a hot route, a host prefix, a disk mount and an upstream dependency.
#[rustfmt::skip]
const DETAILS: [(&str, &str, &str, &str); 7] = [
    ("POST /api/checkout", "gw", "/var/log", "cdn-edge"),
    ("POST /checkout", "checkout", "/", "checkout-redis"),
    ("POST /charge", "payments", "/var/lib/postgresql", "card-network"),
    ("GET /search", "search-idx", "/var/lib/elasticsearch", "elasticsearch"),
    ("POST /reserve", "inventory", "/var/lib/postgresql", "inventory-db"),
    ("POST /login", "auth", "/", "auth-db"),
    ("POST /notify", "notify-worker", "/var/spool", "sms-provider"),
];

fn details(service: usize) -> (&'static str, &'static str, &'static str, &'static str) {
    DETAILS.get(service).copied().unwrap_or(DETAILS[0])
}

fn name(service: usize) -> &'static str {
    SERVICES.get(service).map_or("gateway", |s| s.name)
}

fn minutes(m: i64) -> TimeDelta {
    TimeDelta::seconds(m * 60)
}

/// A random alert for `service`, as the schedule opens them. They concern one host or one
/// dependency, never a whole SLO, so they cannot contradict the burn rates on screen.
pub(super) fn random_draft(rng: &mut Rng, service: usize) -> Draft {
    let svc = name(service);
    let (route, host, mount, dependency) = details(service);
    let pod = rng.int(1, 6);
    let urgent = |rng: &mut Rng, p: f64| {
        if rng.chance(p) {
            Urgency::High
        } else {
            Urgency::Low
        }
    };
    let (title, urgency, runbook, alertname) = match rng.int(0, 9) {
        0..=2 => (
            format!(
                "{host}-{pod}: 5xx ratio {:.1}% on {route}",
                rng.range(2.0, 9.0)
            ),
            urgent(rng, 0.6),
            "high-error-rate",
            "HighErrorRate",
        ),
        3..=4 => (
            format!(
                "{host}-{pod}: p99 latency {} ms on {route}",
                rng.int(400, 2500)
            ),
            urgent(rng, 0.4),
            "latency-burn",
            "HighLatency",
        ),
        5..=6 => (
            format!("Disk {}% full on {host}-{pod} ({mount})", rng.int(88, 97)),
            urgent(rng, 0.3),
            "disk-full",
            "NodeDiskFull",
        ),
        7 => (
            format!(
                "TLS certificate for {svc}.internal.example.com expires in {} days",
                rng.int(2, 13)
            ),
            Urgency::Low,
            "cert-expiry",
            "CertExpiringSoon",
        ),
        _ => (
            format!("{dependency} degraded: {svc} retrying calls"),
            Urgency::High,
            "dependency-outage",
            "UpstreamDependencyDown",
        ),
    };
    Draft {
        service,
        title,
        urgency,
        runbook,
        alertname,
        slo: None,
    }
}

/// Incidents scripted around the start, in minutes relative to it: two unacknowledged
/// high-urgency pages that escalate, two tickets teammates hold (the inventory slow burn and
/// search's spent latency budget), a certificate warning nobody has taken, and the payments
/// latency spike twelve minutes in.
pub(super) fn scripted() -> Vec<Timed> {
    let draft =
        |service: usize, title: &str, urgency, runbook, alertname, slo: Option<&str>| Draft {
            service,
            title: title.to_string(),
            urgency,
            runbook,
            alertname,
            slo: slo.map(str::to_string),
        };
    let timed = |draft, created: i64, ack: Option<i64>, resolve: Option<i64>| Timed {
        draft,
        created: minutes(created),
        ack_after: ack.map(minutes),
        resolve_after: resolve.map(minutes),
    };
    vec![
        timed(
            draft(
                4,
                "inventory availability burning budget at 4x (ticket)",
                Urgency::Low,
                "high-error-rate",
                "ErrorBudgetBurn",
                Some("inventory/availability"),
            ),
            -300,
            Some(9),
            Some(20 * 60),
        ),
        timed(
            draft(
                3,
                "search latency budget exhausted: p99 near 200 ms",
                Urgency::Low,
                "latency-burn",
                "ErrorBudgetExhausted",
                Some("search/latency"),
            ),
            -130,
            Some(12),
            Some(9 * 60),
        ),
        timed(
            draft(
                5,
                "TLS certificate for auth.internal.example.com expires in 6 days",
                Urgency::Low,
                "cert-expiry",
                "CertExpiringSoon",
                None,
            ),
            -40,
            Some(65),
            Some(48 * 60),
        ),
        timed(
            draft(
                6,
                "sms-provider degraded: notifications sends failing",
                Urgency::High,
                "dependency-outage",
                "UpstreamDependencyDown",
                None,
            ),
            -11,
            Some(13),
            Some(81),
        ),
        timed(
            draft(
                2,
                "Disk 93% full on payments-db-1 (/var/lib/postgresql)",
                Urgency::High,
                "disk-full",
                "NodeDiskFull",
                None,
            ),
            -4,
            Some(10),
            Some(46),
        ),
        timed(
            draft(
                2,
                "payments p99 above 1 s on POST /charge",
                Urgency::Low,
                "latency-burn",
                "HighLatency",
                Some("payments/latency"),
            ),
            13,
            Some(4),
            Some(11),
        ),
    ]
}

/// The page the checkout burn opens, `opens_after` the start.
pub(super) fn checkout_page(opens_after: TimeDelta) -> Timed {
    Timed {
        draft: Draft {
            service: 1,
            title: "checkout availability burning budget at 30x (page)".to_string(),
            urgency: Urgency::High,
            runbook: "high-error-rate",
            alertname: "ErrorBudgetBurn",
            slo: Some("checkout/availability".to_string()),
        },
        created: opens_after,
        // If the responder does nothing, whoever holds it after 17 minutes of escalation takes it.
        ack_after: Some(minutes(17)),
        // The burn stops 45 minutes in and the short window clears a few minutes later.
        resolve_after: Some(minutes(55) - opens_after),
    }
}

/// Incidents resolved over the past month (15 to 20), for MTTA and MTTR: acknowledged after
/// 1 to 15 minutes (a few auto-resolved first), resolved 10 minutes to 4 hours after opening.
pub(super) fn history(rng: &mut Rng) -> Vec<Timed> {
    let count = rng.int(15, 20);
    (0..count)
        .map(|_| {
            let service = rng.int(0, SERVICES.len() as u64 - 1) as usize;
            let draft = random_draft(rng, service);
            let created = -rng.range(6.0 * 3600.0, 29.5 * 86_400.0);
            let ack = rng.range(60.0, 900.0);
            let acked = rng.chance(0.9);
            let resolve = rng.range(600.0, 4.0 * 3600.0).max(ack + 300.0);
            Timed {
                draft,
                created: TimeDelta::seconds(created as i64),
                ack_after: acked.then(|| TimeDelta::seconds(ack as i64)),
                resolve_after: Some(TimeDelta::seconds(resolve as i64)),
            }
        })
        .collect()
}
