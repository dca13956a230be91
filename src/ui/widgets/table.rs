//! A table that builds only the rows on screen, keeps the selection visible, and says where
//! in a long list the view is. It draws its own cells ([`put_line`]): ratatui's `Table` styles
//! each cell three times over and splits every character into graphemes, which was most of
//! the cost of a frame of a long list.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Block;

use crate::config::Theme;
use crate::ui::layout::visible_rows;
use crate::ui::text;
use crate::ui::widgets::line::put_line;
use crate::ui::widgets::position_title;

/// Columns between two cells.
const COLUMN_SPACING: u16 = 1;

/// One row: a line per column and a style for the whole row, under the cells' own; and
/// optionally a style laid over every cell after they are drawn.
#[derive(Debug, Clone, Default)]
pub struct TableRow<'a> {
    cells: Vec<Line<'a>>,
    style: Style,
    over: Option<Style>,
}

impl<'a> TableRow<'a> {
    /// A row of `cells`, one per column, unstyled. Every cell is made inert here
    /// ([`text::line`]): table cells are where most backend text reaches the screen.
    pub fn new<T: Into<Line<'a>>>(cells: impl IntoIterator<Item = T>) -> Self {
        Self {
            cells: cells.into_iter().map(|c| text::line(c.into())).collect(),
            style: Style::default(),
            over: None,
        }
    }

    /// This row with `style` laid over every cell, above the cells' own styles: old data
    /// takes the stale role whole, a severity colour included, so no cell of it looks current.
    #[must_use]
    pub fn over(mut self, style: Option<Style>) -> Self {
        self.over = style;
        self
    }

    /// This row with `style` for the whole row (replacing any it had).
    #[must_use]
    pub fn style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }

    /// Draws the row at `y` across `area`, each cell in its column.
    fn draw(&self, buf: &mut Buffer, area: Rect, columns: &[Rect], y: u16) {
        buf.set_style(
            Rect {
                y,
                height: 1,
                ..area
            },
            self.style,
        );
        for (line, column) in self.cells.iter().zip(columns) {
            put_line(buf, Rect { y, ..*column }, line);
        }
        if let Some(over) = self.over {
            buf.set_style(
                Rect {
                    y,
                    height: 1,
                    ..area
                },
                over,
            );
        }
    }
}

/// What to draw: a panel, a header, column widths, and how many rows exist.
pub struct ScrolledTable<'a> {
    /// The surrounding panel.
    pub block: Block<'a>,
    /// Column titles.
    pub header: TableRow<'a>,
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
        mut row: impl FnMut(usize) -> TableRow<'a>,
    ) {
        let inner = self.block.inner(area);
        if self.len == 0 {
            frame.render_widget(text::paragraph(self.empty).block(self.block), area);
            return;
        }
        let height = usize::from(inner.height.saturating_sub(1));
        let selected = self.selected.unwrap_or(0);
        let range = visible_rows(self.len, selected, height);
        let mut block = self.block;
        if range.len() < self.len {
            block = block.title_top(position_title(selected, self.len, theme));
        }
        frame.render_widget(block, area);
        if inner.is_empty() {
            return;
        }
        let columns = Layout::horizontal(self.widths)
            .spacing(COLUMN_SPACING)
            .split(Rect { height: 1, ..inner });
        let buf = frame.buffer_mut();
        self.header
            .style(theme.text_muted)
            .draw(buf, inner, &columns, inner.y);
        for (y, i) in (inner.y + 1..inner.bottom()).zip(range) {
            let built = row(i);
            let built = if self.selected == Some(i) {
                built.style(theme.selection)
            } else {
                built
            };
            built.draw(buf, inner, &columns, y);
        }
    }
}
