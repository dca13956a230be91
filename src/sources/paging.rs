//! The safety cap every paged list read shares (PagerDuty incidents and on-calls, Opsgenie
//! alerts, Alerta alerts, the incident history behind MTTA/MTTR).
//!
//! Each reader follows the server's own account of its pages (the `limit`/`offset` it used,
//! `more`, `paging.next`, `pages`), never its own page size. The cap only bounds a server
//! that never says "done", or a backlog too large to read every refresh; when it stops a
//! listing the reader says so in a warning that the status bar, the incident list and the
//! JSON output show, because a list cut short and shown as whole is a page nobody sees.

/// Items one listing reads at most before it stops and says so.
pub const MAX_ITEMS: usize = 1000;

/// Requests one listing makes at most. Generous, because a server may answer with pages
/// far smaller than asked (a proxy capping `limit` at 25 still reaches [`MAX_ITEMS`]).
pub const MAX_REQUESTS: usize = 60;

/// Counts one listing's requests and items against the cap.
#[derive(Debug, Clone)]
pub struct Budget {
    max_items: usize,
    max_requests: usize,
    requests: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(MAX_ITEMS, MAX_REQUESTS)
    }
}

impl Budget {
    /// A cap of `max_items` items and `max_requests` requests.
    pub fn new(max_items: usize, max_requests: usize) -> Self {
        Self {
            max_items: max_items.max(1),
            max_requests: max_requests.max(1),
            requests: 0,
        }
    }

    /// Takes one request from the budget; `false` when none is left.
    pub fn take_request(&mut self) -> bool {
        if self.requests >= self.max_requests {
            return false;
        }
        self.requests += 1;
        true
    }

    /// Whether `listed` items already fill the cap.
    pub fn full(&self, listed: usize) -> bool {
        listed >= self.max_items
    }

    /// Requests made so far.
    pub fn requests(&self) -> usize {
        self.requests
    }

    /// The warning for a listing the cap stopped while the server still had more: how many
    /// `what` were read, in how many requests, and that the rest is not shown.
    pub fn cut_short(&self, listed: usize, what: &str) -> String {
        let why = if self.full(listed) {
            format!("ondeck reads at most {} per refresh", self.max_items)
        } else {
            format!(
                "ondeck makes at most {} requests per refresh",
                self.max_requests
            )
        };
        format!(
            "incomplete: {listed} {what} shown, the server has more ({why}; {} requests made)",
            self.requests
        )
    }
}

/// Where the next PagerDuty-style offset page starts: the offset the server says this page
/// used (else the one asked for) plus the `limit` it says it used. PagerDuty counts a page
/// in records, some of which it may leave out of the answer (what the key may not see), so a
/// page can hold fewer items than its limit while `more` is true; stepping by the items
/// returned would re-read, stepping by the limit asked for would skip. Without an echoed
/// limit the items returned are the step. `None`: no way forward.
pub fn next_offset(
    asked_offset: usize,
    used_offset: Option<usize>,
    used_limit: Option<usize>,
    returned: usize,
) -> Option<usize> {
    let start = used_offset.unwrap_or(asked_offset);
    let step = used_limit.filter(|l| *l > 0).unwrap_or(returned);
    let next = start.checked_add(step)?;
    (next > start).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_starts_where_the_server_says_this_one_ended() {
        // Asked for 100, the server used 2 and returned 2.
        assert_eq!(next_offset(0, Some(0), Some(2), 2), Some(2));
        // A window of 2 records with one left out of the answer still spans 2.
        assert_eq!(next_offset(2, Some(2), Some(2), 1), Some(4));
        // Nothing returned but more promised: skip the server's whole window.
        assert_eq!(next_offset(4, Some(4), Some(2), 0), Some(6));
        // No limit echoed: step by what came back, from the offset asked for.
        assert_eq!(next_offset(10, None, None, 5), Some(15));
        // Nothing returned and no limit: no way forward.
        assert_eq!(next_offset(10, None, Some(0), 0), None);
    }

    #[test]
    fn the_budget_runs_out_and_says_which_cap_stopped_it() {
        let mut budget = Budget::new(3, 2);
        assert!(budget.take_request());
        assert!(budget.take_request());
        assert!(!budget.take_request());
        assert_eq!(budget.requests(), 2);
        let warning = budget.cut_short(2, "open incidents");
        assert!(
            warning.starts_with("incomplete: 2 open incidents shown, the server has more"),
            "{warning}"
        );
        assert!(warning.contains("at most 2 requests"), "{warning}");
        assert!(budget.full(3));
        assert!(
            budget
                .cut_short(3, "alerts")
                .contains("at most 3 per refresh")
        );
    }
}
