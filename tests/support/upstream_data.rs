//! History made for the metrics of the upstream SLO examples (tests/fixtures/slo_files/
//! upstream): the counters, histograms and gauges their queries read, over the same 3.5 days
//! ending at [`super::END`], one sample a minute. Each family has a steady error share and,
//! for some, a burst near the end, so burn rates differ between windows.

use std::fmt::Write as _;

use crate::support::{END, SPAN};

const STEP: i64 = 60;

/// A deterministic value in [0, 1).
fn noise(series: u64, step: i64) -> f64 {
    let mut x = series
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(step as u64)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Counters `metric{labels, <label>=<value>}` for each (value, share of requests) in
/// `split`, `per_min` requests a minute; `burst` multiplies the shares after the first over
/// the last hour. Series ids seed the noise.
fn counters(
    out: &mut String,
    seed: u64,
    metric: &str,
    labels: &str,
    label: &str,
    split: &[(&str, f64)],
    per_min: f64,
) {
    let steps = SPAN / STEP;
    for (n, (value, share)) in split.iter().enumerate() {
        let mut total = 0.0;
        for step in 0..=steps {
            let t = END - SPAN + step * STEP;
            let burst = if n > 0 && END - t < 3600 { 4.0 } else { 1.0 };
            let wobble = 0.7 + 0.6 * noise(seed + n as u64, step);
            total += (per_min * share * burst * wobble).round();
            let sep = if labels.is_empty() { "" } else { "," };
            let _ = writeln!(
                out,
                "{metric}{{{labels}{sep}{label}=\"{value}\"}} {total} {t}"
            );
        }
    }
}

/// A classic histogram `<base>_bucket{labels,le}` and `<base>_count{labels}`; `slow[i]` is
/// the share of requests above `bounds[i]`, doubled in the last two hours.
fn histogram(out: &mut String, seed: u64, base: &str, labels: &str, bounds: &[(&str, f64)]) {
    let steps = SPAN / STEP;
    let mut buckets = vec![0.0_f64; bounds.len() + 1];
    let mut lines = vec![String::new(); bounds.len() + 2];
    for step in 0..=steps {
        let t = END - SPAN + step * STEP;
        let requests = (100.0 * (0.7 + 0.6 * noise(seed, step))).floor();
        let factor = if END - t < 2 * 3600 { 2.0 } else { 1.0 };
        for (i, (le, slow)) in bounds.iter().enumerate() {
            let over =
                (requests * slow * factor * (0.8 + 0.4 * noise(seed + 1 + i as u64, step))).round();
            buckets[i] += requests - over.min(requests);
            let _ = writeln!(
                lines[i],
                "{base}_bucket{{{labels},le=\"{le}\"}} {} {t}",
                buckets[i]
            );
        }
        let last = bounds.len();
        buckets[last] += requests;
        let _ = writeln!(
            lines[last],
            "{base}_bucket{{{labels},le=\"+Inf\"}} {} {t}",
            buckets[last]
        );
        let _ = writeln!(
            lines[last + 1],
            "{base}_count{{{labels}}} {} {t}",
            buckets[last]
        );
    }
    // Buckets of one family first, then its count, so each metric name stays together.
    lines.iter().for_each(|l| out.push_str(l));
}

/// A gauge `metric{labels}` whose value at second `t` is `value(t, noise)`.
fn gauge(out: &mut String, seed: u64, metric: &str, labels: &str, value: impl Fn(i64, f64) -> f64) {
    for step in 0..=SPAN / STEP {
        let t = END - SPAN + step * STEP;
        let _ = writeln!(
            out,
            "{metric}{{{labels}}} {} {t}",
            value(END - t, noise(seed, step))
        );
    }
}

/// The upstream examples' history as OpenMetrics lines (no `# EOF`).
pub fn openmetrics() -> String {
    let mut out = String::with_capacity(64 << 20);
    let codes = [("200", 0.97), ("500", 0.02), ("429", 0.01)];
    // Sloth getting-started, multifile, k8s variants, contrib plugins (job myservice);
    // no-alerts (job myapp).
    for (seed, job) in [(1, "myservice"), (5, "myapp")] {
        let labels = format!("job=\"{job}\"");
        counters(
            &mut out,
            seed,
            "http_request_duration_seconds_count",
            &labels,
            "code",
            &codes,
            600.0,
        );
    }
    // Sloth kubernetes-apiserver.
    counters(
        &mut out,
        10,
        "apiserver_request_total",
        "",
        "code",
        &codes,
        900.0,
    );
    for (seed, verb) in [(20, "GET"), (30, "LIST"), (40, "WATCH")] {
        let labels = format!("verb=\"{verb}\"");
        histogram(
            &mut out,
            seed,
            "apiserver_request_duration_seconds",
            &labels,
            &[("0.1", 0.2), ("0.4", 0.02), ("1", 0.004)],
        );
    }
    // Sloth home-wifi and raw-home-wifi: satisfaction ratios of four clients.
    for client in 0..4_u64 {
        let labels = format!("client=\"c{client}\"");
        gauge(
            &mut out,
            50 + client,
            "unifipoller_client_satisfaction_ratio",
            &labels,
            |ago, n| {
                let dip = if client == 3 && ago < 3 * 3600 {
                    0.4
                } else {
                    0.0
                };
                (0.97 - 0.3 * n * n - dip).max(0.0)
            },
        );
    }
    // go-sdk decode/v1_slos.yaml: http_requests_total by status_code (and, for the total
    // `http_requests_total{}`, the base history's series too).
    counters(
        &mut out,
        60,
        "http_requests_total",
        "app=\"foo\"",
        "status_code",
        &[("200", 0.985), ("503", 0.015)],
        300.0,
    );
    // Pyrra thanos-http.yaml.
    for (seed, handler) in [(70, "query"), (75, "query_range")] {
        let labels = format!("job=\"thanos-query\",handler=\"{handler}\"");
        counters(
            &mut out,
            seed,
            "http_requests_total",
            &labels,
            "code",
            &[("200", 0.995), ("500", 0.005)],
            200.0,
        );
    }
    // go-sdk inline/inputs/v1_slo.yaml: a consumer lag gauge.
    gauge(
        &mut out,
        80,
        "kafka_consumergroup_lag",
        "k8s_cluster=\"prod\",consumergroup=\"annotator\",topic=\"annotator-in\"",
        |ago, n| {
            if ago < 90 * 60 {
                (n * 40.0).floor()
            } else {
                (n * 1.6).floor()
            }
        },
    );
    // Pyrra caddy-response-latency.yaml.
    for (seed, code) in [(90, "200"), (95, "502")] {
        let labels = format!("job=\"caddy\",handler=\"subroute\",code=\"{code}\"");
        histogram(
            &mut out,
            seed,
            "caddy_http_response_duration_seconds",
            &labels,
            &[("0.05", 0.08), ("0.25", 0.01)],
        );
    }
    // Pyrra nginx.yaml.
    let nginx = "namespace=\"lastfm\",ingress=\"lastfm\",service=\"lastfm\"";
    counters(
        &mut out,
        100,
        "nginx_ingress_controller_requests",
        nginx,
        "status",
        &[("200", 0.998), ("503", 0.002)],
        500.0,
    );
    for (seed, status) in [(110, "200"), (115, "503")] {
        let labels = format!("{nginx},status=\"{status}\"");
        histogram(
            &mut out,
            seed,
            "nginx_ingress_controller_request_duration_seconds",
            &labels,
            &[("0.5", 0.1), ("1", 0.05)],
        );
    }
    // Pyrra prometheus-http.yaml (grouped by handler).
    for (seed, handler) in [
        (120, "/api/v1/query"),
        (125, "/api/v1/query_range"),
        (128, "/metrics"),
    ] {
        let labels = format!("handler=\"{handler}\"");
        counters(
            &mut out,
            seed,
            "prometheus_http_requests_total",
            &labels,
            "code",
            &[("200", 0.99), ("503", 0.01)],
            120.0,
        );
    }
    // Pyrra prometheus-probe-success.yaml (grouped by target).
    for (seed, target) in [(130_u64, "https://a.example"), (135, "https://b.example")] {
        let labels = format!("target=\"{target}\"");
        gauge(&mut out, seed, "probe_success", &labels, |ago, n| {
            let down = seed == 135 && ago < 40 * 60;
            if down || n < 0.005 { 0.0 } else { 1.0 }
        });
    }
    // Pyrra parca-grpc-queryrange-errors.yaml.
    let parca = "grpc_service=\"parca.query.v1alpha1.QueryService\",grpc_method=\"QueryRange\"";
    counters(
        &mut out,
        140,
        "grpc_server_handled_total",
        parca,
        "grpc_code",
        &[("OK", 0.992), ("Unavailable", 0.006), ("Internal", 0.002)],
        80.0,
    );
    // Pyrra pyrra-kubernetes-errors.yaml.
    counters(
        &mut out,
        150,
        "controller_runtime_reconcile_total",
        "controller=\"servicelevelobjective\"",
        "result",
        &[("success", 0.995), ("error", 0.005)],
        30.0,
    );
    // Pyrra pyrra-filesystem-errors.yaml: an error counter and a total counter.
    counters(
        &mut out,
        160,
        "pyrra_filesystem_reconciles_total",
        "",
        "instance",
        &[("pyrra:9444", 1.0)],
        20.0,
    );
    counters(
        &mut out,
        165,
        "pyrra_filesystem_reconciles_errors_total",
        "",
        "instance",
        &[("pyrra:9444", 0.004)],
        20.0,
    );
    // Pyrra mimir/example-slo.yaml.
    for (seed, verb) in [(170, "LIST"), (175, "GET")] {
        let labels = format!("component=\"apiserver\",scope=\"cluster\",verb=\"{verb}\"");
        histogram(
            &mut out,
            seed,
            "apiserver_request_sli_duration_seconds",
            &labels,
            &[("1", 0.05), ("5", 0.003)],
        );
    }
    out
}
