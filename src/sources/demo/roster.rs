//! Who is in the demo fleet: seven services with their traffic, latency and on-call rotation,
//! and twelve SLOs with the history that shaped their budgets.
//!
//! Budgets at the start come out as: most SLOs healthy (50–90% left); inventory availability
//! in a slow burn that fires a ticket tier and notifications delivery after a bad week, both
//! in warning (10–30%); search latency overspent; checkout availability burning at 30x.

const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

/// One service of the fleet and what its latency looks like when healthy.
#[derive(Debug, Clone, Copy)]
pub(super) struct ServiceDef {
    /// Service name as it appears everywhere.
    pub name: &'static str,
    /// Mean requests per second at the daily average.
    pub rps: f64,
    /// Healthy median latency in seconds.
    pub p50: f64,
    /// Healthy 95th percentile latency in seconds.
    pub p95: f64,
    /// Healthy 99th percentile latency in seconds.
    pub p99: f64,
    /// Who gets paged, in escalation order.
    pub escalation: [&'static str; 3],
    /// Where it runs.
    pub region: &'static str,
}

/// The fleet, in the order the cockpit lists it.
#[rustfmt::skip]
pub(super) const SERVICES: [ServiceDef; 7] = [
    service("gateway", 1200.0, [0.035, 0.12, 0.21], ["Maya Chen", "Luis Ortega", "Priya Nair"]),
    service("checkout", 180.0, [0.09, 0.26, 0.42], ["Sam Okafor", "Jun Park", "Elena Rossi"]),
    service("payments", 120.0, [0.18, 0.45, 0.8], ["Elena Rossi", "Tomas Varga", "Aisha Bello"]),
    service("search", 600.0, [0.045, 0.12, 0.18], ["Jun Park", "Nora Lindqvist", "Dev Patel"]),
    service("inventory", 250.0, [0.02, 0.06, 0.11], ["Luis Ortega", "Aisha Bello", "Maya Chen"]),
    service("auth", 900.0, [0.008, 0.025, 0.05], ["Priya Nair", "Sam Okafor", "Tomas Varga"]),
    service("notifications", 80.0, [0.15, 0.6, 1.4], ["Nora Lindqvist", "Dev Patel", "Sam Okafor"]),
];

const fn service(
    name: &'static str,
    rps: f64,
    latency: [f64; 3],
    escalation: [&'static str; 3],
) -> ServiceDef {
    ServiceDef {
        name,
        rps,
        p50: latency[0],
        p95: latency[1],
        p99: latency[2],
        escalation,
        region: "eu-west-1",
    }
}

/// How an SLO is declared.
#[derive(Debug, Clone, Copy)]
pub(super) struct SloDef {
    /// Index into [`SERVICES`].
    pub service: usize,
    pub name: &'static str,
    pub objective: f64,
    /// `Some(seconds)` for a latency SLI, `None` for availability.
    pub latency_threshold: Option<f64>,
    /// Burn rate on an ordinary day.
    pub baseline: f64,
    /// Episodes of extra burn: (plateau start, plateau end, burn), in seconds relative to the
    /// demo's start.
    pub episodes: &'static [(f64, f64, f64)],
}

/// Index of checkout availability, the SLO that burns fast right after the start.
pub(super) const CHECKOUT_AVAILABILITY: usize = 2;
/// How long the checkout burn keeps going after the start, and how long it takes to fade.
pub(super) const BURN_END: f64 = 45.0 * MINUTE;
pub(super) const BURN_FADE: f64 = 8.0 * MINUTE;
/// Burn rate of the checkout burst on top of the baseline: about 3% errors on a 99.9% SLO.
pub(super) const BURN_RATE: f64 = 29.5;
/// Seconds after the start when checkout's 1h burn crosses the page threshold.
pub(super) const PAGE_CROSSING: f64 = 25.0;

/// Every SLO, in display order. Past episodes are what spent the budgets; the payments latency
/// spike twelve minutes in is a short blip the 5m window sees and the page tier ignores.
#[rustfmt::skip]
pub(super) const SLOS: [SloDef; 12] = [
    slo(0, "availability", 0.9999, None, 0.3, &[(-9.0 * DAY, -9.0 * DAY + 2.0 * HOUR, 10.0)]),
    slo(0, "latency", 0.999, Some(0.3), 0.2, &[(-4.0 * DAY, -4.0 * DAY + 3.0 * HOUR, 5.0)]),
    slo(1, "availability", 0.999, None, 0.25, &[(-6.0 * DAY, -6.0 * DAY + 4.0 * HOUR, 25.0)]),
    slo(1, "latency", 0.995, Some(0.5), 0.35, &[(-28.0 * MINUTE, BURN_END, 3.0)]),
    slo(2, "availability", 0.9995, None, 0.15, &[(-20.0 * DAY, -20.0 * DAY + HOUR, 40.0)]),
    slo(2, "latency", 0.99, Some(1.0), 0.4, &[
        (-13.0 * DAY, -13.0 * DAY + 6.0 * HOUR, 8.0),
        (12.0 * MINUTE, 20.0 * MINUTE, 20.0),
    ]),
    slo(3, "availability", 0.999, None, 0.2, &[(-2.0 * DAY, -2.0 * DAY + 3.0 * HOUR, 12.0)]),
    slo(3, "latency", 0.99, Some(0.2), 0.5, &[(-12.0 * DAY, -12.0 * DAY + 40.0 * HOUR, 10.0)]),
    slo(4, "availability", 0.9995, None, 0.3, &[
        (-15.0 * DAY, -15.0 * DAY + 8.0 * HOUR, 30.0),
        (-26.0 * HOUR, 12.0 * HOUR, 4.2),
    ]),
    slo(5, "availability", 0.9999, None, 0.2, &[(-25.0 * DAY, -25.0 * DAY + 0.5 * HOUR, 100.0)]),
    slo(5, "latency", 0.999, Some(0.1), 0.1, &[]),
    slo(6, "delivery", 0.995, None, 0.6, &[(-8.0 * DAY, -8.0 * DAY + 12.0 * HOUR, 12.0)]),
];

const fn slo(
    service: usize,
    name: &'static str,
    objective: f64,
    latency_threshold: Option<f64>,
    baseline: f64,
    episodes: &'static [(f64, f64, f64)],
) -> SloDef {
    SloDef {
        service,
        name,
        objective,
        latency_threshold,
        baseline,
        episodes,
    }
}
