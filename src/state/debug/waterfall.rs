//! Folding the waterfall: which subtrees are folded, and the rows left on screen. The rows
//! are recomputed when a fold changes, never per frame, so scrolling a trace of thousands of
//! spans costs only the rows drawn.

use std::collections::BTreeSet;

use super::tree::{SpanTree, TreeRow};

/// A laid-out trace and its folds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Waterfall {
    /// The layout.
    pub tree: SpanTree,
    /// Rows (indices into `tree.rows`) whose subtrees are folded.
    pub folded: BTreeSet<usize>,
    /// Rows not hidden under a fold, in display order.
    pub visible: Vec<usize>,
}

impl Waterfall {
    /// `tree` with nothing folded.
    pub fn new(tree: SpanTree) -> Self {
        let visible = (0..tree.rows.len()).collect();
        Self {
            tree,
            folded: BTreeSet::new(),
            visible,
        }
    }

    /// Rows on screen (not hidden under a fold).
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    /// Whether there is no row at all.
    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }

    /// The layout row shown at `position` among the visible rows.
    pub fn row_at(&self, position: usize) -> Option<TreeRow> {
        self.tree.rows.get(*self.visible.get(position)?).copied()
    }

    /// Where layout row `row` is among the visible rows, if it is not folded away.
    pub fn position_of(&self, row: usize) -> Option<usize> {
        self.visible.binary_search(&row).ok()
    }

    /// Whether `row`'s subtree is folded.
    pub fn is_folded(&self, row: usize) -> bool {
        self.folded.contains(&row)
    }

    /// Folds the subtree of the row at `position`; false when it has no children or is
    /// folded already.
    pub fn fold(&mut self, position: usize) -> bool {
        let Some(&row) = self.visible.get(position) else {
            return false;
        };
        if self.tree.rows[row].descendants == 0 || !self.folded.insert(row) {
            return false;
        }
        self.refresh();
        true
    }

    /// Unfolds the row at `position`; false when it was not folded.
    pub fn unfold(&mut self, position: usize) -> bool {
        let Some(&row) = self.visible.get(position) else {
            return false;
        };
        if !self.folded.remove(&row) {
            return false;
        }
        self.refresh();
        true
    }

    fn refresh(&mut self) {
        let rows = &self.tree.rows;
        let mut visible = Vec::with_capacity(rows.len());
        let mut at = 0;
        while at < rows.len() {
            visible.push(at);
            at += if self.folded.contains(&at) {
                rows[at].descendants + 1
            } else {
                1
            };
        }
        self.visible = visible;
    }
}
