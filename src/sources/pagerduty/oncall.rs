//! PagerDuty `/oncalls` entries → who holds the pager now and next, per schedule or
//! escalation policy level, and the escalation level each open incident has reached.

use chrono::{DateTime, Utc};

use super::parse::{Holder, decode, name};
use super::wire::{OncallList, WireOncall};
use crate::model::{Incident, OnCall};
use crate::sources::SourceError;

/// One page of `GET /oncalls`.
#[derive(Debug, Clone)]
pub struct OncallPage {
    /// Whether PagerDuty has more pages.
    pub more: bool,
    /// The page size PagerDuty says it used.
    pub limit: Option<usize>,
    /// The offset PagerDuty says this page starts at.
    pub offset: Option<usize>,
    pub(crate) entries: Vec<WireOncall>,
}

impl OncallPage {
    /// How many on-call entries the page holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the page holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Parses a `GET /oncalls` page.
pub fn parse_oncalls(body: &[u8]) -> Result<OncallPage, SourceError> {
    let list: OncallList = decode(body, "on-call list")?;
    Ok(OncallPage {
        more: list.paging.more,
        limit: list.paging.limit,
        offset: list.paging.offset,
        entries: list.oncalls,
    })
}

/// What the rows of an on-call answer are named after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupBy {
    /// One row per schedule and level (the answer to `schedule_ids[]`).
    Schedule,
    /// One row per escalation policy level (the answer to `escalation_policy_ids[]`).
    Policy,
}

/// One `OnCall` row per schedule or policy level: who covers `now`, until when, and the
/// next different person with the time they start.
pub(crate) fn rows(
    source: &str,
    entries: &[WireOncall],
    by: GroupBy,
    now: DateTime<Utc>,
) -> Vec<OnCall> {
    let mut groups: Vec<Group> = Vec::new();
    for entry in entries {
        let target = match by {
            GroupBy::Schedule => entry.schedule.as_ref(),
            GroupBy::Policy => entry.escalation_policy.as_ref(),
        };
        let Some(target) = target else { continue };
        let Some(id) = target.id.clone().or_else(|| target.summary.clone()) else {
            continue;
        };
        let level = entry.escalation_level;
        match groups.iter_mut().find(|g| g.id == id && g.level == level) {
            Some(group) => group.members.push(entry),
            None => groups.push(Group {
                id,
                level,
                name: name(target).unwrap_or_default(),
                members: vec![entry],
            }),
        }
    }
    let mut rows: Vec<OnCall> = groups
        .into_iter()
        .map(|g| row(source, g.name, g.level, g.members, now))
        .collect();
    rows.sort_by(|a, b| (&a.schedule, a.level).cmp(&(&b.schedule, b.level)));
    rows
}

/// The entries of one schedule or policy at one level.
struct Group<'a> {
    id: String,
    level: Option<u32>,
    name: String,
    members: Vec<&'a WireOncall>,
}

fn covers(entry: &WireOncall, at: DateTime<Utc>) -> bool {
    entry.start.is_none_or(|s| s <= at) && entry.end.is_none_or(|e| e > at)
}

fn user(entry: &WireOncall) -> Option<String> {
    entry.user.as_ref().and_then(name)
}

fn row(
    source: &str,
    schedule: String,
    level: Option<u32>,
    mut members: Vec<&WireOncall>,
    now: DateTime<Utc>,
) -> OnCall {
    // Permanent on-calls (no start) sort first.
    members.sort_by_key(|e| e.start);
    let current: Vec<&WireOncall> = members.iter().copied().filter(|e| covers(e, now)).collect();
    let mut holders: Vec<String> = Vec::new();
    for name in current.iter().filter_map(|e| user(e)) {
        if !holders.contains(&name) {
            holders.push(name);
        }
    }
    let mut until = current.iter().filter_map(|e| e.end).min();
    // A holder's back-to-back shifts are one stretch on call.
    if let Some(mut end) = until {
        let mut open_ended = false;
        for entry in &members {
            let same = user(entry).is_some_and(|n| holders.contains(&n));
            if !same || entry.start.is_none_or(|s| s > end) {
                continue;
            }
            match entry.end {
                Some(next_end) => end = end.max(next_end),
                None => {
                    open_ended = true;
                    break;
                }
            }
        }
        until = (!open_ended).then_some(end);
    }
    let next = members.iter().find(|e| {
        e.start.is_some_and(|s| s > now) && user(e).is_some_and(|n| !holders.contains(&n))
    });
    OnCall {
        source: source.to_string(),
        schedule,
        level,
        now: (!holders.is_empty()).then(|| holders.join(", ")),
        now_until: until,
        next: next.and_then(|e| user(e)),
        next_from: next.and_then(|e| e.start),
    }
}

/// Sets each incident's escalation level to the lowest level at which one of its assignees
/// is on call now for the incident's escalation policy. The incident list has no level of
/// its own; incidents whose holders are not in `entries` keep no level (unknown, not 1).
pub(crate) fn apply_levels(
    incidents: &mut [Incident],
    holders: &[Holder],
    entries: &[WireOncall],
    now: DateTime<Utc>,
) {
    for (incident, holder) in incidents.iter_mut().zip(holders) {
        let Some(policy) = holder.policy.as_deref() else {
            continue;
        };
        let level = entries
            .iter()
            .filter(|e| covers(e, now))
            .filter(|e| {
                e.escalation_policy
                    .as_ref()
                    .is_some_and(|p| p.id.as_deref() == Some(policy))
            })
            .filter(|e| {
                e.user
                    .as_ref()
                    .and_then(|u| u.id.as_deref())
                    .is_some_and(|id| holder.users.iter().any(|h| h == id))
            })
            .filter_map(|e| e.escalation_level)
            .min();
        if let Some(level) = level {
            incident.escalation_level = Some(level);
        }
    }
}
