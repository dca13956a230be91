//! Changes read out of a change query's `query_range` answer, with no IO, so each rule is
//! tested on its own:
//! - `timestamp`: each distinct value of a series is the time of one change (a deploy
//!   timestamp gauge CI pushes through the Pushgateway);
//! - `label`: a new value of the version label appearing for a service is "a → b" at the
//!   first step it is seen (`*_build_info{version}`);
//! - `value`: a series' value moving is "a → b" at the first step it moved
//!   (`kube_deployment_spec_replicas`).
//!
//! The time of a `label` or `value` change is the first step of the range that shows it, so
//! it is as precise as the step (a minute).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};

use super::versions::goes_back;
use crate::config::changes::{ChangeQuery, Detect};
use crate::model::{Change, ChangeKind};
use crate::sources::prometheus::api::Series;

/// Where a query's changes come from, for their ids and summaries.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The configured source.
    pub source: &'a str,
    /// The query's place among the source's change queries.
    pub index: usize,
    /// The query.
    pub query: &'a ChangeQuery,
}

/// What one answer gave: its changes in `[since, until]`, and what it could not read.
#[derive(Debug, Default)]
pub struct Detected {
    /// The changes.
    pub changes: Vec<Change>,
    /// Series it skipped, in words.
    pub warnings: Vec<String>,
}

fn instant(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    let millis = (seconds * 1000.0).round();
    if millis.abs() > 1e15 {
        return None;
    }
    Utc.timestamp_millis_opt(millis as i64).single()
}

/// A sample value as people read it: whole numbers without `.0`.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// One change found before the window is applied.
struct Found {
    at: DateTime<Utc>,
    service: String,
    from: Option<String>,
    to: Option<String>,
    author: Option<String>,
    kind: ChangeKind,
}

/// The changes in `answer` for `origin`'s query, kept when they fall in `[since, until]`.
pub fn detect(
    origin: Origin<'_>,
    answer: &[Series],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Detected {
    let query = origin.query;
    let mut detected = Detected::default();
    let unnamed = answer
        .iter()
        .filter(|s| !s.labels.contains_key(&query.service_label))
        .count();
    if unnamed > 0 {
        detected.warnings.push(format!(
            "change query {}: {unnamed} series have no `{}` label and were skipped",
            origin.index + 1,
            query.service_label
        ));
    }
    let named = answer
        .iter()
        .filter(|s| s.labels.contains_key(&query.service_label));
    let found = match query.detect {
        Detect::Timestamp => timestamps(query, named),
        Detect::Label => label_changes(query, named),
        Detect::Value => value_changes(query, named),
    };
    detected.changes = found
        .into_iter()
        .filter(|f| f.at >= since && f.at <= until)
        .map(|f| {
            let summary = summary(query, &f);
            Change {
                source: origin.source.to_string(),
                id: format!(
                    "q{}:{}:{}:{}",
                    origin.index,
                    f.service,
                    f.at.timestamp(),
                    f.to.as_deref().unwrap_or_default()
                ),
                at: f.at,
                service: f.service,
                kind: f.kind,
                summary,
                from: f.from,
                to: f.to,
                link: None,
                author: f.author,
            }
        })
        .collect();
    detected
}

fn summary(query: &ChangeQuery, f: &Found) -> String {
    let what = query.version_label.as_deref().unwrap_or("value");
    match (&f.from, &f.to) {
        (Some(from), Some(to)) => format!("{} {what} {from} → {to}", f.service),
        (None, Some(to)) => format!("{} {what} {to}", f.service),
        _ => format!("{} changed ({})", f.service, query.query),
    }
}

/// The kind of the move `from → to` after `earlier` versions: the query's kind, or a
/// rollback when a deploy goes back.
fn kind_of(
    query: &ChangeQuery,
    from: Option<&str>,
    to: Option<&str>,
    earlier: &[&str],
) -> ChangeKind {
    match (query.kind, from, to) {
        (ChangeKind::Deploy, Some(from), Some(to)) if goes_back(from, to, earlier) => {
            ChangeKind::Rollback
        }
        (kind, _, _) => kind,
    }
}

/// `timestamp`: one change per distinct (service, value, version); each service's changes
/// in time order, each from the version before it.
fn timestamps<'a>(query: &ChangeQuery, series: impl Iterator<Item = &'a Series>) -> Vec<Found> {
    let mut events: BTreeMap<String, BTreeMap<(i64, String), Option<String>>> = BTreeMap::new();
    for s in series {
        let service = s.labels[&query.service_label].clone();
        let version = query
            .version_label
            .as_ref()
            .and_then(|l| s.labels.get(l))
            .cloned();
        let author = query
            .author_label
            .as_ref()
            .and_then(|l| s.labels.get(l))
            .cloned();
        for &(_, value) in &s.points {
            let Some(at) = instant(value).filter(|_| value > 0.0) else {
                continue;
            };
            events
                .entry(service.clone())
                .or_default()
                .entry((at.timestamp_millis(), version.clone().unwrap_or_default()))
                .or_insert_with(|| author.clone());
        }
    }
    let mut out = Vec::new();
    for (service, list) in events {
        let mut seen: Vec<String> = Vec::new();
        for ((millis, version), author) in list {
            let to = (!version.is_empty()).then_some(version);
            let from = seen.last().cloned();
            let earlier: Vec<&str> = seen.iter().rev().skip(1).map(String::as_str).collect();
            let kind = kind_of(query, from.as_deref(), to.as_deref(), &earlier);
            let Some(at) = Utc.timestamp_millis_opt(millis).single() else {
                continue;
            };
            if let Some(to) = &to {
                seen.push(to.clone());
            }
            out.push(Found {
                at,
                service: service.clone(),
                from,
                to,
                author,
                kind,
            });
        }
    }
    out
}

/// `label`: per service, which versions each step shows; a version appearing that the step
/// before did not show is "current → new" at that step, as is the current version vanishing
/// while another remains.
fn label_changes<'a>(query: &ChangeQuery, series: impl Iterator<Item = &'a Series>) -> Vec<Found> {
    let Some(label) = query.version_label.as_deref() else {
        return Vec::new();
    };
    // service → step (millis) → versions seen then, with an author if the series has one.
    type Steps = BTreeMap<i64, BTreeSet<String>>;
    let mut services: BTreeMap<String, Steps> = BTreeMap::new();
    let mut authors: BTreeMap<(String, String), String> = BTreeMap::new();
    for s in series {
        let Some(version) = s.labels.get(label) else {
            continue;
        };
        let service = s.labels[&query.service_label].clone();
        if let Some(author) = query.author_label.as_ref().and_then(|l| s.labels.get(l)) {
            authors.insert((service.clone(), version.clone()), author.clone());
        }
        let steps = services.entry(service).or_default();
        for &(t, value) in &s.points {
            if value.is_finite() {
                steps
                    .entry((t * 1000.0).round() as i64)
                    .or_default()
                    .insert(version.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (service, steps) in services {
        let mut current: Option<String> = None;
        let mut before: BTreeSet<String> = BTreeSet::new();
        let mut history: Vec<String> = Vec::new();
        for (millis, shown) in steps {
            let appeared: Vec<&String> = shown.difference(&before).collect();
            let next = match (&current, appeared.last()) {
                (None, _) => newest(&shown),
                (Some(_), Some(new)) => Some((*new).clone()),
                (Some(now), None) if !shown.contains(now) => newest(&shown),
                (Some(_), None) => None,
            };
            if let Some(next) = next {
                if let Some(from) = current.as_ref().filter(|c| **c != next) {
                    let earlier: Vec<&str> =
                        history.iter().rev().skip(1).map(String::as_str).collect();
                    let kind = kind_of(query, Some(from), Some(&next), &earlier);
                    if let Some(at) = Utc.timestamp_millis_opt(millis).single() {
                        out.push(Found {
                            at,
                            service: service.clone(),
                            from: Some(from.clone()),
                            to: Some(next.clone()),
                            author: authors.get(&(service.clone(), next.clone())).cloned(),
                            kind,
                        });
                    }
                }
                if current.as_ref() != Some(&next) {
                    history.push(next.clone());
                }
                current = Some(next);
            }
            before = shown;
        }
    }
    out
}

/// The newest of several versions shown at once: the highest release number, else the last
/// by text.
fn newest(shown: &BTreeSet<String>) -> Option<String> {
    shown
        .iter()
        .max_by(|a, b| super::versions::compare(a, b).unwrap_or_else(|| a.cmp(b)))
        .cloned()
}

/// `value`: each series' value moving between two steps.
fn value_changes<'a>(query: &ChangeQuery, series: impl Iterator<Item = &'a Series>) -> Vec<Found> {
    let mut out = Vec::new();
    for s in series {
        let service = s.labels[&query.service_label].clone();
        let author = query
            .author_label
            .as_ref()
            .and_then(|l| s.labels.get(l))
            .cloned();
        let mut last: Option<f64> = None;
        for &(t, value) in &s.points {
            if !value.is_finite() {
                continue;
            }
            if let Some(before) = last.filter(|b| *b != value)
                && let Some(at) = instant(t)
            {
                out.push(Found {
                    at,
                    service: service.clone(),
                    from: Some(number(before)),
                    to: Some(number(value)),
                    author: author.clone(),
                    kind: query.kind,
                });
            }
            last = Some(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(detect: Detect, version: Option<&str>, kind: ChangeKind) -> ChangeQuery {
        ChangeQuery {
            query: "q".into(),
            detect,
            service_label: "service".into(),
            version_label: version.map(str::to_string),
            author_label: Some("by".into()),
            kind,
        }
    }

    fn series(labels: &[(&str, &str)], points: &[(f64, f64)]) -> Series {
        Series {
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            points: points.to_vec(),
        }
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, 0).unwrap()
    }

    fn run(q: &ChangeQuery, answer: &[Series]) -> Detected {
        let origin = Origin {
            source: "prom",
            index: 0,
            query: q,
        };
        detect(origin, answer, at(0), at(10_000))
    }

    #[test]
    fn each_pushed_deploy_timestamp_is_one_deploy_from_the_version_before() {
        let q = query(Detect::Timestamp, Some("version"), ChangeKind::Deploy);
        let answer = [
            series(
                &[("service", "checkout"), ("version", "1.42"), ("by", "ci")],
                &[(1000.0, 900.0), (1060.0, 900.0)],
            ),
            series(
                &[("service", "checkout"), ("version", "1.43"), ("by", "ci")],
                &[(1120.0, 1100.0), (1180.0, 1100.0)],
            ),
            series(
                &[("service", "checkout"), ("version", "1.42"), ("by", "sam")],
                &[(1300.0, 1290.0)],
            ),
            series(&[("version", "9")], &[(1.0, 1.0)]),
        ];
        let found = run(&q, &answer);
        let got: Vec<_> = found
            .changes
            .iter()
            .map(|c| (c.at, c.kind, c.from.clone(), c.to.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (at(900), ChangeKind::Deploy, None, Some("1.42".into())),
                (
                    at(1100),
                    ChangeKind::Deploy,
                    Some("1.42".into()),
                    Some("1.43".into())
                ),
                (
                    at(1290),
                    ChangeKind::Rollback,
                    Some("1.43".into()),
                    Some("1.42".into())
                ),
            ]
        );
        assert_eq!(found.changes[2].author.as_deref(), Some("sam"));
        assert_eq!(found.warnings.len(), 1, "{:?}", found.warnings);
    }

    #[test]
    fn a_new_version_label_is_a_change_at_the_first_step_that_shows_it() {
        let q = query(Detect::Label, Some("version"), ChangeKind::Deploy);
        // 1.42 until step 300, both during a rolling update at 240–300, 1.43 from 240,
        // then back to 1.42 at 600.
        let old: Vec<(f64, f64)> = (0..=5).map(|k| (f64::from(k) * 60.0, 1.0)).collect();
        let new: Vec<(f64, f64)> = (4..=9).map(|k| (f64::from(k) * 60.0, 1.0)).collect();
        let back: Vec<(f64, f64)> = (10..=12).map(|k| (f64::from(k) * 60.0, 1.0)).collect();
        let answer = [
            series(&[("service", "checkout"), ("version", "1.42")], &old),
            series(&[("service", "checkout"), ("version", "1.43")], &new),
            series(&[("service", "checkout"), ("version", "1.42")], &back),
        ];
        let found = run(&q, &answer);
        let got: Vec<_> = found
            .changes
            .iter()
            .map(|c| (c.at, c.kind, c.what()))
            .collect();
        assert_eq!(
            got,
            vec![
                (at(240), ChangeKind::Deploy, "1.42 → 1.43".to_string()),
                (at(600), ChangeKind::Rollback, "1.43 → 1.42".to_string()),
            ]
        );
    }

    #[test]
    fn a_value_moving_is_a_change_of_the_configured_kind() {
        let q = query(Detect::Value, None, ChangeKind::Scale);
        let answer = [series(
            &[("service", "checkout")],
            &[
                (0.0, 3.0),
                (60.0, 3.0),
                (120.0, 5.0),
                (180.0, f64::NAN),
                (240.0, 5.0),
            ],
        )];
        let found = run(&q, &answer);
        assert_eq!(found.changes.len(), 1);
        let change = &found.changes[0];
        assert_eq!((change.at, change.kind), (at(120), ChangeKind::Scale));
        assert_eq!(change.what(), "3 → 5");
    }

    #[test]
    fn changes_outside_the_window_are_left_out_but_still_give_the_version_before() {
        let q = query(Detect::Timestamp, Some("version"), ChangeKind::Deploy);
        let answer = [
            series(&[("service", "a"), ("version", "1.0")], &[(50.0, 10.0)]),
            series(&[("service", "a"), ("version", "1.1")], &[(60.0, 5000.0)]),
        ];
        let origin = Origin {
            source: "prom",
            index: 0,
            query: &q,
        };
        let found = detect(origin, &answer, at(1000), at(9000));
        assert_eq!(found.changes.len(), 1);
        assert_eq!(found.changes[0].what(), "1.0 → 1.1");
    }
}
