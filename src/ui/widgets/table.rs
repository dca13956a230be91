//! A table that builds only the rows on screen, keeps the selection visible, and says where
//! in a long list the view is.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Table};

use crate::config::Theme;
use crate::ui::layout::visible_rows;
use crate::ui::widgets::position_title;

/// What to draw: a panel, a header, column widths, and how many rows exist.
pub struct ScrolledTable<'a> {
    /// The surrounding panel.
    pub block: Block<'a>,
    /// Column titles.
    pub header: Row<'a>,
    /// Column widths.
    pub widths: Vec<Constraint>,
    /// Rows in the whole list.
    pub len: usize,
    /// Selected row, highlighted with the selection style.
    pub selected: Option<usize>,
    /// Shown instead of rows when the list is empty.
    pub empty: Line<'a>,
}

impl<'a> ScrolledTable<'a> {
    /// Draws the table, calling `row` only for the indices on screen.
    pub fn render(
        self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        mut row: impl FnMut(usize) -> Row<'a>,
    ) {
        let inner = self.block.inner(area);
        if self.len == 0 {
            frame.render_widget(Paragraph::new(self.empty).block(self.block), area);
            return;
        }
        let height = usize::from(inner.height.saturating_sub(1));
        let selected = self.selected.unwrap_or(0);
        let range = visible_rows(self.len, selected, height);
        let mut block = self.block;
        if range.len() < self.len {
            block = block.title_top(position_title(selected, self.len, theme));
        }
        let rows: Vec<Row> = range
            .map(|i| {
                let built = row(i);
                if self.selected == Some(i) {
                    built.style(theme.selection)
                } else {
                    built
                }
            })
            .collect();
        let table = Table::new(rows, self.widths)
            .header(self.header.style(theme.text_muted))
            .column_spacing(1)
            .block(block);
        frame.render_widget(table, area);
    }
}
