//! The demo's traces: a fixed number of sampled traces per minute, each regenerated on demand
//! from its id, so search and fetch need no storage.
//!
//! Every minute holds one trace of each flow, one forced failure and one forced stall (rotating
//! through the flows, so any 15 minutes have slow and failing traces for every service), and
//! three extra checkout traces that fail while the checkout burn is on, blaming its redis. A
//! trace id encodes its minute and slot, scrambled, plus a checksum, so unknown ids are
//! rejected. The same traces give the service graph (`dependencies`) and the exemplars a
//! latency histogram would keep.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::fleet::Fleet;
use super::flows::{self, FLOWS, Group, Node};
use super::rng::{Rng, hash};
use super::snapshot::epoch_secs;
use crate::model::{Dependency, Exemplar, Span, Trace, TraceKind, TraceSearch, TraceSummary};
use crate::sources::SourceError;

/// Sampled traces per minute: one per flow, a forced failure, a forced stall, and three
/// checkout traces that fail while the checkout burn is on.
pub(super) const SLOTS: u64 = FLOWS as u64 + 5;
/// How far back a search looks when it names no range.
const SEARCH_SECS: f64 = 15.0 * 60.0;
/// The longest range a search covers (each minute is regenerated trace by trace).
const MAX_SEARCH_SECS: f64 = 75.0 * 60.0;
/// Exemplars are kept for the most recent requests only: the last five minutes.
const EXEMPLAR_SECS: i64 = 5 * 60;
/// Minutes of traces the dependency graph is drawn from.
const DEPENDENCY_MINUTES: i64 = 5;
/// Scrambles (minute, slot) into the first half of a trace id; odd, so invertible mod 2^64.
const SCRAMBLE: u64 = 0x9FB2_1C65_1E98_DF25;
const UNSCRAMBLE: u64 = inverse(SCRAMBLE);

/// The multiplicative inverse of an odd number mod 2^64, by Newton's iteration.
const fn inverse(odd: u64) -> u64 {
    let mut x = odd;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
        i += 1;
    }
    x
}

/// What one slot of one minute holds.
struct Plan {
    flow: usize,
    fail: bool,
    stall: bool,
    /// The dependency that fails, when the failure has a known cause.
    culprit: Option<&'static str>,
}

fn plan(fleet: &Fleet, seed: u64, minute: i64, slot: u64) -> Plan {
    let roll = |what: u64| fleet.noise(&[seed, 0x7ace, minute as u64, slot, what]);
    let rotation = minute.rem_euclid(FLOWS as i64) as usize;
    match slot {
        s if s < FLOWS as u64 => Plan {
            flow: s as usize,
            fail: roll(1) < 0.04,
            stall: roll(2) < 0.05,
            culprit: None,
        },
        s if s == FLOWS as u64 => Plan {
            flow: rotation,
            fail: true,
            stall: false,
            culprit: None,
        },
        s if s == FLOWS as u64 + 1 => Plan {
            flow: (rotation + 3) % FLOWS,
            fail: false,
            stall: true,
            culprit: None,
        },
        _ => {
            let t = minute as f64 * 60.0 + 30.0;
            let burning = fleet.checkout_burst().map_or(0.0, |b| b.level(t));
            let fail = roll(3) < 0.85 * burning;
            Plan {
                flow: 0,
                fail,
                stall: false,
                culprit: fail.then_some("checkout-redis"),
            }
        }
    }
}

/// The id of slot `slot` in `minute`: 16 hex digits of scrambled position, 16 of checksum.
fn trace_id(seed: u64, minute: i64, slot: u64) -> String {
    let position = ((minute as u64) << 8) | slot;
    let key = hash(&[seed, 0x1d]);
    let scrambled = (position ^ key).wrapping_mul(SCRAMBLE);
    format!("{scrambled:016x}{:016x}", hash(&[seed, 0xc5, position]))
}

/// The minute and slot an id names, if it is one of this demo's.
pub(super) fn decode(seed: u64, id: &str) -> Option<(i64, u64)> {
    let valid = id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !valid {
        return None;
    }
    let scrambled = u64::from_str_radix(id.get(..16)?, 16).ok()?;
    let check = u64::from_str_radix(id.get(16..)?, 16).ok()?;
    let position = scrambled.wrapping_mul(UNSCRAMBLE) ^ hash(&[seed, 0x1d]);
    let slot = position & 0xff;
    (check == hash(&[seed, 0xc5, position]) && slot < SLOTS)
        .then_some(((position >> 8) as i64, slot))
}

/// A node flattened for timing: where it hangs and what it holds.
struct Flat {
    node: Node,
    parent: Option<usize>,
    groups: Vec<(bool, Vec<usize>)>,
    error: bool,
    rel_start: u64,
    duration: u64,
}

fn flatten(mut node: Node, parent: Option<usize>, out: &mut Vec<Flat>) -> usize {
    let index = out.len();
    let children = std::mem::take(&mut node.children);
    out.push(Flat {
        node,
        parent,
        groups: Vec::new(),
        error: false,
        rel_start: 0,
        duration: 0,
    });
    for group in children {
        let (parallel, nodes) = match group {
            Group::Seq(nodes) => (false, nodes),
            Group::Par(nodes) => (true, nodes),
        };
        let ids = nodes
            .into_iter()
            .map(|n| flatten(n, Some(index), out))
            .collect();
        out[index].groups.push((parallel, ids));
    }
    index
}

/// Picks one of the flagged spans, preferring `service` when given.
fn choose(
    rng: &mut Rng,
    flats: &[Flat],
    ok: impl Fn(&Flat) -> bool,
    service: Option<&str>,
) -> Option<usize> {
    let candidates: Vec<usize> = (0..flats.len()).filter(|&i| ok(&flats[i])).collect();
    let preferred: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| service.is_some_and(|s| flats[i].node.service == s))
        .collect();
    let pool = if preferred.is_empty() {
        candidates
    } else {
        preferred
    };
    (!pool.is_empty()).then(|| pool[(rng.next_u64() % pool.len() as u64) as usize])
}

/// Generates the trace in slot `slot` of `minute`.
pub(super) fn generate(fleet: &Fleet, seed: u64, minute: i64, slot: u64) -> Trace {
    let plan = plan(fleet, seed, minute, slot);
    let mut rng = Rng::new(hash(&[seed, 0x5a7e, minute as u64, slot]));
    let mut flats = Vec::new();
    flatten(flows::build(plan.flow, &mut rng), None, &mut flats);
    let stalled = plan
        .stall
        .then(|| choose(&mut rng, &flats, |f| f.node.may_stall, None))
        .flatten();
    if let Some(i) = stalled {
        flats[i].node.self_us = rng.int(900_000, 2_400_000);
    }
    if plan.fail {
        let leaf = |f: &Flat| f.node.failure.is_some() && f.groups.is_empty();
        let mut at = choose(&mut rng, &flats, leaf, plan.culprit);
        while let Some(i) = at {
            flats[i].error = true;
            at = flats[i].parent;
        }
    }
    // Durations bottom-up: in pre-order every child comes after its parent.
    for i in (0..flats.len()).rev() {
        let own = flats[i].node.self_us;
        let mut cursor = own * 3 / 5;
        for g in 0..flats[i].groups.len() {
            let (parallel, ids) = flats[i].groups[g].clone();
            let base = cursor;
            for c in ids {
                let gap = rng.int(20, 200);
                let start = if parallel { base + gap } else { cursor + gap };
                flats[c].rel_start = start;
                cursor = if parallel {
                    cursor.max(start + flats[c].duration)
                } else {
                    start + flats[c].duration
                };
            }
        }
        flats[i].duration = cursor + own - own * 3 / 5;
    }
    let offset_us = (fleet.noise(&[seed, 0x0ff5, minute as u64, slot]) * 59_000_000.0) as i64;
    let start_us = minute * 60_000_000 + offset_us;
    let key = hash(&[seed, 0x5b, minute as u64, slot]);
    let span_id = |i: usize| format!("{:016x}", hash(&[key, i as u64]) | 1);
    let mut starts = vec![0u64; flats.len()];
    let mut spans = Vec::with_capacity(flats.len());
    for i in 0..flats.len() {
        let f = &flats[i];
        starts[i] = f.parent.map_or(0, |p| starts[p] + f.rel_start);
        let mut attributes = f.node.attributes.clone();
        if f.node.http {
            let code = match (f.error, f.parent) {
                (false, _) => "200",
                (true, None) => "502",
                (true, Some(_)) if f.groups.is_empty() => "503",
                (true, Some(_)) => "500",
            };
            attributes.push(("http.status_code".to_string(), code.to_string()));
        }
        if f.error {
            attributes.push(("otel.status_code".to_string(), "ERROR".to_string()));
            let message = match f.node.failure.filter(|_| f.groups.is_empty()) {
                Some(own) => own.to_string(),
                None => "downstream call failed".to_string(),
            };
            attributes.push(("error.message".to_string(), message));
        }
        spans.push(Span {
            span_id: span_id(i),
            parent_id: f.parent.map(span_id),
            service: f.node.service.to_string(),
            operation: f.node.operation.clone(),
            start_offset_us: starts[i],
            duration_us: f.duration,
            error: f.error,
            attributes,
            events: Vec::new(),
        });
    }
    let root = &flats[0];
    let summary = TraceSummary {
        trace_id: trace_id(seed, minute, slot),
        root_service: root.node.service.to_string(),
        root_operation: root.node.operation.clone(),
        start: DateTime::<Utc>::from_timestamp_micros(start_us).unwrap_or_default(),
        duration_us: root.duration,
        span_count: spans.len(),
        error: spans.iter().any(|s| s.error),
    };
    Trace { summary, spans }
}

/// Recent traces touching `search.service`: slowest first, or failing ones newest first.
pub(super) fn search(
    fleet: &Fleet,
    seed: u64,
    search: &TraceSearch,
    at: DateTime<Utc>,
) -> Vec<TraceSummary> {
    let (from, t) = match search.range {
        Some((from, to)) => {
            let t = epoch_secs(to.min(at));
            (epoch_secs(from).max(t - MAX_SEARCH_SECS), t)
        }
        None => (epoch_secs(at) - SEARCH_SECS, epoch_secs(at)),
    };
    let (first, last) = ((from / 60.0).floor() as i64, (t / 60.0).floor() as i64);
    let mut found: Vec<TraceSummary> = (first..=last)
        .flat_map(|minute| (0..SLOTS).map(move |slot| (minute, slot)))
        .map(|(minute, slot)| generate(fleet, seed, minute, slot))
        .filter(|trace| {
            let start = epoch_secs(trace.summary.start);
            start > from && start <= t && trace.spans.iter().any(|s| s.service == search.service)
        })
        .map(|trace| trace.summary)
        .filter(|s| search.kind == TraceKind::Slow || s.error)
        .collect();
    match search.kind {
        TraceKind::Slow => found.sort_by(|a, b| {
            b.duration_us
                .cmp(&a.duration_us)
                .then(b.start.cmp(&a.start))
        }),
        TraceKind::Errors => found.sort_by_key(|s| std::cmp::Reverse(s.start)),
    }
    found.truncate(search.limit);
    found
}

/// Who calls whom in the traces of the last few minutes before `at`, with call counts;
/// calls within one service are left out.
pub(super) fn dependencies(fleet: &Fleet, seed: u64, at: DateTime<Utc>) -> Vec<Dependency> {
    let last = (epoch_secs(at) / 60.0).floor() as i64;
    let mut calls: BTreeMap<(String, String), u64> = BTreeMap::new();
    for minute in last - DEPENDENCY_MINUTES + 1..=last {
        for slot in 0..SLOTS {
            let trace = generate(fleet, seed, minute, slot);
            let service_of: HashMap<&str, &str> = trace
                .spans
                .iter()
                .map(|s| (s.span_id.as_str(), s.service.as_str()))
                .collect();
            for span in &trace.spans {
                let parent = span.parent_id.as_deref().and_then(|p| service_of.get(p));
                if let Some(&parent) = parent.filter(|p| **p != span.service) {
                    *calls
                        .entry((parent.to_string(), span.service.clone()))
                        .or_default() += 1;
                }
            }
        }
    }
    calls
        .into_iter()
        .map(|((parent, child), calls)| Dependency {
            parent,
            child,
            calls,
        })
        .collect()
}

/// Exemplars as a latency histogram would keep them: the slowest traces touching `service`
/// in the last [`EXEMPLAR_SECS`] before `end` (not before `start`), at most `limit`.
pub(super) fn exemplars(
    fleet: &Fleet,
    seed: u64,
    service: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    limit: usize,
) -> Vec<Exemplar> {
    let mut wanted = TraceSearch::new(service, TraceKind::Slow, limit);
    let recent = end - chrono::Duration::seconds(EXEMPLAR_SECS);
    wanted.range = Some((start.max(recent), end));
    search(fleet, seed, &wanted, end)
        .into_iter()
        .map(|s| Exemplar {
            trace_id: s.trace_id,
            value: s.duration_us as f64 / 1e6,
            at: s.start,
            series: BTreeMap::from([("service".to_string(), service.to_string())]),
        })
        .collect()
}

/// The whole trace behind an id that [`search`] returned.
pub(super) fn fetch(fleet: &Fleet, seed: u64, id: &str) -> Result<Trace, SourceError> {
    let (minute, slot) = decode(seed, id)
        .ok_or_else(|| SourceError::Rejected(format!("no trace {id} in the demo")))?;
    Ok(generate(fleet, seed, minute, slot))
}
