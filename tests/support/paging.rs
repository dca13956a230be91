//! Stub servers that page a list the way the vendors' published APIs allow, not the way
//! ondeck asks: a server-side cap on the page size, the `limit`/`offset` the server used
//! echoed back, `total: null`, records the server counts but does not show, Opsgenie's
//! `paging.next` links (possibly to the vendor's public host rather than the proxy ondeck
//! talks to), Alerta's own choice of page size. Each stub answers from the request alone, as a stateless server would.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

/// The query of a request, one value per name (the last one wins).
fn query(request: &Request) -> BTreeMap<String, String> {
    request.url.query_pairs().into_owned().collect()
}

fn number(query: &BTreeMap<String, String>, name: &str, default: usize) -> usize {
    query
        .get(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A PagerDuty classic offset-paged list (`GET /incidents`, `/oncalls`, `/users`).
///
/// The server caps `limit` at `cap` (PagerDuty documents a maximum and proxies may impose a
/// lower one) and echoes the limit and offset it used. `hidden` are records the server
/// counts in its window but leaves out of the answer (the API drops what the key may not
/// see), so a page can be shorter than its `limit` while `more` is still true.
pub struct PagerdutyList {
    /// The list's key in the answer: `incidents`, `oncalls`, `users`.
    pub key: &'static str,
    /// Every record, in the server's order.
    pub records: Vec<Value>,
    /// The most records one page holds.
    pub cap: usize,
    /// Indexes of records counted but not shown.
    pub hidden: BTreeSet<usize>,
}

impl PagerdutyList {
    /// A list of `records` under `key`, pages capped at `cap`, nothing hidden.
    pub fn new(key: &'static str, records: Vec<Value>, cap: usize) -> Self {
        Self {
            key,
            records,
            cap,
            hidden: BTreeSet::new(),
        }
    }
}

impl Respond for PagerdutyList {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = query(request);
        // PagerDuty's default page is 25.
        let asked = number(&query, "limit", 25);
        let offset = number(&query, "offset", 0);
        let used = asked.min(self.cap);
        let end = (offset + used).min(self.records.len());
        let start = offset.min(end);
        let shown: Vec<Value> = (start..end)
            .filter(|i| !self.hidden.contains(i))
            .map(|i| self.records[i].clone())
            .collect();
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_json(json!({
                self.key: shown,
                "limit": used,
                "offset": offset,
                "more": end < self.records.len(),
                "total": null,
            }))
    }
}

/// The Opsgenie alert list (`GET /v2/alerts`): offset paging with the server capping
/// `limit` at `cap`, and the next page linked in `paging.next` (absent on the last page),
/// as `ListAlertsResponse` with `PageDetails` describes.
pub struct OpsgenieList {
    /// Every alert, in the server's order.
    pub alerts: Vec<Value>,
    /// The most alerts one page holds.
    pub cap: usize,
    /// The scheme and host the links name (`https://api.opsgenie.com`), or `None` for the
    /// host the request came to.
    pub link_host: Option<String>,
}

impl OpsgenieList {
    /// A list of `alerts` with pages capped at `cap`, linked on the stub's own host.
    pub fn new(alerts: Vec<Value>, cap: usize) -> Self {
        Self {
            alerts,
            cap,
            link_host: None,
        }
    }

    fn link(&self, request: &Request, offset: usize, limit: usize) -> String {
        let mut url = request.url.clone();
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .into_owned()
            .filter(|(k, _)| k != "offset" && k != "limit")
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("offset", &offset.to_string())
            .append_pair("limit", &limit.to_string());
        match &self.link_host {
            Some(host) => format!("{host}{}?{}", url.path(), url.query().unwrap_or_default()),
            None => url.to_string(),
        }
    }
}

impl Respond for OpsgenieList {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = query(request);
        // Opsgenie's default page is 20.
        let asked = number(&query, "limit", 20);
        let offset = number(&query, "offset", 0);
        let used = asked.min(self.cap);
        let end = (offset + used).min(self.alerts.len());
        let start = offset.min(end);
        let mut paging = json!({
            "first": self.link(request, 0, used),
            "last": self.link(request, self.alerts.len().saturating_sub(1) / used * used, used),
        });
        if end < self.alerts.len() {
            paging["next"] = json!(self.link(request, end, used));
        }
        if start > 0 {
            paging["prev"] = json!(self.link(request, start.saturating_sub(used), used));
        }
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_json(json!({
                "data": self.alerts[start..end].to_vec(),
                "paging": paging,
                "took": 0.01,
                "requestId": "9ae63dd7-ed00-4c81-86f0-c4ffd33142c9",
            }))
    }
}

/// Alerta's `GET /alerts` paging with the server choosing its own page size (`cap`) whatever
/// `page-size` asked for, as `Page.from_params` would with a lower configured maximum, and
/// answering 416 past the last page.
pub struct AlertaPages {
    /// Every alert, in the server's order.
    pub alerts: Vec<Value>,
    /// The most alerts one page holds.
    pub cap: usize,
}

impl Respond for AlertaPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let get = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
        };
        let size = get("page-size").unwrap_or(1000).min(self.cap);
        let page = get("page").unwrap_or(1);
        let pages = (self.alerts.len().max(1) - 1) / size + 1;
        if page > pages {
            return ResponseTemplate::new(416).set_body_json(json!({
                "status": "error", "message": format!("page out of range: 1-{pages}"), "code": 416
            }));
        }
        let start = (page - 1) * size;
        let end = (start + size).min(self.alerts.len());
        ResponseTemplate::new(200).set_body_json(json!({
            "status": "ok", "alerts": self.alerts[start..end].to_vec(), "page": page,
            "pageSize": size, "pages": pages, "more": page < pages, "total": self.alerts.len()
        }))
    }
}

/// Copies of `template` under the ids `{prefix}-0`, `{prefix}-1`, …
pub fn copies(template: &Value, prefix: &str, n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut record = template.clone();
            record["id"] = json!(format!("{prefix}-{i}"));
            record
        })
        .collect()
}
