//! Metrics polls prepared as rows off the loop's task land exactly as snapshots do.

use super::*;
use crate::state::SloRows;
use crate::state::slos::risk_order;

fn rows_update(source: &str, rows: SloRows) -> Action {
    Action::Ingest(Box::new(SourceUpdate {
        source: source.into(),
        feed: Feed::Metrics,
        at: t0(),
        outcome: Ok(SourcePayload::SloRows(Box::new(rows))),
        retry_at: None,
    }))
}

fn snapshot(slos: Vec<SloObservation>) -> MetricsSnapshot {
    MetricsSnapshot {
        at: t0(),
        evaluated: BTreeMap::from([(Window::days(30), t0() - Duration::minutes(4))]),
        slos,
        services: vec![],
    }
}

#[test]
fn prepared_rows_replace_only_their_source_and_keep_the_risk_order() {
    let mut s = state();
    s.sources.push(SourceStatus::new(
        "prom",
        "prometheus",
        Feed::Metrics,
        std::time::Duration::from_secs(30),
    ));
    update(&mut s, Action::Ingest(Box::new(metrics_update(t0()))));
    let prom = |bad_hours: &[f64]| {
        let slos = bad_hours
            .iter()
            .enumerate()
            .map(|(i, &bad)| observation(&format!("svc{i}"), bad, bad * 2.0))
            .collect();
        SloRows::prepare("prom", snapshot(slos), &default_tiers(), &BTreeMap::new())
    };
    update(&mut s, rows_update("prom", prom(&[1.0, 400.0, 30.0])));
    let mut sorted = s.slos.clone();
    sorted.sort_by(risk_order);
    assert_eq!(s.slos, sorted, "one list in risk order across sources");
    assert_eq!(s.slos.len(), 5);
    assert_eq!(
        s.feed_status("prom", Feed::Metrics).unwrap().evaluated,
        snapshot(vec![]).evaluated,
        "the windows' own instants arrive with the rows"
    );

    // The next poll of prom replaces its rows and leaves demo's alone.
    update(&mut s, rows_update("prom", prom(&[2.0])));
    let sources: Vec<&str> = s.slos.iter().map(|r| r.source.as_str()).collect();
    assert_eq!(sources.iter().filter(|&&n| n == "prom").count(), 1);
    assert_eq!(sources.iter().filter(|&&n| n == "demo").count(), 2);

    // A snapshot and the same snapshot prepared as rows give the same state.
    let mut via_rows = state();
    let prepared = SloRows::prepare(
        "demo",
        match metrics_update(t0()).outcome {
            Ok(SourcePayload::Metrics(m)) => m,
            other => panic!("{other:?}"),
        },
        &default_tiers(),
        &BTreeMap::new(),
    );
    update(&mut via_rows, rows_update("demo", prepared));
    let mut via_snapshot = state();
    update(
        &mut via_snapshot,
        Action::Ingest(Box::new(metrics_update(t0()))),
    );
    assert_eq!(via_rows.slos, via_snapshot.slos);
    assert_eq!(via_rows.selected_slo, via_snapshot.selected_slo);
}
