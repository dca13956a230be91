//! Who holds the demo's pagers, and the silences its imagined Alertmanager holds, so the
//! on-call pane's schedule and `S` silences views have something true to show on the demo:
//! a primary rotation whose handover comes 25 minutes after the start, a secondary one, a
//! silence covering the certificate alert while its renewal is in hand, and a forgotten one
//! that matches nothing and is about to expire (which the silences view flags).

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Incident, OnCall, Silence, SilenceMatcher};

/// People on the rotations, in turn.
const PRIMARY: [&str; 4] = ["Maya Chen", "Sam Okafor", "Elena Rossi", "Jun Park"];
const SECONDARY: [&str; 4] = ["Luis Ortega", "Priya Nair", "Nora Lindqvist", "Dev Patel"];
/// A shift's length.
const SHIFT: TimeDelta = TimeDelta::hours(12);
/// The primary's first handover, after the start: soon enough to see it come.
const FIRST_HANDOVER: TimeDelta = TimeDelta::minutes(25);

/// The rotation `people` at `now`, whose shifts end `first_end` and every [`SHIFT`] after.
fn rotation(
    source: &str,
    schedule: &str,
    level: u32,
    people: &[&str],
    first_end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> OnCall {
    let elapsed = (now - first_end).num_seconds();
    let shifts_done = if elapsed < 0 {
        0
    } else {
        elapsed / SHIFT.num_seconds() + 1
    };
    let index = usize::try_from(shifts_done).unwrap_or(0);
    let until = first_end + SHIFT * i32::try_from(shifts_done).unwrap_or(0);
    OnCall {
        source: source.to_string(),
        schedule: schedule.to_string(),
        level: Some(level),
        now: Some(people[index % people.len()].to_string()),
        now_until: Some(until),
        next: Some(people[(index + 1) % people.len()].to_string()),
        next_from: Some(until),
    }
}

/// Who is on call at `now` in a demo started at `start`.
pub(super) fn oncall(source: &str, start: DateTime<Utc>, now: DateTime<Utc>) -> Vec<OnCall> {
    vec![
        rotation(
            source,
            "platform primary",
            1,
            &PRIMARY,
            start + FIRST_HANDOVER,
            now,
        ),
        rotation(
            source,
            "platform secondary",
            2,
            &SECONDARY,
            start + FIRST_HANDOVER + TimeDelta::hours(6),
            now,
        ),
    ]
}

fn equal(name: &str, value: &str) -> SilenceMatcher {
    SilenceMatcher {
        name: name.to_string(),
        value: value.to_string(),
        is_regex: false,
        is_equal: true,
    }
}

/// The silences active at `now` in a demo started at `start`, each counting the open
/// incidents its (equality) matchers cover, as Alertmanager counts the alerts it silences.
pub(super) fn silences(
    source: &str,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    incidents: &[Incident],
) -> Vec<Silence> {
    let all = [
        Silence {
            source: source.to_string(),
            id: "demo-silence-cert".to_string(),
            matchers: vec![
                equal("alertname", "CertExpiringSoon"),
                equal("service", "auth"),
            ],
            created_by: "Priya Nair".to_string(),
            comment: "renewal in OPS-2231, new cert deploys Thursday".to_string(),
            starts_at: start - TimeDelta::minutes(35),
            ends_at: start + TimeDelta::days(3),
            matching_alerts: 0,
        },
        Silence {
            source: source.to_string(),
            id: "demo-silence-db2".to_string(),
            matchers: vec![
                equal("alertname", "DiskFilling"),
                equal("instance", "payments-db-2"),
            ],
            created_by: "Tomas Varga".to_string(),
            comment: "migration to bigger volume".to_string(),
            starts_at: start - TimeDelta::hours(6),
            ends_at: start + TimeDelta::minutes(9),
            matching_alerts: 0,
        },
    ];
    all.into_iter()
        .filter(|s| s.starts_at <= now && now < s.ends_at)
        .map(|mut silence| {
            silence.matching_alerts = incidents
                .iter()
                .filter(|i| i.resolved_at.is_none() && covers(&silence, i))
                .count();
            silence
        })
        .collect()
}

/// Whether `silence` matches `incident`'s labels (the demo's matchers are all equalities).
pub(super) fn covers(silence: &Silence, incident: &Incident) -> bool {
    silence
        .matchers
        .iter()
        .all(|m| incident.labels.get(&m.name) == Some(&m.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_primary_hands_over_25_minutes_in_and_every_12_hours_after() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        let at = |minutes| start + TimeDelta::minutes(minutes);
        let first = &oncall("demo", start, at(0))[0];
        assert_eq!(first.now.as_deref(), Some("Maya Chen"));
        assert_eq!(first.next.as_deref(), Some("Sam Okafor"));
        assert_eq!(first.now_until, Some(at(25)));
        let after = &oncall("demo", start, at(26))[0];
        assert_eq!(after.now.as_deref(), Some("Sam Okafor"));
        assert_eq!(after.now_until, Some(at(25 + 12 * 60)));
    }

    #[test]
    fn a_silence_counts_the_open_incidents_it_covers_and_ends() {
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap();
        let shown = silences("demo", start, start, &[]);
        assert_eq!(shown.len(), 2);
        assert!(shown.iter().all(|s| s.matching_alerts == 0));
        let later = silences("demo", start, start + TimeDelta::minutes(10), &[]);
        assert_eq!(later.len(), 1, "the 9-minute silence has expired");
    }
}
