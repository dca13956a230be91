//! What a new user of the demo relies on, checked through the source traits: a varied fleet,
//! the checkout page firing right after the start (`metrics`), incidents that evolve and
//! responder actions that stick (`incidents`), and traces that hold together (`traces`).

mod incidents;
mod metrics;
mod traces;

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::{DemoSource, lock};
use crate::model::{Incident, IncidentAction, MetricsSnapshot};
use crate::slo::{SloReport, default_tiers, evaluate};
use crate::sources::{Clock, MetricsSource, SourceError};

const SEED: u64 = 7;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 3, 12, 0)
        .single()
        .unwrap_or_default()
}

fn demo(seed: u64) -> DemoSource {
    DemoSource::new("demo", seed, Clock::Fixed(start()))
}

fn secs(s: i64) -> DateTime<Utc> {
    start() + TimeDelta::seconds(s)
}

async fn metrics(source: &DemoSource, at: DateTime<Utc>) -> MetricsSnapshot {
    source.fetch_metrics(at).await.unwrap()
}

fn reports(snapshot: &MetricsSnapshot) -> HashMap<String, SloReport> {
    snapshot
        .slos
        .iter()
        .map(|o| {
            (
                o.spec.id.clone(),
                evaluate(&o.spec, &o.counts, &default_tiers()),
            )
        })
        .collect()
}

fn page_fast_firing(snapshot: &MetricsSnapshot, id: &str) -> bool {
    reports(snapshot)[id].alerts[0].firing
}

/// The incident list as the demo shows it at `now` (the clock is fixed, so go underneath it).
fn incidents_at(source: &DemoSource, now: DateTime<Utc>) -> Vec<Incident> {
    lock(&source.inner.book).list(now)
}

fn apply_at(
    source: &DemoSource,
    id: &str,
    action: IncidentAction,
    now: DateTime<Utc>,
) -> Result<(), SourceError> {
    lock(&source.inner.book).apply(id, action, now)
}
