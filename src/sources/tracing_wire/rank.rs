//! Ordering search results the way the debug pane lists them: slow traces slowest first,
//! error traces (only those with a failed span) newest first.

use std::cmp::Reverse;

use crate::model::{TraceKind, TraceSummary};

/// `summaries` ordered for `kind` and cut to `limit`: slowest first for
/// [`TraceKind::Slow`]; for [`TraceKind::Errors`] only traces with an error, newest first.
pub fn rank(mut summaries: Vec<TraceSummary>, kind: TraceKind, limit: usize) -> Vec<TraceSummary> {
    match kind {
        TraceKind::Slow => summaries.sort_by_key(|s| Reverse((s.duration_us, s.start))),
        TraceKind::Errors => {
            summaries.retain(|s| s.error);
            summaries.sort_by_key(|s| Reverse(s.start));
        }
    }
    summaries.truncate(limit);
    summaries
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn summary(id: &str, minute: u32, duration_us: u64, error: bool) -> TraceSummary {
        TraceSummary {
            trace_id: id.into(),
            root_service: "checkout".into(),
            root_operation: "POST /pay".into(),
            start: Utc.with_ymd_and_hms(2025, 1, 1, 12, minute, 0).unwrap(),
            duration_us,
            span_count: 1,
            error,
        }
    }

    fn ids(list: &[TraceSummary]) -> Vec<&str> {
        list.iter().map(|s| s.trace_id.as_str()).collect()
    }

    #[test]
    fn slow_lists_the_slowest_first_and_errors_only_failures_newest_first() {
        let all = vec![
            summary("a", 1, 100, true),
            summary("b", 2, 900, false),
            summary("c", 3, 500, true),
        ];
        assert_eq!(ids(&rank(all.clone(), TraceKind::Slow, 2)), ["b", "c"]);
        assert_eq!(ids(&rank(all, TraceKind::Errors, 5)), ["c", "a"]);
    }
}
