//! Criterion benchmark of one Prometheus refresh cycle without the network: planning 1,000
//! SLOs across 50 services, parsing a recorded Prometheus answer (50 samples, from
//! scripts/record-prometheus-fixture), and turning every answer of a cycle into SLO reports.
//!
//! Each service has 10 routes with an availability and a latency SLO each: 40 shapes, so a
//! cycle is 40 × 8 windows = 320 requests however many services share them.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use ondeck::config::{SloConfig, SloSliConfig};
use ondeck::slo::{Window, default_tiers, evaluate};
use ondeck::sources::prometheus::QueryPlan;
use ondeck::sources::prometheus::api::parse_response;
use ondeck::sources::prometheus::assemble::{Answers, Values, assemble};

const RECORDED: &[u8] = include_bytes!("../tests/fixtures/prometheus/sum_by_service_50.json");

fn slos() -> Vec<SloConfig> {
    let mut out = Vec::with_capacity(1000);
    for s in 1..=50 {
        let service = format!("svc-{s:02}");
        for r in 0..10 {
            let route = format!(r#"service="{service}",route="r{r}""#);
            let base = SloConfig {
                name: format!("r{r}-availability"),
                service: service.clone(),
                objective: 0.999,
                window: Window::days(30),
                period: None,
                source: None,
                sli: SloSliConfig::BadRatio {
                    bad: format!(r#"http_requests_total{{{route},code=~"5.."}}"#),
                    total: format!("http_requests_total{{{route}}}"),
                },
            };
            let latency = SloConfig {
                name: format!("r{r}-latency"),
                sli: SloSliConfig::Latency {
                    metric: format!("http_request_duration_seconds{{{route}}}"),
                    threshold: 0.25,
                },
                ..base.clone()
            };
            out.extend([base, latency]);
        }
    }
    out
}

/// Every answer of one cycle, each parsed from the recorded body as if it had just arrived.
fn answers(plan: &QueryPlan) -> Answers {
    plan.queries()
        .iter()
        .map(|q| {
            let values = parse_response(200, RECORDED)
                .map(|answer| Values::from_answer(&plan.shapes[q.shape].kind, &answer));
            ((q.shape, q.window), values)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let slos = slos();
    let tiers = default_tiers();
    let plan = QueryPlan::build(&slos, &[]);
    println!(
        "1,000 SLOs across 50 services: {} shapes, {} requests per cycle",
        plan.shapes.len(),
        plan.request_count()
    );
    c.bench_function("plan 1000 SLOs", |b| {
        b.iter(|| {
            let plan = QueryPlan::build(black_box(&slos), &[]);
            black_box(plan.queries())
        });
    });
    c.bench_function("parse one recorded answer (50 samples)", |b| {
        b.iter(|| parse_response(200, black_box(RECORDED)));
    });
    c.bench_function(
        "cycle: parse 320 answers, assemble and evaluate 1000 SLOs",
        |b| {
            b.iter(|| {
                let answers = answers(black_box(&plan));
                let (observations, _) = assemble(&plan, &answers);
                observations
                    .iter()
                    .map(|o| evaluate(&o.spec, &o.counts, &tiers))
                    .filter(|r| r.worst_firing().is_some())
                    .count()
            });
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
