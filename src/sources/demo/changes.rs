//! The demo's changes, timed against its story: a checkout deploy (1.42 → 1.43) three
//! minutes before checkout's burn begins, a config change on inventory (a service checkout
//! calls) ten minutes before that, the rollback to 1.42 when the burn ends, and a few quiet
//! changes earlier in the day so the lists have a past.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::DemoSource;
use crate::model::{Change, ChangeKind, ChangeSnapshot};
use crate::sources::SourceError;
use crate::sources::changes::ChangeSource;

/// How long before checkout's burn begins the bad deploy lands.
pub const DEPLOY_LEAD: TimeDelta = TimeDelta::minutes(3);

/// One scripted change: seconds relative to an anchor, and what it was.
struct Script {
    at: f64,
    service: &'static str,
    kind: ChangeKind,
    summary: &'static str,
    from: Option<&'static str>,
    to: Option<&'static str>,
    author: &'static str,
    link: &'static str,
}

const HOUR: f64 = 3600.0;
const MINUTE: f64 = 60.0;

fn instant(epoch: f64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt((epoch * 1000.0).round() as i64)
        .single()
}

impl DemoSource {
    /// Every scripted change, in time order.
    fn scripted_changes(&self) -> Vec<Change> {
        let fleet = &self.inner.fleet;
        let start = fleet.start;
        // The burn's first instant: the calibrated burst has no ramp.
        let (onset, end) = fleet
            .checkout_burst()
            .map_or((start, start + 45.0 * MINUTE), |b| {
                (b.start - b.rise, b.end)
            });
        let deploy = onset - DEPLOY_LEAD.num_seconds() as f64;
        let scripts = [
            Script {
                at: start - 9.0 * HOUR,
                service: "payments",
                kind: ChangeKind::Scale,
                summary: "payments replicas 4 → 6 for the evening peak",
                from: Some("4"),
                to: Some("6"),
                author: "hpa",
                link: "",
            },
            Script {
                at: start - 5.0 * HOUR,
                service: "search",
                kind: ChangeKind::Deploy,
                summary: "search synced",
                from: Some("3.8.0"),
                to: Some("3.8.1"),
                author: "ci-bot",
                link: "https://argocd.example.com/applications/search",
            },
            Script {
                at: start - 2.0 * HOUR,
                service: "gateway",
                kind: ChangeKind::Flag,
                summary: "flag new-cart-flow on for 10% of traffic",
                from: None,
                to: None,
                author: "maya.chen",
                link: "",
            },
            Script {
                at: deploy - 10.0 * MINUTE,
                service: "inventory",
                kind: ChangeKind::Config,
                summary: "reservation cache TTL 60s → 30s",
                from: None,
                to: None,
                author: "luis.ortega",
                link: "",
            },
            Script {
                at: deploy,
                service: "checkout",
                kind: ChangeKind::Deploy,
                summary: "checkout synced",
                from: Some("1.42"),
                to: Some("1.43"),
                author: "ci-bot",
                link: "https://argocd.example.com/applications/checkout",
            },
            Script {
                at: end,
                service: "checkout",
                kind: ChangeKind::Rollback,
                summary: "checkout rolled back to the last good release",
                from: Some("1.43"),
                to: Some("1.42"),
                author: "sam.okafor",
                link: "https://argocd.example.com/applications/checkout",
            },
        ];
        scripts
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                Some(Change {
                    source: self.inner.name.clone(),
                    id: format!("demo-change-{}", i + 1),
                    at: instant(s.at)?,
                    service: s.service.to_string(),
                    kind: s.kind,
                    summary: s.summary.to_string(),
                    from: s.from.map(str::to_string),
                    to: s.to.map(str::to_string),
                    link: (!s.link.is_empty()).then(|| s.link.to_string()),
                    author: Some(s.author.to_string()),
                })
            })
            .collect()
    }
}

impl ChangeSource for DemoSource {
    /// The scripted changes that have happened by `until` and not before `since`.
    async fn fetch_changes(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<ChangeSnapshot, SourceError> {
        let changes = self
            .scripted_changes()
            .into_iter()
            .filter(|c| c.at >= since && c.at <= until)
            .collect();
        Ok(ChangeSnapshot {
            changes,
            warnings: Vec::new(),
        })
    }
}
