//! Alerta's record of past alerts for MTTA and MTTR: every alert (whatever its status) last
//! received since the window began, with its history, which holds each status change and
//! when it happened. An alert opened before the window is left out afterwards
//! ([`IncidentHistory::within_window`]): Alerta filters by last receipt, not creation.
//!
//! Alerta keeps only the newest [`HISTORY_LIMIT`] history entries of an alert. An alert
//! with that many may have lost its first acknowledgement, so it counts for MTTR but not
//! for MTTA, and the overview says how many were left out.

use serde_json::Value;

use super::map::{last_change_to, non_empty, reject_error_status, timestamp};
use super::wire::{AlertsBody, WireAlert, WireHistory};
use crate::model::PastIncident;
use crate::sources::SourceError;

/// Alerta's default cap on history entries per alert (`HISTORY_LIMIT`).
pub const HISTORY_LIMIT: usize = 100;

/// One page of the history listing, mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    /// The alerts that mapped, in the server's order.
    pub incidents: Vec<PastIncident>,
    /// Alerts whose history is at Alerta's cap, so their first acknowledgement is unknown.
    pub cut_histories: usize,
    /// Whether Alerta has a further page (as [`super::AlertPage::more`]).
    pub more: bool,
    /// The page number the server says this is.
    pub page: Option<u32>,
    /// Alerts that could not be understood, each as "alert <id>: why".
    pub skipped: Vec<String>,
}

/// Maps one page of `GET /alerts?show-history=true` as history.
pub fn parse_history(body: &[u8]) -> Result<HistoryPage, SourceError> {
    let envelope: AlertsBody = serde_json::from_slice(body)
        .map_err(|e| SourceError::Malformed(format!("Alerta alert list: {e}")))?;
    reject_error_status(envelope.status.as_deref(), envelope.message.as_deref())?;
    let alerts = envelope
        .alerts
        .ok_or_else(|| SourceError::Malformed("Alerta alert list has no `alerts` field".into()))?;
    let more = envelope
        .more
        .or_else(|| Some(envelope.page? < envelope.pages?))
        .unwrap_or(!alerts.is_empty());
    let mut page = HistoryPage {
        incidents: Vec::with_capacity(alerts.len()),
        cut_histories: 0,
        more,
        page: envelope.page,
        skipped: Vec::new(),
    };
    for (index, raw) in alerts.into_iter().enumerate() {
        let id = raw
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("#{}", index + 1), str::to_string);
        let alert: Result<WireAlert, _> = serde_json::from_value(raw);
        match alert.map_err(|e| e.to_string()).and_then(past) {
            Ok((incident, cut)) => {
                page.cut_histories += usize::from(cut);
                page.incidents.push(incident);
            }
            Err(why) => page.skipped.push(format!("alert {id}: {why}")),
        }
    }
    Ok(page)
}

/// The alert as a past incident, and whether its history is cut (first ack unknown).
fn past(alert: WireAlert) -> Result<(PastIncident, bool), String> {
    let id = non_empty(alert.id.as_deref()).ok_or("no id")?.to_string();
    let created_at = timestamp(alert.create_time.as_deref())
        .or_else(|| timestamp(alert.receive_time.as_deref()))
        .ok_or("no valid createTime")?;
    let history = alert.history.as_deref().unwrap_or_default();
    let cut = history.len() >= HISTORY_LIMIT;
    let resolved = matches!(
        non_empty(alert.status.as_deref()),
        Some("closed" | "expired")
    );
    let resolved_at = if resolved {
        last_change_to(history, &["closed", "expired"])
            .and_then(|entry| timestamp(entry.update_time.as_deref()))
    } else {
        None
    };
    let acknowledged_at = if cut {
        None
    } else {
        first_change_to(history, &["ack", "shelved"])
    };
    Ok((
        PastIncident {
            id,
            created_at,
            acknowledged_at,
            resolved_at,
        },
        cut,
    ))
}

/// When the alert first moved into one of `statuses` (notes carry the status of the time,
/// so only real changes count).
fn first_change_to(
    history: &[WireHistory],
    statuses: &[&str],
) -> Option<chrono::DateTime<chrono::Utc>> {
    history
        .iter()
        .filter(|entry| entry.change_type.as_deref() != Some("note"))
        .filter(|entry| {
            entry
                .status
                .as_deref()
                .is_some_and(|status| statuses.contains(&status))
        })
        .filter_map(|entry| timestamp(entry.update_time.as_deref()))
        .min()
}
