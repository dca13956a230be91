//! Headless debug-pane flows: real key presses through the live keymap, `update`, and the
//! same `perform` the cockpit uses — against the built-in demo two minutes after it started
//! (checkout is burning), against a real Prometheus for `:promql`, and against a stubbed
//! Prometheus for exemplars.

#[path = "support/prometheus.rs"]
#[allow(dead_code)]
mod prometheus;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use ondeck::action::Action;
use ondeck::app::{action_for_key, perform};
use ondeck::command::Command;
use ondeck::config::{Config, Keymap, SloConfig, SloSliConfig, Theme};
use ondeck::model::{QueryAnswer, TraceSummary};
use ondeck::slo::Window;
use ondeck::sources::demo::DemoSource;
use ondeck::sources::prometheus::PrometheusSource;
use ondeck::sources::{Backends, Clock, IncidentBackend, MetricsBackend, SourceMeta, TraceBackend};
use ondeck::state::{DebugFocus, Load, OncallFocus, Overlay, Pane, State, TrendRange};
use ondeck::ui::{UiContext, render};
use ondeck::update::update;

struct Harness {
    state: State,
    keymap: Keymap,
    backends: Backends,
    clock: Clock,
    /// Texts put on the clipboard, in order.
    copied: Vec<String>,
}

fn meta(name: &str, kind: &str) -> SourceMeta {
    SourceMeta {
        url: None,
        name: name.into(),
        kind: kind.into(),
        refresh: Duration::from_secs(5),
        timeout: Duration::from_secs(10),
    }
}

impl Harness {
    /// The demo fleet two minutes after it started: the checkout page is firing.
    async fn demo() -> Self {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, 0).unwrap();
        let clock = Clock::Fixed(start + chrono::Duration::minutes(2));
        let demo = DemoSource::with_start("demo", 42, start, clock);
        let backends = Backends {
            metrics: vec![(meta("demo", "demo"), MetricsBackend::Demo(demo.clone()))],
            incidents: vec![(meta("demo", "demo"), IncidentBackend::Demo(demo.clone()))],
            traces: vec![(meta("demo", "demo"), TraceBackend::Demo(demo))],
            ..Backends::default()
        };
        let mut harness = Self::with(backends, clock);
        for source_update in ondeck::headless::poll_once(&harness.backends, clock).await {
            update(&mut harness.state, Action::Ingest(Box::new(source_update)));
        }
        harness
    }

    fn with(backends: Backends, clock: Clock) -> Self {
        let state = ondeck::setup::initial_state(&Config::demo(), &backends, clock, false);
        Self {
            state,
            keymap: Keymap::defaults(),
            backends,
            clock,
            copied: Vec::new(),
        }
    }

    /// Presses a key and runs every command it causes to completion, as the app loop would.
    async fn press(&mut self, code: KeyCode) {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        let Some(action) = action_for_key(&self.state, &self.keymap, &key) else {
            return;
        };
        let mut queue = update(&mut self.state, action);
        while let Some(command) = queue.pop() {
            if let Command::Copy { text } = &command {
                self.copied.push(text.clone());
            }
            if let Some(result) = perform(&self.backends, self.clock, command).await {
                queue.extend(update(&mut self.state, Action::Completed(Box::new(result))));
            }
        }
    }

    async fn type_line(&mut self, text: &str) {
        self.press(KeyCode::Char(':')).await;
        for c in text.chars() {
            self.press(KeyCode::Char(c)).await;
        }
        self.press(KeyCode::Enter).await;
    }

    fn screen(&self, width: u16, height: u16) -> String {
        let theme = Theme::dark();
        let ctx = UiContext {
            theme: &theme,
            keymap: &self.keymap,
        };
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| render(f, &self.state, &ctx)).unwrap();
        terminal.backend().to_string()
    }
}

#[tokio::test]
async fn burning_slo_t_slowest_trace_waterfall_and_span_detail() {
    let mut h = Harness::demo().await;
    assert_eq!(h.state.pane, Pane::Executive);
    // Walk down to the first burning SLO, as a responder would.
    let burning = h
        .state
        .slos
        .iter()
        .position(|r| r.report.worst_firing().is_some())
        .expect("checkout burns two minutes in");
    for _ in 0..burning {
        h.press(KeyCode::Char('j')).await;
    }
    let row = h.state.selected_slo_row().unwrap().clone();

    h.press(KeyCode::Char('t')).await;
    let debug = &h.state.debug;
    assert_eq!(h.state.pane, Pane::Debug);
    assert_eq!(
        debug.service.as_deref(),
        Some(row.report.spec.service.as_str())
    );
    let investigation = debug.investigation.as_ref().expect("t says why");
    assert_eq!(investigation.label, format!("SLO {}", row.report.spec.id));
    let slow: &Vec<TraceSummary> = debug.slow.ready().expect("slow traces searched");
    assert!(!slow.is_empty());
    assert!(debug.errors.ready().is_some_and(|e| !e.is_empty()));
    assert!(
        slow.windows(2)
            .all(|w| w[0].duration_us >= w[1].duration_us)
    );
    let trace = debug.trace.ready().expect("the slowest trace is shown");
    assert_eq!(trace.summary.trace_id, slow[0].trace_id);
    assert!(debug.exemplars.ready().is_some_and(|e| !e.is_empty()));
    let graph = debug.dependencies.ready().expect("service graph");
    assert!(graph.iter().any(|e| e.child == row.report.spec.service));

    // Into the waterfall, down a span, and open its attributes.
    h.press(KeyCode::Char('l')).await;
    assert_eq!(h.state.debug.focus, DebugFocus::Waterfall);
    h.press(KeyCode::Char('j')).await;
    let (_, span) = h.state.debug.selected_row().unwrap();
    let span_id = span.span_id.clone();
    h.press(KeyCode::Enter).await;
    assert_eq!(h.state.overlay, Some(Overlay::Detail));
    let screen = h.screen(80, 24);
    assert!(screen.contains(&format!("Span {span_id}")), "{screen}");
    assert!(screen.contains("critical"), "{screen}");
    h.press(KeyCode::Esc).await;
    assert_eq!(h.state.overlay, None);

    // Fold the whole trace under its root and back.
    h.press(KeyCode::Char('g')).await;
    h.press(KeyCode::Char(' ')).await;
    assert_eq!(h.state.debug.waterfall.len(), 1);
    h.press(KeyCode::Char(' ')).await;
    assert_eq!(h.state.debug.waterfall.len(), trace_len(&h));

    // y copies the trace id.
    h.press(KeyCode::Char('y')).await;
    assert_eq!(h.copied, [slow_first(&h)]);
}

fn trace_len(h: &Harness) -> usize {
    h.state.debug.trace.ready().map_or(0, |t| t.spans.len())
}

fn slow_first(h: &Harness) -> String {
    h.state.debug.slow.ready().unwrap()[0].trace_id.clone()
}

#[tokio::test]
async fn t_on_an_incident_and_trace_by_id_and_a_longer_range() {
    let mut h = Harness::demo().await;
    h.press(KeyCode::Char('2')).await;
    assert_eq!(h.state.oncall_focus, OncallFocus::Incidents);
    let incident = h.state.selected_incident().expect("a page is open").clone();
    h.press(KeyCode::Char('t')).await;
    let debug = &h.state.debug;
    assert_eq!(debug.service.as_deref(), Some(incident.service.as_str()));
    let since = debug.investigation.as_ref().unwrap().since;
    assert_eq!(since, incident.created_at - chrono::Duration::minutes(15));
    let failing = debug.errors.ready().unwrap().first().cloned();

    // ] asks the demo for six hours of trends, one point every six minutes.
    h.press(KeyCode::Char(']')).await;
    assert_eq!(h.state.debug.range, TrendRange::SixHours);
    let trends = h.state.debug.trends.ready().expect("6h trends");
    assert_eq!(trends.step_seconds, 360);
    assert_eq!(trends.p99.len(), 60);

    // :trace opens any trace by id.
    if let Some(failing) = failing {
        h.type_line(&format!("trace {}", failing.trace_id)).await;
        assert_eq!(h.state.debug.focus, DebugFocus::Waterfall);
        let shown = h.state.debug.trace.ready().expect("fetched");
        assert_eq!(shown.summary.trace_id, failing.trace_id);
        assert!(shown.spans.iter().any(|s| s.error));
    }
    h.type_line("trace nope").await;
    assert!(matches!(h.state.debug.trace, Load::Failed(_)));
}

/// On the demo, `:promql` says what it would show on a real source rather than failing
/// without a word about why.
#[tokio::test]
async fn promql_on_the_demo_says_what_it_would_show() {
    let mut h = Harness::demo().await;
    h.type_line("promql up").await;
    let query = h
        .state
        .debug
        .query
        .as_ref()
        .expect("the answer overlay is open");
    assert!(
        matches!(&query.answer, Load::Failed(e) if e.contains("on a prometheus source :promql shows")),
        "{:?}",
        query.answer
    );
}

// ---- :promql against a real Prometheus -------------------------------------------------

fn end() -> DateTime<Utc> {
    Utc.timestamp_opt(prometheus::END, 0).unwrap()
}

fn prometheus_harness(url: &str) -> Harness {
    let config = prometheus::source_config("prom", url, Duration::from_secs(10));
    let prom = PrometheusSource::new(&config, vec![]).unwrap();
    let backends = Backends {
        metrics: vec![(meta("prom", "prometheus"), MetricsBackend::Prometheus(prom))],
        ..Backends::default()
    };
    Harness::with(backends, Clock::Fixed(end()))
}

/// Prometheus's own answer, as (labels, points) per series.
async fn server_answer(form: &[(&str, String)], api: &str) -> Vec<(serde_json::Value, Vec<f64>)> {
    let url = format!("{}/api/v1/{api}", prometheus::server().url);
    let body: serde_json::Value = reqwest::Client::new()
        .post(url)
        .form(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "success", "{body}");
    let mut out: Vec<(serde_json::Value, Vec<f64>)> = body["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let points = match s.get("values") {
                Some(values) => values.as_array().unwrap().clone(),
                None => vec![s["value"].clone()],
            };
            let values = points
                .iter()
                .map(|p| p[1].as_str().unwrap().parse().unwrap())
                .collect();
            (s["metric"].clone(), values)
        })
        .collect();
    out.sort_by_key(|(labels, _)| labels.to_string());
    out
}

fn ondeck_answer(answer: &QueryAnswer) -> Vec<(serde_json::Value, Vec<f64>)> {
    let mut out: Vec<_> = answer
        .series
        .iter()
        .map(|s| {
            let labels = serde_json::to_value(&s.labels).unwrap();
            (labels, s.points.iter().map(|p| p.1).collect::<Vec<f64>>())
        })
        .collect();
    out.sort_by_key(|(labels, _)| labels.to_string());
    out
}

#[tokio::test]
async fn promql_instant_and_range_answers_equal_prometheus_own() {
    let mut h = prometheus_harness(&prometheus::server().url);
    let expr = "sum by (service) (rate(http_requests_total[5m]))";

    h.type_line(&format!("promql {expr}")).await;
    assert_eq!(h.state.overlay, Some(Overlay::Query));
    let query = h.state.debug.query.as_ref().unwrap();
    let answer = query.answer.ready().expect("answered");
    assert!(answer.series.len() >= 4, "{answer:?}");
    let form = [
        ("query", expr.to_string()),
        ("time", prometheus::END.to_string()),
    ];
    assert_eq!(ondeck_answer(answer), server_answer(&form, "query").await);
    let screen = h.screen(160, 48);
    assert!(screen.contains(r#"{service="checkout"}"#), "{screen}");

    h.press(KeyCode::Esc).await;
    h.type_line(&format!("promql range 1h {expr}")).await;
    let query = h.state.debug.query.as_ref().unwrap();
    assert_eq!(query.range, Some(Window::hours(1)));
    let answer = query.answer.ready().expect("answered");
    // One hour in 120 steps of 30 s, both ends included.
    assert!(answer.series.iter().all(|s| s.points.len() == 121));
    let form = [
        ("query", expr.to_string()),
        ("start", (prometheus::END - 3600).to_string()),
        ("end", prometheus::END.to_string()),
        ("step", "30".to_string()),
    ];
    assert_eq!(
        ondeck_answer(answer),
        server_answer(&form, "query_range").await
    );

    // y copies the PromQL, not a trace id.
    h.press(KeyCode::Char('y')).await;
    assert_eq!(h.copied, [expr.to_string()]);

    // A typo comes back as Prometheus's own words.
    h.press(KeyCode::Esc).await;
    h.type_line("promql sum(rate(").await;
    let query = h.state.debug.query.as_ref().unwrap();
    assert!(
        matches!(&query.answer, Load::Failed(e) if e.contains("parse error")),
        "{:?}",
        query.answer
    );
}

// ---- exemplars from a stubbed Prometheus ------------------------------------------------

#[tokio::test]
async fn exemplars_of_the_latency_histogram_become_selectable_traces() {
    let server = MockServer::start().await;
    let body = std::fs::read_to_string("tests/fixtures/prometheus/query_exemplars.json").unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/query_exemplars"))
        .and(body_string_contains(
            "query=http_request_duration_seconds_bucket%7Bservice%3D%22checkout%22%7D",
        ))
        .and(body_string_contains("start=1735686000.000"))
        .and(body_string_contains("end=1735689600.000"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .expect(1)
        .mount(&server)
        .await;
    let config = prometheus::source_config("prom", &server.uri(), Duration::from_secs(5));
    let latency = SloConfig {
        name: "latency".into(),
        service: "checkout".into(),
        objective: 0.99,
        window: Window::days(30),
        period: None,
        source: None,
        sli: SloSliConfig::Latency {
            metric: r#"http_request_duration_seconds{service="checkout"}"#.into(),
            threshold: 0.25,
        },
    };
    let prom = PrometheusSource::new(&config, vec![latency]).unwrap();
    let found = ondeck::sources::MetricsSource::exemplars(
        &prom,
        "checkout",
        end() - chrono::Duration::hours(1),
        end(),
    )
    .await
    .unwrap();
    let ids: Vec<&str> = found.iter().map(|e| e.trace_id.as_str()).collect();
    // Slowest first, one per trace.
    assert_eq!(
        ids,
        [
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7a1c3e2d4f5061728"
        ]
    );

    // In the pane they follow the slow and failing traces, and Enter opens one.
    let mut h = prometheus_harness(&server.uri());
    h.state.pane = Pane::Debug;
    h.state.debug.service = Some("checkout".into());
    h.state.debug.exemplars = Load::Ready(found);
    h.state.debug.selected_trace = 1;
    let screen = h.screen(160, 48);
    assert!(screen.contains("exmpl"), "{screen}");
    assert!(
        screen.contains("00f067aa0ba902b7a1c3e2d4f5061728"),
        "{screen}"
    );
    h.press(KeyCode::Enter).await;
    assert_eq!(
        h.state.debug.trace_id.as_deref(),
        Some("00f067aa0ba902b7a1c3e2d4f5061728")
    );
}

#[tokio::test]
async fn longer_trends_come_from_prometheus_with_a_stretched_step() {
    let config =
        prometheus::source_config("prom", &prometheus::server().url, Duration::from_secs(10));
    let latency = SloConfig {
        name: "latency".into(),
        service: "checkout".into(),
        objective: 0.99,
        window: Window::days(30),
        period: None,
        source: None,
        sli: SloSliConfig::Latency {
            metric: r#"http_request_duration_seconds{service="checkout"}"#.into(),
            threshold: 0.25,
        },
    };
    let prom = PrometheusSource::new(&config, vec![latency]).unwrap();
    let trends =
        ondeck::sources::MetricsSource::service_trends(&prom, "checkout", Window::hours(6), end())
            .await
            .unwrap()
            .expect("checkout has a latency histogram");
    assert_eq!(trends.step_seconds, 360);
    assert_eq!(trends.p99.len(), 60);
    let p99 = "histogram_quantile(0.99, sum by (le) \
               (rate(http_request_duration_seconds_bucket{service=\"checkout\"}[5m])))";
    prometheus::assert_same(
        "p99 at the end of the range",
        trends.p99.last().copied(),
        prometheus::prometheus_says(p99).await,
    );
}
