//! PagerDuty's record of past incidents for MTTA and MTTR: every incident created in the
//! window (`GET /incidents` with `since`/`until` and every status), and for the resolved
//! ones the first acknowledgement from the incident's log, because a resolved incident's
//! `acknowledgements` list is empty (the API reference says so).
//!
//! The time of a first acknowledgement never changes once it happened, so each one is read
//! once per process and kept; a refresh looks up at most [`LOOKUPS_PER_READ`] new ones and
//! says how many are still to come.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use futures_util::future::join_all;

use super::api::Api;
use super::parse::decode;
use super::wire::{LogEntryList, WireLogEntry};
use crate::model::{Incident, IncidentHistory, IncidentStatus, PastIncident};
use crate::sources::SourceError;

/// Log lookups one history read makes at most (PagerDuty allows ~960 requests a minute).
pub const LOOKUPS_PER_READ: usize = 100;

/// Lookups sent at once.
const LOOKUPS_AT_ONCE: usize = 4;

/// First acknowledgement of each incident whose log was read (`None`: never acknowledged),
/// shared by clones of the source.
pub(crate) type FirstAcks = Arc<Mutex<HashMap<String, Option<DateTime<Utc>>>>>;

/// The first `acknowledge_log_entry` among a page of log entries.
pub(crate) fn first_ack(entries: &[WireLogEntry]) -> Option<DateTime<Utc>> {
    entries
        .iter()
        // The reference names the kind both ways (`LogEntry` and `AcknowledgeLogEntry`).
        .filter(|e| {
            matches!(
                e.kind.as_str(),
                "acknowledge_log_entry" | "acknowledgement_log_entry"
            )
        })
        .map(|e| e.created_at)
        .min()
}

/// The first acknowledgement on a `GET /incidents/{id}/log_entries` page, if any.
pub fn parse_first_acknowledgement(body: &[u8]) -> Result<Option<DateTime<Utc>>, SourceError> {
    parse_log_entries(body).map(|page| first_ack(&page.log_entries))
}

/// Parses a `GET /incidents/{id}/log_entries` page.
pub(crate) fn parse_log_entries(body: &[u8]) -> Result<LogEntryList, SourceError> {
    decode(body, "log entry list")
}

/// The history of `incidents` (all created in `since..until`): open ones as listed, resolved
/// ones with their first acknowledgement from `known` or a log lookup. `cut` is the
/// listing's own warning when the cap stopped it.
pub(crate) async fn assemble(
    api: &Api,
    known: &FirstAcks,
    incidents: Vec<Incident>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    cut: Option<String>,
) -> IncidentHistory {
    let lookup: Vec<String> = {
        let known = known.lock().unwrap_or_else(PoisonError::into_inner);
        incidents
            .iter()
            .filter(|i| i.status == IncidentStatus::Resolved && !known.contains_key(&i.id))
            .map(|i| i.id.clone())
            .collect()
    };
    let mut failure = None;
    let mut looked_up = 0;
    for batch in lookup
        .chunks(LOOKUPS_AT_ONCE)
        .take(LOOKUPS_PER_READ.div_ceil(LOOKUPS_AT_ONCE))
    {
        let answers = join_all(batch.iter().map(|id| api.first_acknowledgement(id))).await;
        let mut known = known.lock().unwrap_or_else(PoisonError::into_inner);
        for (id, answer) in batch.iter().zip(answers) {
            match answer {
                Ok(at) => {
                    known.insert(id.clone(), at);
                    looked_up += 1;
                }
                Err(e) => failure = failure.or(Some(e)),
            }
        }
        if failure.is_some() {
            break;
        }
    }
    let known = known.lock().unwrap_or_else(PoisonError::into_inner);
    let mut history = IncidentHistory::new(since, until);
    let mut unread = 0;
    for incident in incidents {
        let acknowledged_at = match incident.status {
            IncidentStatus::Resolved => match known.get(&incident.id) {
                Some(at) => *at,
                None => {
                    unread += 1;
                    // Counted for MTTR; left out of MTTA until its log is read.
                    None
                }
            },
            _ => incident.acknowledged_at,
        };
        history.incidents.push(PastIncident {
            id: incident.id,
            created_at: incident.created_at,
            acknowledged_at,
            resolved_at: incident
                .resolved_at
                .filter(|_| incident.status == IncidentStatus::Resolved),
        });
    }
    let mut notes: Vec<String> = cut.into_iter().collect();
    if unread > 0 {
        let why = match &failure {
            Some(e) => format!("the log lookup failed: {e}"),
            None => format!("{looked_up} read this refresh, {LOOKUPS_PER_READ} at most"),
        };
        notes.push(format!(
            "MTTA leaves out {unread} resolved incidents whose log is not read yet ({why})"
        ));
    }
    history.incomplete = (!notes.is_empty()).then(|| notes.join("; "));
    history.within_window()
}
