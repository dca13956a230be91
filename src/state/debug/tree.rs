//! A trace laid out once for the waterfall: spans in call-tree order with their depth, the
//! size of each subtree (so folding skips it in one step), times clamped into the parent
//! (clock skew between hosts), and the critical path.
//!
//! The critical path is the chain of spans that decides when the trace ends. Starting from
//! the end of the timeline, the child that finishes last is on it; the walk then continues
//! backwards from that child's start among the children that finished before it, and inside
//! each chosen child the same way up to the point where it stopped mattering. A child that
//! runs entirely inside a later sibling (overlap) is not on it.

use std::collections::HashMap;

use crate::model::Trace;

/// One span of the laid-out trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeRow {
    /// Index into `trace.spans`.
    pub span_index: usize,
    /// Nesting depth; roots (and orphans whose parent is missing) are 0.
    pub depth: usize,
    /// How many rows follow that belong to this span's subtree.
    pub descendants: usize,
    /// Start on the timeline, clamped into the parent, in microseconds.
    pub start_us: u64,
    /// Duration after clamping into the parent, in microseconds.
    pub duration_us: u64,
    /// Whether clamping moved or shortened the span (its clock disagrees with its parent's).
    pub clamped: bool,
    /// Whether the span is on the critical path.
    pub critical: bool,
}

impl TreeRow {
    /// Where the span ends on the timeline, after clamping.
    pub fn end_us(&self) -> u64 {
        self.start_us.saturating_add(self.duration_us)
    }
}

/// A whole trace laid out for the waterfall.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpanTree {
    /// The trace it was built from.
    pub trace_id: String,
    /// Every span once, depth-first by parent, siblings by start.
    pub rows: Vec<TreeRow>,
    /// The timeline's length: the trace's duration, stretched to cover every root.
    pub total_us: u64,
}

impl SpanTree {
    /// Lays out `trace`. Every span appears exactly once, even when parent links form a
    /// cycle, so the row count always equals the span count.
    pub fn build(trace: &Trace) -> Self {
        let spans = &trace.spans;
        let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(spans.len());
        for (i, span) in spans.iter().enumerate() {
            by_id.entry(span.span_id.as_str()).or_insert(i);
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
        let mut roots = Vec::new();
        for (i, span) in spans.iter().enumerate() {
            match span.parent_id.as_deref().and_then(|p| by_id.get(p)) {
                Some(&parent) if parent != i => children[parent].push(i),
                _ => roots.push(i),
            }
        }
        let by_start = |list: &mut Vec<usize>| list.sort_by_key(|&i| (spans[i].start_offset_us, i));
        by_start(&mut roots);
        children.iter_mut().for_each(by_start);

        let mut rows: Vec<TreeRow> = Vec::with_capacity(spans.len());
        let mut parents: Vec<Option<usize>> = Vec::with_capacity(spans.len());
        let mut seen = vec![false; spans.len()];
        let mut walk = |root: usize, rows: &mut Vec<TreeRow>, parents: &mut Vec<Option<usize>>| {
            // (span, depth, parent row)
            let mut stack = vec![(root, 0usize, None::<usize>)];
            while let Some((index, depth, parent)) = stack.pop() {
                if std::mem::replace(&mut seen[index], true) {
                    continue;
                }
                let span = &spans[index];
                let (start_us, duration_us) = match parent {
                    Some(p) => clamp(span.start_offset_us, span.duration_us, &rows[p]),
                    None => (span.start_offset_us, span.duration_us),
                };
                let row = rows.len();
                rows.push(TreeRow {
                    span_index: index,
                    depth,
                    descendants: 0,
                    start_us,
                    duration_us,
                    clamped: (start_us, duration_us) != (span.start_offset_us, span.duration_us),
                    critical: false,
                });
                parents.push(parent);
                stack.extend(
                    children[index]
                        .iter()
                        .rev()
                        .map(|&c| (c, depth + 1, Some(row))),
                );
            }
        };
        for &root in &roots {
            walk(root, &mut rows, &mut parents);
        }
        // Spans caught in a parent cycle are unreachable from any root: show them as roots.
        for index in 0..spans.len() {
            walk(index, &mut rows, &mut parents);
        }
        // Pre-order: every row comes after its parent, so adding up from the end works.
        for row in (0..rows.len()).rev() {
            if let Some(parent) = parents[row] {
                rows[parent].descendants += rows[row].descendants + 1;
            }
        }
        let last_end = rows
            .iter()
            .filter(|r| r.depth == 0)
            .map(TreeRow::end_us)
            .max()
            .unwrap_or(0);
        let mut tree = Self {
            trace_id: trace.summary.trace_id.clone(),
            rows,
            total_us: trace.summary.duration_us.max(last_end).max(1),
        };
        tree.mark_critical_path();
        tree
    }

    /// The rows directly under `row` (all roots for `None`), in start order.
    pub fn children(&self, row: Option<usize>) -> Vec<usize> {
        let (mut at, end) = match row {
            Some(r) => (r + 1, r + 1 + self.rows.get(r).map_or(0, |x| x.descendants)),
            None => (0, self.rows.len()),
        };
        let mut out = Vec::new();
        while at < end.min(self.rows.len()) {
            out.push(at);
            at += self.rows[at].descendants + 1;
        }
        out
    }

    /// The row `row` hangs under, if it is not a root.
    pub fn parent(&self, row: usize) -> Option<usize> {
        let depth = self.rows.get(row)?.depth;
        (0..row).rev().find(|&r| self.rows[r].depth + 1 == depth)
    }

    fn mark_critical_path(&mut self) {
        // (row or the timeline itself, the instant after which it no longer matters)
        let mut stack: Vec<(Option<usize>, u64)> = vec![(None, self.total_us)];
        while let Some((row, until)) = stack.pop() {
            let (floor, mut cursor) = match row {
                Some(r) => {
                    self.rows[r].critical = true;
                    let span = self.rows[r];
                    (span.start_us, until.min(span.end_us()))
                }
                None => (0, until),
            };
            let mut kids = self.children(row);
            kids.sort_by_key(|&k| std::cmp::Reverse((self.rows[k].end_us(), k)));
            for kid in kids {
                let span = self.rows[kid];
                if cursor <= floor {
                    break;
                }
                // A span of no length adds no time, so it never holds the trace up.
                if span.start_us < cursor && span.duration_us > 0 {
                    stack.push((Some(kid), cursor.min(span.end_us())));
                    cursor = span.start_us;
                }
            }
        }
    }
}

/// A child's start and duration moved inside its parent's interval.
fn clamp(start: u64, duration: u64, parent: &TreeRow) -> (u64, u64) {
    let (from, to) = (parent.start_us, parent.end_us());
    let start = start.clamp(from, to);
    let end = start.saturating_add(duration).min(to);
    (start, end - start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Span, TraceSummary};
    use chrono::{TimeZone, Utc};

    fn span(id: &str, parent: Option<&str>, start: u64, duration: u64) -> Span {
        Span {
            span_id: id.to_string(),
            parent_id: parent.map(str::to_string),
            service: "svc".to_string(),
            operation: id.to_string(),
            start_offset_us: start,
            duration_us: duration,
            error: false,
            attributes: vec![],
            events: vec![],
        }
    }

    fn trace(duration: u64, spans: Vec<Span>) -> Trace {
        Trace {
            summary: TraceSummary {
                trace_id: "t".to_string(),
                root_service: "svc".to_string(),
                root_operation: "root".to_string(),
                start: Utc.timestamp_opt(0, 0).unwrap(),
                duration_us: duration,
                span_count: spans.len(),
                error: false,
            },
            spans,
        }
    }

    fn critical(tree: &SpanTree, t: &Trace) -> Vec<String> {
        let mut ids: Vec<String> = tree
            .rows
            .iter()
            .filter(|r| r.critical)
            .map(|r| t.spans[r.span_index].span_id.clone())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn the_last_finishing_child_and_what_it_waited_for_are_critical() {
        // root 0..100: a 0..40 then b 45..95 run in sequence; c 50..70 runs inside b.
        let t = trace(
            100,
            vec![
                span("root", None, 0, 100),
                span("a", Some("root"), 0, 40),
                span("b", Some("root"), 45, 50),
                span("c", Some("root"), 50, 20),
                span("b1", Some("b"), 50, 30),
            ],
        );
        let tree = SpanTree::build(&t);
        assert_eq!(critical(&tree, &t), ["a", "b", "b1", "root"]);
    }

    #[test]
    fn an_overlapping_sibling_counts_only_where_it_is_the_last_to_finish() {
        // x 0..60 and y 30..90 overlap: y finishes last, x still runs before y starts.
        let t = trace(
            100,
            vec![
                span("root", None, 0, 100),
                span("x", Some("root"), 0, 60),
                span("y", Some("root"), 30, 60),
                // Inside x but after y started: hidden behind y.
                span("x_late", Some("x"), 40, 15),
                // Inside x, before y started: on the path.
                span("x_early", Some("x"), 5, 20),
            ],
        );
        let tree = SpanTree::build(&t);
        assert_eq!(critical(&tree, &t), ["root", "x", "x_early", "y"]);
    }

    #[test]
    fn skewed_children_are_clamped_into_their_parent() {
        let t = trace(
            100,
            vec![
                span("root", None, 10, 50),
                // Starts before its parent and ends after it: its host's clock is off.
                span("early", Some("root"), 0, 80),
                span("late", Some("root"), 200, 10),
            ],
        );
        let tree = SpanTree::build(&t);
        let row = |id: &str| {
            *tree
                .rows
                .iter()
                .find(|r| t.spans[r.span_index].span_id == id)
                .unwrap()
        };
        assert_eq!((row("early").start_us, row("early").duration_us), (10, 50));
        assert!(row("early").clamped);
        assert_eq!((row("late").start_us, row("late").duration_us), (60, 0));
        assert!(!row("root").clamped);
        assert!(row("early").critical, "it fills the whole parent");
    }

    #[test]
    fn orphans_are_roots_and_can_be_what_ends_the_trace() {
        let t = trace(
            50,
            vec![
                span("root", None, 0, 50),
                span("child", Some("root"), 5, 40),
                // Its parent was never reported; it ends after the root.
                span("orphan", Some("gone"), 30, 70),
            ],
        );
        let tree = SpanTree::build(&t);
        assert_eq!(tree.total_us, 100);
        assert_eq!(tree.rows[2].depth, 0);
        assert_eq!(critical(&tree, &t), ["child", "orphan", "root"]);
    }

    #[test]
    fn subtrees_know_their_size_and_children() {
        let t = trace(
            100,
            vec![
                span("root", None, 0, 100),
                span("a", Some("root"), 0, 40),
                span("a1", Some("a"), 1, 10),
                span("a2", Some("a"), 20, 10),
                span("b", Some("root"), 50, 40),
            ],
        );
        let tree = SpanTree::build(&t);
        let ids: Vec<&str> = tree
            .rows
            .iter()
            .map(|r| t.spans[r.span_index].span_id.as_str())
            .collect();
        assert_eq!(ids, ["root", "a", "a1", "a2", "b"]);
        assert_eq!(tree.rows[0].descendants, 4);
        assert_eq!(tree.rows[1].descendants, 2);
        assert_eq!(tree.children(Some(0)), [1, 4]);
        assert_eq!(tree.children(None), [0]);
        assert_eq!(tree.parent(3), Some(1));
        assert_eq!(tree.parent(4), Some(0));
        assert_eq!(tree.parent(0), None);
    }

    #[test]
    fn a_five_thousand_span_chain_lays_out_without_recursion() {
        let mut spans = vec![span("s0", None, 0, 10_000)];
        for i in 1..5000u64 {
            let parent = format!("s{}", i - 1);
            spans.push(span(&format!("s{i}"), Some(&parent), i, 10_000 - 2 * i));
        }
        let t = trace(10_000, spans);
        let tree = SpanTree::build(&t);
        assert_eq!(tree.rows.len(), 5000);
        assert_eq!(tree.rows[4999].depth, 4999);
        assert!(tree.rows.iter().all(|r| r.critical));
    }
}
