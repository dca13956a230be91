//! What the on-call rows show of the outbox, read from the log itself — never from this
//! process's memory alone — so a write queued by another process (a second cockpit,
//! `ondeck ack`) or by an earlier run shows too. Pure: the cockpit feeds it each re-read of
//! the log and passes on what changed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::entry::OutboxEntry;
use super::store::{Ledger, Owed};

/// Where a write stands, as the on-call row shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryState {
    /// On disk; its first attempt is next, or it waits its turn behind `behind` earlier
    /// writes to the same backend.
    Recorded {
        /// Earlier writes to the same backend still owed.
        behind: usize,
    },
    /// An attempt is on its way.
    Sending,
    /// The last attempt failed transiently (or the write waits behind one that did); the
    /// next one is scheduled.
    Queued {
        /// Attempts made so far.
        attempts: u32,
        /// Why the last one failed.
        error: String,
        /// When the next attempt starts.
        retry_at: DateTime<Utc>,
    },
    /// Owed to a backend this config does not have: kept for a run that has it.
    OwedElsewhere(String),
    /// The backend took it.
    Delivered,
    /// The backend refused it for good (or the outbox could not record it); not retried.
    Failed(String),
}

/// A change in where one write stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The write.
    pub entry: OutboxEntry,
    /// Where it stands now.
    pub state: DeliveryState,
}

/// The outbox as this process last reported it.
#[derive(Debug, Default)]
pub struct View {
    /// Owed writes and the state last reported for each.
    reported: BTreeMap<String, (OutboxEntry, DeliveryState)>,
    /// Writes whose outcome was reported (or was history when first seen).
    settled: BTreeSet<String>,
    since: Option<DateTime<Utc>>,
}

impl View {
    /// A view that reports outcomes of writes settled at or after `since` (earlier ones
    /// are history, not news).
    pub fn new(since: DateTime<Utc>) -> Self {
        Self {
            since: Some(since),
            ..Self::default()
        }
    }

    /// What changed since the last read. `elsewhere` says why an entry cannot be delivered
    /// by this process's config, if it cannot.
    pub fn changes(
        &mut self,
        ledger: &Ledger,
        elsewhere: impl Fn(&OutboxEntry) -> Option<String>,
    ) -> Vec<Delivery> {
        let mut out = Vec::new();
        for (index, owed) in ledger.owed.iter().enumerate() {
            let state = match elsewhere(&owed.entry) {
                Some(why) => DeliveryState::OwedElsewhere(why),
                None => owed_state(owed, &ledger.owed[..index]),
            };
            let id = &owed.entry.id;
            if self.reported.get(id).map(|(_, s)| s) != Some(&state) {
                self.reported
                    .insert(id.clone(), (owed.entry.clone(), state.clone()));
                out.push(Delivery {
                    entry: owed.entry.clone(),
                    state,
                });
            }
        }
        for settled in &ledger.settled {
            if !self.settled.insert(settled.id.clone()) {
                continue;
            }
            let seen = self.reported.remove(&settled.id).map(|(entry, _)| entry);
            let news = self.since.is_none_or(|since| settled.time >= since);
            // Its `queued` line may be compacted away; the view kept the entry it reported.
            let Some(entry) = seen.or_else(|| news.then(|| settled.entry.clone()).flatten()) else {
                continue;
            };
            let state = if settled.ok {
                DeliveryState::Delivered
            } else {
                DeliveryState::Failed(refusal(&settled.outcome))
            };
            out.push(Delivery { entry, state });
        }
        // Settled so long ago that even the outcome has left the log (a process suspended
        // for half an hour): say so rather than keep showing it on its way.
        let gone: Vec<String> = self
            .reported
            .keys()
            .filter(|id| ledger.owed(id).is_none())
            .cloned()
            .collect();
        for id in gone {
            if let Some((entry, _)) = self.reported.remove(&id) {
                self.settled.insert(id);
                out.push(Delivery {
                    entry,
                    state: DeliveryState::Failed(
                        "settled while this ondeck was not looking; its outcome has left the \
                         outbox, so the incident list shows where it stands"
                            .into(),
                    ),
                });
            }
        }
        out
    }
}

/// The reason in a `failed: …` outcome.
fn refusal(outcome: &str) -> String {
    outcome
        .strip_prefix("failed: ")
        .unwrap_or(outcome)
        .to_string()
}

/// Where an owed write stands, given the writes queued before it.
fn owed_state(owed: &Owed, earlier: &[Owed]) -> DeliveryState {
    if owed.in_flight {
        return DeliveryState::Sending;
    }
    if let Some(failure) = &owed.failure {
        return DeliveryState::Queued {
            attempts: owed.attempts,
            error: failure.error.clone(),
            retry_at: failure.retry_at,
        };
    }
    let ahead: Vec<&Owed> = earlier
        .iter()
        .filter(|o| o.entry.source == owed.entry.source && o.entry.target == owed.entry.target)
        .collect();
    match ahead.first() {
        Some(head) if head.failure.is_some() && !head.in_flight => {
            let failure = head.failure.as_ref().map(|f| (f.error.clone(), f.retry_at));
            let (error, retry_at) = failure.unwrap_or_default();
            DeliveryState::Queued {
                attempts: 0,
                error: format!(
                    "waits behind {} earlier write(s) to {}: {error}",
                    ahead.len(),
                    owed.entry.source
                ),
                retry_at,
            }
        }
        _ => DeliveryState::Recorded {
            behind: ahead.len(),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::outbox::store::replay;

    fn line(op: &str, id: &str, rest: &str) -> String {
        format!(r#"{{"op":"{op}","id":"{id}"{rest}}}"#)
    }

    fn queued(id: &str, incident: &str) -> String {
        line(
            "queued",
            id,
            &format!(
                r#","queued_at":"2026-11-22T03:00:00Z","user":"sam","source":"am","incident":"{incident}","kind":"acknowledge","note":null"#
            ),
        )
    }

    fn ledger(lines: &[String]) -> Ledger {
        replay(&lines.join("\n"), Path::new("outbox.jsonl"))
    }

    fn states(changes: &[Delivery]) -> Vec<(&str, &DeliveryState)> {
        changes
            .iter()
            .map(|d| (d.entry.incident.as_str(), &d.state))
            .collect()
    }

    #[test]
    fn a_write_behind_a_failing_one_says_queued_not_sending() {
        let mut view = View::new(DateTime::UNIX_EPOCH);
        let mut log = vec![queued("1", "g1"), queued("2", "g2")];
        let first = view.changes(&ledger(&log), |_| None);
        assert_eq!(
            states(&first),
            [
                ("g1", &DeliveryState::Recorded { behind: 0 }),
                ("g2", &DeliveryState::Recorded { behind: 1 })
            ]
        );
        log.push(line(
            "attempt",
            "1",
            r#","time":"2026-11-22T03:00:01Z","n":1,"pid":7"#,
        ));
        let sending = view.changes(&ledger(&log), |_| None);
        assert_eq!(states(&sending), [("g1", &DeliveryState::Sending)]);
        log.push(line(
            "retry",
            "1",
            r#","time":"2026-11-22T03:00:02Z","n":1,"error":"unreachable: refused","retry_at":"2026-11-22T03:00:04Z""#,
        ));
        let queued_now = view.changes(&ledger(&log), |_| None);
        let retry_at = "2026-11-22T03:00:04Z".parse().unwrap();
        assert_eq!(
            states(&queued_now),
            [
                (
                    "g1",
                    &DeliveryState::Queued {
                        attempts: 1,
                        error: "unreachable: refused".into(),
                        retry_at
                    }
                ),
                (
                    "g2",
                    &DeliveryState::Queued {
                        attempts: 0,
                        error: "waits behind 1 earlier write(s) to am: unreachable: refused".into(),
                        retry_at
                    }
                )
            ]
        );
        assert!(
            view.changes(&ledger(&log), |_| None).is_empty(),
            "nothing new"
        );
        log.push(line(
            "done",
            "1",
            r#","time":"2026-11-22T03:00:05Z","outcome":"delivered","ok":true"#,
        ));
        let delivered = view.changes(&ledger(&log), |_| None);
        assert_eq!(
            states(&delivered),
            [
                ("g2", &DeliveryState::Recorded { behind: 0 }),
                ("g1", &DeliveryState::Delivered)
            ]
        );
    }

    #[test]
    fn old_outcomes_are_history_and_foreign_writes_say_where_they_belong() {
        let since: DateTime<Utc> = "2026-11-22T04:00:00Z".parse().unwrap();
        let mut view = View::new(since);
        let log = vec![
            queued("1", "g1"),
            line(
                "done",
                "1",
                r#","time":"2026-11-22T03:00:05Z","outcome":"failed: rejected: gone","ok":false"#,
            ),
            queued("2", "g2"),
        ];
        let changes = view.changes(&ledger(&log), |_| Some("not here".into()));
        assert_eq!(
            states(&changes),
            [("g2", &DeliveryState::OwedElsewhere("not here".into()))]
        );
    }
}
