//! The test history as OpenMetrics text: the fleet described in `support` (checkout,
//! search, payments, idle, and shop by route), one sample every [`STEP`] seconds over
//! [`SPAN`], deterministic noise included.

use std::fmt::Write as _;

use super::{ROUTES, SPAN, STEP};

const BUCKETS: [&str; 5] = ["0.1", "0.25", "0.5", "1", "+Inf"];

/// A deterministic value in [0, 1) for a series and a step.
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

/// Requests per step and the error share of one service at second `t` before `END`.
fn traffic(service: &str, ago: i64) -> (f64, f64) {
    match service {
        "checkout" => (120.0, if ago < 50 * 60 { 0.025 } else { 0.0005 }),
        "search" => (300.0, 0.002),
        "payments" => (60.0, if ago < 8 * 3600 { 0.01 } else { 0.0003 }),
        _ => (if ago < 3 * 3600 { 0.0 } else { 20.0 }, 0.001),
    }
}

/// Requests per step and the error share of one `shop` route at second `ago` before `END`.
fn route_traffic(route: &str, ago: i64) -> (f64, f64) {
    match route {
        "/cart" => (40.0, 0.001),
        "/pay" => (15.0, if ago < 30 * 60 { 0.05 } else { 0.002 }),
        "/home" => (90.0, 0.0),
        _ => (if ago < 24 * 3600 { 0.0 } else { 5.0 }, 0.01),
    }
}

/// Shares of requests slower than each bucket bound (0.1, 0.25, 0.5, 1).
fn slow_shares(service: &str, ago: i64) -> [f64; 4] {
    let degraded = service == "checkout" && ago < 2 * 3600;
    if degraded {
        [0.40, 0.05, 0.02, 0.005]
    } else {
        [0.30, 0.004, 0.001, 0.0002]
    }
}

/// The whole history as OpenMetrics text, ending at `end` (unix seconds; `END` for every
/// shared server).
pub fn openmetrics_ending(end: i64) -> String {
    let start = end - SPAN;
    let steps = SPAN / STEP;
    let mut out = String::with_capacity(40 << 20);
    out.push_str("# TYPE http_requests counter\n");
    let counters = [
        ("checkout", &["200", "500", "503"][..]),
        ("search", &["200", "500"][..]),
        ("payments", &["200", "500"][..]),
        ("idle", &["200", "500"][..]),
    ];
    for (n, (service, codes)) in counters.iter().enumerate() {
        let mut totals = vec![0.0_f64; codes.len()];
        let mut lines = vec![String::new(); codes.len()];
        for step in 0..=steps {
            let t = start + step * STEP;
            let (rate, err) = traffic(service, end - t);
            let requests = (rate * (0.8 + 0.4 * noise(n as u64, step))).floor();
            let errors = (requests * err + noise(100 + n as u64, step)).floor();
            let per_code = errors / (codes.len() - 1) as f64;
            for (c, code) in codes.iter().enumerate() {
                totals[c] += if c == 0 {
                    requests - errors
                } else if c == 1 {
                    errors - per_code * (codes.len() - 2) as f64
                } else {
                    per_code
                };
                let _ = writeln!(
                    lines[c],
                    "http_requests_total{{service=\"{service}\",code=\"{code}\"}} {} {t}",
                    totals[c]
                );
            }
        }
        lines.iter().for_each(|l| out.push_str(l));
    }
    for (n, route) in ROUTES.iter().enumerate() {
        let mut totals = [0.0_f64; 2];
        let mut lines = [String::new(), String::new()];
        for step in 0..=steps {
            let t = start + step * STEP;
            let (rate, err) = route_traffic(route, end - t);
            let requests = (rate * (0.8 + 0.4 * noise(400 + n as u64, step))).floor();
            let errors = (requests * err + noise(500 + n as u64, step)).floor();
            totals[0] += requests - errors.min(requests);
            totals[1] += errors.min(requests);
            for (c, code) in ["200", "500"].iter().enumerate() {
                let _ = writeln!(
                    lines[c],
                    "http_requests_total{{service=\"shop\",route=\"{route}\",code=\"{code}\"}} {} {t}",
                    totals[c]
                );
            }
        }
        lines.iter().for_each(|l| out.push_str(l));
    }
    out.push_str("# TYPE http_request_duration_seconds histogram\n");
    for (n, service) in ["checkout", "search"].iter().enumerate() {
        let mut buckets = [0.0_f64; 5];
        let mut sum = 0.0;
        for step in 0..=steps {
            let t = start + step * STEP;
            let ago = end - t;
            let (rate, _) = traffic(service, ago);
            let requests = (rate * (0.8 + 0.4 * noise(200 + n as u64, step))).floor();
            let slow = slow_shares(service, ago);
            // Requests at or under each bound; noise keeps the ratios from being constant.
            let wobble = 0.9 + 0.2 * noise(300 + n as u64, step);
            for (b, bucket) in buckets.iter_mut().enumerate() {
                let over = slow.get(b).map_or(0.0, |s| (requests * s * wobble).round());
                *bucket += requests - over.min(requests);
            }
            sum += requests * 0.08;
            for (b, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{service=\"{service}\",le=\"{le}\"}} {} {t}",
                    buckets[b]
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{service=\"{service}\"}} {} {t}",
                buckets[4]
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{service=\"{service}\"}} {sum} {t}"
            );
        }
    }
    out.push_str("# EOF\n");
    out
}
