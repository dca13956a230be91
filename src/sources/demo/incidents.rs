//! The demo's incidents: a deterministic schedule of pages (opened, escalated, acknowledged by
//! teammates, resolved) plus the responder's actions, which override the schedule.
//!
//! An incident's state at any instant is computed from its script, so listing is cheap and
//! needs no clock ticks. Once the responder acts on an incident, its scheduled future is
//! dropped: it stays as the responder left it.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};

use super::catalog::{self, Draft, Timed};
use super::kept::Kept;
use super::rng::{Rng, hash};
use super::roster::{PAGE_CROSSING, SERVICES};
use crate::model::{Incident, IncidentAction, IncidentStatus, Link, Urgency};
use crate::sources::SourceError;

/// The first incident number; ids read `DEMO-1020`, `DEMO-1021`, …
const FIRST_NUMBER: u32 = 1020;
/// An unacknowledged high-urgency page moves to the next person this often.
const ESCALATE_EVERY_SECS: i64 = 300;
/// Escalation stops after two rounds of the policy.
const MAX_LEVEL: u32 = 6;
/// Resolved incidents stay listed this long, for MTTA and MTTR.
const HISTORY_DAYS: i64 = 30;
/// The page opens this long after the checkout burn crosses the page tier: one alert
/// evaluation plus delivery.
const PAGE_DELAY_SECS: f64 = 20.0;
/// Who the responder is, as the incident shows it.
const YOU: &str = "you";

/// One scheduled incident.
#[derive(Debug, Clone)]
struct Script {
    number: u32,
    draft: Draft,
    created: DateTime<Utc>,
    acked: Option<DateTime<Utc>>,
    resolved: Option<DateTime<Utc>>,
}

/// What the responder did to an incident, and when they first acted.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Override {
    since: DateTime<Utc>,
    acked: Option<DateTime<Utc>>,
    resolved: Option<DateTime<Utc>>,
}

/// Every incident the demo knows, with the responder's overrides.
pub(super) struct Book {
    source: String,
    seed: u64,
    start: DateTime<Utc>,
    scripts: Vec<Script>,
    /// Scripted incidents that have not opened yet, earliest first.
    pending: VecDeque<Timed>,
    /// When the next random incident opens, and how many have been scheduled.
    next_at: DateTime<Utc>,
    scheduled: u64,
    overrides: HashMap<u32, Override>,
    /// Where the responder's actions are kept across processes, if anywhere.
    kept: Option<Kept>,
}

impl Book {
    /// Keeps the responder's actions in `kept` from now on, starting from what it holds.
    pub fn keep_in(&mut self, kept: Kept) {
        self.kept = Some(kept);
        self.reload();
    }

    /// Takes in the actions another process kept; the file is the shared record.
    fn reload(&mut self) {
        if let Some(kept) = &self.kept {
            self.overrides.extend(kept.load());
        }
    }

    /// The incident history and scripted pages of a demo started at `start`.
    pub fn new(source: &str, seed: u64, start: DateTime<Utc>) -> Self {
        let mut rng = Rng::new(hash(&[seed, 0x1c1d]));
        let mut timed = catalog::history(&mut rng);
        timed.extend(catalog::scripted());
        // The page opens once the burn's 1h window has crossed the page threshold.
        let opens = TimeDelta::milliseconds(((PAGE_CROSSING + PAGE_DELAY_SECS) * 1000.0) as i64);
        timed.push(catalog::checkout_page(opens));
        timed.sort_by_key(|t| t.created);
        let mut book = Self {
            source: source.to_string(),
            seed,
            start,
            scripts: Vec::with_capacity(timed.len()),
            pending: VecDeque::new(),
            next_at: start + TimeDelta::minutes(3),
            scheduled: 0,
            overrides: HashMap::new(),
            kept: None,
        };
        for t in timed {
            if t.created <= TimeDelta::zero() {
                book.push(t);
            } else {
                book.pending.push_back(t);
            }
        }
        book
    }

    /// Records an incident; numbers follow creation order.
    fn push(&mut self, timed: Timed) {
        let created = self.start + timed.created;
        self.scripts.push(Script {
            number: FIRST_NUMBER + self.scripts.len() as u32,
            draft: timed.draft,
            created,
            acked: timed.ack_after.map(|d| created + d),
            resolved: timed.resolve_after.map(|d| created + d),
        });
    }

    /// Opens every incident due by `now`, in creation order: the scripted ones, and a random
    /// one every 4 to 10 minutes.
    fn schedule_until(&mut self, now: DateTime<Utc>) {
        loop {
            let scripted_due = self.pending.front().is_some_and(|t| {
                let at = self.start + t.created;
                at <= now && at <= self.next_at
            });
            if scripted_due {
                if let Some(t) = self.pending.pop_front() {
                    self.push(t);
                }
            } else if self.next_at <= now {
                let timed = self.random(self.next_at);
                self.push(timed);
            } else {
                return;
            }
        }
    }

    /// The next random incident, opening at `at`; moves the schedule on.
    fn random(&mut self, at: DateTime<Utc>) -> Timed {
        let mut rng = Rng::new(hash(&[self.seed, 0x5ced, self.scheduled]));
        let service = rng.int(0, SERVICES.len() as u64 - 1) as usize;
        let draft = catalog::random_draft(&mut rng, service);
        let minutes =
            |rng: &mut Rng, lo: f64, hi: f64| TimeDelta::seconds((rng.range(lo, hi) * 60.0) as i64);
        let (ack_chance, ack_lo, ack_hi) = match draft.urgency {
            Urgency::High => (0.85, 2.0, 12.0),
            Urgency::Low => (0.6, 3.0, 20.0),
        };
        let ack_after = rng
            .chance(ack_chance)
            .then(|| minutes(&mut rng, ack_lo, ack_hi));
        let resolve_after = match ack_after {
            Some(ack) => ack + minutes(&mut rng, 3.0, 30.0),
            None => minutes(&mut rng, 8.0, 35.0),
        };
        self.next_at += minutes(&mut rng, 4.0, 10.0);
        self.scheduled += 1;
        Timed {
            draft,
            created: at - self.start,
            ack_after,
            resolve_after: Some(resolve_after),
        }
    }

    /// Every incident open at `now`, plus those resolved within the last 30 days.
    pub fn list(&mut self, now: DateTime<Utc>) -> Vec<Incident> {
        self.reload();
        self.schedule_until(now);
        let oldest = now - TimeDelta::days(HISTORY_DAYS);
        self.scripts
            .iter()
            .filter(|s| s.created <= now)
            // Long-closed incidents nobody touched are skipped before the work of building them.
            .filter(|s| {
                s.resolved.is_none_or(|r| r >= oldest) || self.overrides.contains_key(&s.number)
            })
            .map(|s| self.materialize(s, now))
            .filter(|i| i.resolved_at.is_none_or(|at| at >= oldest))
            .collect()
    }

    /// Delivers a responder's action at `now`. Idempotent; acknowledging a resolved incident
    /// or naming an unknown one is rejected.
    pub fn apply(
        &mut self,
        id: &str,
        action: IncidentAction,
        now: DateTime<Utc>,
    ) -> Result<(), SourceError> {
        self.reload();
        self.schedule_until(now);
        let unknown = || SourceError::Rejected(format!("no incident {id} in the demo"));
        let number: u32 = id
            .strip_prefix("DEMO-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(unknown)?;
        let script = self
            .scripts
            .iter()
            .find(|s| s.number == number && s.created <= now)
            .ok_or_else(unknown)?;
        let status = self.materialize(script, now).status;
        match (action, status) {
            (IncidentAction::Acknowledge, IncidentStatus::Resolved) => {
                return Err(SourceError::Rejected(format!("{id} is already resolved")));
            }
            (IncidentAction::Acknowledge, IncidentStatus::Acknowledged)
            | (IncidentAction::Resolve, IncidentStatus::Resolved) => return Ok(()),
            _ => {}
        }
        let own = self.overrides.entry(number).or_insert(Override {
            since: now,
            acked: None,
            resolved: None,
        });
        match action {
            IncidentAction::Acknowledge => own.acked = Some(now),
            IncidentAction::Resolve => own.resolved = Some(now),
            IncidentAction::Unacknowledge => own.acked = None,
        }
        if let Some(kept) = &self.kept {
            // Not kept means the next process disagrees: say so as a real backend's
            // failure would, and the outbox retries.
            kept.save(&self.overrides).map_err(|e| {
                SourceError::Unreachable(format!("cannot keep the demo's actions: {e}"))
            })?;
        }
        Ok(())
    }

    /// The incident as it stands at `now`: the schedule up to the responder's first action,
    /// then the responder's actions.
    fn materialize(&self, script: &Script, now: DateTime<Utc>) -> Incident {
        // Actions kept by another process may predate this world's copy of the incident.
        let own = self.overrides.get(&script.number).map(|o| Override {
            since: o.since.max(script.created),
            acked: o.acked.map(|at| at.max(script.created)),
            resolved: o.resolved.map(|at| at.max(script.created)),
        });
        let own = own.as_ref();
        let until = own.map_or(now, |o| o.since.min(now));
        let upto = |at: Option<DateTime<Utc>>| at.filter(|&t| t <= until);
        let mut resolved_at = upto(script.resolved);
        let mut acknowledged_at =
            upto(script.acked).filter(|&a| resolved_at.is_none_or(|r| a <= r));
        // Escalation runs until someone takes the page or it closes.
        let held_from = acknowledged_at.or(resolved_at).unwrap_or(until);
        let level = match script.draft.urgency {
            Urgency::High => {
                let steps = (held_from - script.created).num_seconds().max(0) / ESCALATE_EVERY_SECS;
                (1 + steps as u32).min(MAX_LEVEL)
            }
            Urgency::Low => 1,
        };
        let service = SERVICES
            .get(script.draft.service)
            .copied()
            .unwrap_or(SERVICES[0]);
        let holder = service.escalation[(level as usize - 1) % service.escalation.len()];
        let mut assignee = holder.to_string();
        let mut acknowledged_by = acknowledged_at.map(|_| holder.to_string());
        if let Some(o) = own {
            if let Some(at) = o.acked.filter(|&at| at <= now) {
                acknowledged_at = Some(at);
                acknowledged_by = Some(YOU.to_string());
                assignee = YOU.to_string();
            }
            if let Some(at) = o.resolved.filter(|&at| at <= now) {
                resolved_at = Some(at);
            }
        }
        let status = if resolved_at.is_some() {
            IncidentStatus::Resolved
        } else if acknowledged_at.is_some() {
            IncidentStatus::Acknowledged
        } else {
            IncidentStatus::Triggered
        };
        Incident {
            id: format!("DEMO-{}", script.number),
            source: self.source.clone(),
            title: script.draft.title.clone(),
            service: service.name.to_string(),
            status,
            urgency: script.draft.urgency,
            created_at: script.created,
            acknowledged_at,
            resolved_at,
            acknowledged_by,
            assignees: vec![assignee],
            escalation_level: Some(level),
            annotations: std::collections::BTreeMap::new(),
            labels: labels(&script.draft, service.name, service.region),
            links: links(&script.draft, service.name),
            runbook: Some(script.draft.runbook.to_string()),
            escalates_at: (status == IncidentStatus::Triggered
                && script.draft.urgency == Urgency::High
                && level < MAX_LEVEL)
                .then(|| {
                    script.created
                        + chrono::Duration::seconds(i64::from(level) * ESCALATE_EVERY_SECS)
                }),
            severity: None,
            description: None,
            suppressed: false,
        }
    }
}

fn labels(draft: &Draft, service: &str, region: &str) -> BTreeMap<String, String> {
    let severity = match draft.urgency {
        Urgency::High => "page",
        Urgency::Low => "ticket",
    };
    let mut labels: BTreeMap<String, String> = [
        ("alertname", draft.alertname),
        ("service", service),
        ("severity", severity),
        ("env", "prod"),
        ("region", region),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if let Some(slo) = &draft.slo {
        labels.insert("slo".to_string(), slo.clone());
    }
    labels
}

fn links(draft: &Draft, service: &str) -> Vec<Link> {
    vec![
        Link {
            label: "Dashboard".to_string(),
            url: format!("https://grafana.example.com/d/{service}"),
        },
        Link {
            label: "Alert".to_string(),
            url: format!(
                "https://alertmanager.example.com/#/alerts?filter=alertname%3D{}",
                draft.alertname
            ),
        },
    ]
}
