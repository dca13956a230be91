//! A hand-made, deterministic cockpit state for screen snapshots: a fixed clock, SLOs in every
//! condition (paging, ticket, exhausted, healthy, never exhausting, no data), open incidents
//! with pending writes, a failed source, and a ten-span trace with a failing span.

use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, TimeZone, Utc};

use ondeck::model::IncidentStatus::{Acknowledged, Resolved, Triggered};
use ondeck::model::Urgency::{High, Low};
use ondeck::model::{
    HistoryReport, Incident, IncidentAction, IncidentHistory, IncidentStatus, Link, PastIncident,
    ServiceMetrics, Span, Trace, TraceSummary, Urgency,
};
use ondeck::slo::{Counts, SliKind, SloSpec, Window, default_tiers, evaluate};
use ondeck::sources::Feed;
use ondeck::state::slos::risk_order;
use ondeck::state::sources::Failure;
use ondeck::state::{
    DebugFocus, DebugState, Flash, FlashKind, IncidentKey, Load, PendingAction, PendingState,
    ServiceTrends, SloRow, SourceHistory, SourceStatus, State,
};

/// The fixture's clock: 03:12:45 UTC, the hour pages arrive.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 45).unwrap()
}

fn ago(minutes: i64) -> DateTime<Utc> {
    now() - Duration::minutes(minutes)
}

/// Counts giving `burn`× the sustainable error rate of `objective` over 1,000,000 events.
fn burning(burn: f64, objective: f64) -> Counts {
    let total = 1_000_000.0;
    Counts {
        bad: burn * (1.0 - objective) * total,
        total,
    }
}

/// An SLO row from burn rates written as `window=burn` pairs, e.g. `"1h=20.1 30d=0.58"`.
fn slo(
    service: &str,
    name: &str,
    objective: f64,
    sli: SliKind,
    burns: &str,
    trend: &[f64],
) -> SloRow {
    let spec = SloSpec::new(service, name, objective, Window::days(30), sli);
    let counts: BTreeMap<Window, Counts> = burns
        .split_whitespace()
        .map(|pair| {
            let (window, burn) = pair.split_once('=').unwrap();
            let burn: f64 = burn.parse().unwrap();
            (window.parse().unwrap(), burning(burn, objective))
        })
        .collect();
    SloRow {
        source: "demo".to_string(),
        report: evaluate(&spec, &counts, &default_tiers()),
        trend: trend.to_vec(),
        issues: Vec::new(),
    }
}

fn slos() -> Vec<SloRow> {
    let avail = || SliKind::Availability;
    let latency = SliKind::Latency {
        threshold_seconds: 0.5,
    };
    let rising: Vec<f64> = (0..40).map(|i| 0.5 + f64::from(i * i) / 80.0).collect();
    let wavy: Vec<f64> = (0..40).map(|i| 4.0 + f64::from(i % 7)).collect();
    let calm: Vec<f64> = (0..40).map(|i| 0.2 + f64::from(i % 3) / 10.0).collect();
    let page = "5m=31 30m=22 1h=20.1 2h=12 6h=5 1d=2 3d=1.1 30d=0.58";
    let ticket = "5m=3 30m=4 1h=4.2 2h=5 6h=4.5 1d=4 3d=2 30d=0.85";
    let mut rows = vec![
        slo("checkout", "availability", 0.999, avail(), page, &rising),
        slo("payments", "latency", 0.99, latency, ticket, &wavy),
        slo(
            "search",
            "availability",
            0.9995,
            avail(),
            "5m=0.5 1h=0.8 30d=2.2",
            &calm,
        ),
        slo(
            "inventory",
            "availability",
            0.999,
            avail(),
            "5m=0.2 1h=0.3 30d=0.09",
            &calm,
        ),
        slo(
            "ledger",
            "availability",
            0.9999,
            avail(),
            "1h=0 30d=0",
            &[0.0; 40],
        ),
        slo("recommendations", "availability", 0.995, avail(), "", &[]),
    ];
    rows.sort_by(risk_order);
    rows
}

fn sources() -> Vec<SourceStatus> {
    let fresh = |name: &str, kind: &str, feed, secs: i64| {
        let mut s = SourceStatus::new(name, kind, feed, StdDuration::from_secs(15));
        s.last_ok = Some(now() - Duration::seconds(secs));
        s
    };
    let mut prom = fresh("prom", "prometheus", Feed::Metrics, 240);
    prom.failure = Some(Failure {
        error: "connection refused".to_string(),
        since: ago(3),
        retry_at: Some(now() + Duration::seconds(20)),
    });
    let mut pd = fresh("pd", "pagerduty", Feed::Incidents, 12);
    pd.warnings = vec![
        "incomplete: 1000 open incidents shown, the server has more (ondeck reads at most 1000 per refresh; 10 requests made)".to_string(),
    ];
    vec![
        fresh("demo", "demo", Feed::Metrics, 3),
        fresh("demo", "demo", Feed::Incidents, 5),
        prom,
        pd,
    ]
}

/// Incident history as (id, minutes since opened, minutes to acknowledge, minutes to resolve).
type Past = (&'static str, i64, Option<i64>, Option<i64>);

fn recorded(past: &[Past], read_minutes_ago: i64) -> SourceHistory {
    let mut history = IncidentHistory::new(now() - Duration::days(30), ago(read_minutes_ago));
    history.incidents = past
        .iter()
        .map(|&(id, opened, ack, resolve)| PastIncident {
            id: id.to_string(),
            created_at: ago(opened),
            acknowledged_at: ack.map(|m| ago(opened - m)),
            resolved_at: resolve.map(|m| ago(opened - m)),
        })
        .collect();
    SourceHistory {
        latest: Some((ago(read_minutes_ago), HistoryReport::Recorded(history))),
        error: None,
    }
}

/// Thirty days of history: the demo read 2 minutes ago, PagerDuty 3 minutes ago; MTTA is
/// (4 + 6 + 2 + 8) / 4 = 5m, MTTR (65 + 180 + 95) / 3 = 1h53m20s.
fn history() -> BTreeMap<String, SourceHistory> {
    BTreeMap::from([
        (
            "demo".to_string(),
            recorded(
                &[
                    ("DEMO-1042", 12, None, None),
                    ("DEMO-1043", 47, Some(4), None),
                    ("DEMO-1001", 2 * 1440, Some(6), Some(65)),
                    ("DEMO-990", 9 * 1440, Some(2), Some(180)),
                ],
                2,
            ),
        ),
        (
            "pd".to_string(),
            recorded(
                &[
                    ("PD-Q2Y9", 25, None, None),
                    ("PD-P7", 20 * 1440, Some(8), Some(95)),
                ],
                3,
            ),
        ),
    ])
}

type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    IncidentStatus,
    Urgency,
    i64,
);

/// Incidents as (id, source, service, title, status, urgency, minutes since opened).
#[rustfmt::skip]
const INCIDENTS: [Row; 5] = [
    ("DEMO-1042", "demo", "checkout", "Checkout error rate burning 20x budget", Triggered, High, 12),
    ("DEMO-1043", "demo", "payments", "Payments p99 latency above 500ms", Acknowledged, High, 47),
    ("DEMO-1001", "demo", "search", "Search 5xx", Resolved, High, 2 * 1440),
    ("PD-Q1X7", "pd", "search", "Search index lag over 10 minutes", Acknowledged, Low, 190),
    ("PD-Q2Y9", "pd", "inventory", "Inventory sync job failed", Triggered, Low, 25),
];

fn incident(&(id, source, service, title, status, urgency, minutes): &Row) -> Incident {
    Incident {
        status,
        urgency,
        ..Incident::new(source, id, title, service, ago(minutes))
    }
}

fn incidents() -> BTreeMap<String, Vec<Incident>> {
    let mut all: Vec<Incident> = INCIDENTS.iter().map(incident).collect();
    let assign = |i: &mut Incident, who: &str| i.assignees = vec![who.to_string()];
    let [page, held, past, _, denied] = &mut all[..] else {
        unreachable!()
    };
    assign(page, "alice");
    page.escalation_level = Some(2);
    page.labels = [
        ("env", "prod"),
        ("region", "eu-west-1"),
        ("slo", "checkout/availability"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    page.links = vec![Link {
        label: "dashboard".to_string(),
        url: "https://grafana.example.com/d/checkout".to_string(),
    }];
    page.runbook = Some("runbooks/checkout-errors.md".to_string());
    assign(held, "bob");
    held.escalation_level = Some(1);
    held.acknowledged_at = Some(ago(43));
    held.acknowledged_by = Some("bob".to_string());
    assign(past, "alice");
    past.acknowledged_at = Some(ago(2 * 1440 - 4));
    past.resolved_at = Some(ago(2 * 1440 - 65));
    assign(denied, "carol");
    let mut by_source: BTreeMap<String, Vec<Incident>> = BTreeMap::new();
    for incident in all {
        by_source
            .entry(incident.source.clone())
            .or_default()
            .push(incident);
    }
    by_source
}

fn pending() -> BTreeMap<IncidentKey, PendingAction> {
    let key = |source: &str, id: &str| IncidentKey {
        source: source.to_string(),
        id: id.to_string(),
    };
    BTreeMap::from([
        (
            key("demo", "DEMO-1043"),
            PendingAction {
                action: IncidentAction::Resolve,
                state: PendingState::Sending,
            },
        ),
        (
            key("pd", "PD-Q2Y9"),
            PendingAction {
                action: IncidentAction::Acknowledge,
                state: PendingState::Failed("403 token is read-only".to_string()),
            },
        ),
    ])
}

fn services() -> BTreeMap<String, ServiceTrends> {
    let series = |base: f64, swing: f64| -> Vec<f64> {
        (0..60)
            .map(|i| base + swing * f64::from((i * 7) % 11) / 10.0 + f64::from(i) * swing / 30.0)
            .collect()
    };
    let checkout = ServiceMetrics {
        service: "checkout".to_string(),
        step_seconds: 60,
        p50: series(0.080, 0.02),
        p95: series(0.450, 0.2),
        p99: series(1.2, 0.31),
        error_rate: series(0.002, 0.01),
    };
    let trends = ServiceTrends {
        source: "demo".to_string(),
        metrics: checkout,
        at: now(),
    };
    BTreeMap::from([("checkout".to_string(), trends)])
}

fn summary(
    id: &str,
    operation: &str,
    minutes_ago: i64,
    duration_us: u64,
    spans: usize,
    error: bool,
) -> TraceSummary {
    TraceSummary {
        trace_id: id.to_string(),
        root_service: "checkout".to_string(),
        root_operation: operation.to_string(),
        start: ago(minutes_ago),
        duration_us,
        span_count: spans,
        error,
    }
}

/// Spans as (id, parent, service, operation, start µs, duration µs, error); parent "" is none.
const SPANS: [(&str, &str, &str, &str, u64, u64, bool); 10] = [
    ("s1", "", "gateway", "POST /checkout", 0, 1_820_000, true),
    (
        "s2",
        "s1",
        "checkout",
        "PlaceOrder",
        12_000,
        1_790_000,
        true,
    ),
    ("s4", "s2", "inventory", "Reserve", 40_000, 210_000, false),
    ("s3", "s2", "cart", "GetCart", 15_000, 22_000, false),
    (
        "s5",
        "s4",
        "postgres",
        "SELECT stock",
        45_000,
        180_000,
        false,
    ),
    ("s6", "s2", "payments", "Charge", 260_000, 1_500_000, true),
    (
        "s7",
        "s6",
        "payments",
        "fraud.Score",
        270_000,
        95_000,
        false,
    ),
    (
        "s8",
        "s6",
        "bank-gw",
        "POST /authorize",
        370_000,
        1_380_000,
        true,
    ),
    (
        "s9",
        "s2",
        "kafka",
        "publish order.failed",
        1_765_000,
        3_000,
        false,
    ),
    // Its parent was never reported: the waterfall shows it as a root.
    (
        "s10",
        "gone",
        "email",
        "SendReceipt",
        1_770_000,
        40_000,
        false,
    ),
];

/// A ten-span checkout trace whose payment call failed.
pub fn trace() -> Trace {
    let spans: Vec<Span> = SPANS
        .iter()
        .map(
            |&(id, parent, service, operation, start, duration, error)| Span {
                span_id: id.to_string(),
                parent_id: (!parent.is_empty()).then(|| parent.to_string()),
                service: service.to_string(),
                operation: operation.to_string(),
                start_offset_us: start,
                duration_us: duration,
                error,
                attributes: vec![
                    ("http.method".to_string(), "POST".to_string()),
                    ("peer.service".to_string(), service.to_string()),
                ],
                events: vec![],
            },
        )
        .collect();
    let id = "4bf92f3577b34da6a3ce929d0e0e4736";
    Trace {
        summary: summary(id, "POST /checkout", 6, 1_820_000, spans.len(), true),
        spans,
    }
}

fn debug() -> DebugState {
    let t = trace();
    DebugState {
        service: Some("checkout".to_string()),
        slow: Load::Ready(vec![
            t.summary.clone(),
            summary("a1c3", "POST /checkout", 9, 1_410_000, 14, false),
            summary("77e0", "GET /cart", 15, 920_000, 6, false),
        ]),
        errors: Load::Ready(vec![
            summary("9d2f", "POST /checkout", 2, 310_000, 8, true),
            summary("0b11", "POST /checkout/confirm", 11, 140_000, 5, true),
        ]),
        selected_trace: 0,
        trace_id: Some(t.summary.trace_id.clone()),
        trace: Load::Ready(t),
        selected_span: 5,
        focus: DebugFocus::Waterfall,
        ..DebugState::default()
    }
}

/// The whole cockpit at [`now`].
pub fn state() -> State {
    let mut state = State::new(now(), default_tiers());
    state.sources = sources();
    state.slos = slos();
    state.selected_slo = state.slos.get(1).map(|r| r.key());
    state.services = services();
    state.incidents = incidents();
    state.history = history();
    state.selected_incident = Some(IncidentKey {
        source: "demo".to_string(),
        id: "DEMO-1042".to_string(),
    });
    state.pending = pending();
    state.debug = debug();
    state.flash = Some(Flash {
        text: "acknowledge PD-Q2Y9 failed: 403".to_string(),
        kind: FlashKind::Error,
        at: now(),
    });
    state
}
