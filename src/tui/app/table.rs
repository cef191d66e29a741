//! The numbers table's model: rows, the filter, the selection and the scroll offset. Only the
//! filter recomputes over all rows; moving and drawing touch only what is visible.

use std::collections::HashMap;

use super::sort::Sort;
use crate::audit::BudgetBook;
use crate::fleet::Row;
use crate::graph::NumberId;

/// The filter line: the shared grammar (words anywhere, `status:pending` one column; the same
/// as `wareg bulk --filter`), or the digits of a phone number typed any way.
fn matches(row: &Row, needle: &str) -> bool {
    if let Ok(filter) = crate::fleet::filter::Filter::parse(needle)
        && filter.matches(row)
    {
        return true;
    }
    let hay = |s: &str| s.to_lowercase().contains(needle);
    hay(row.id.as_str())
        || row.label.as_deref().is_some_and(hay)
        || row.number().is_some_and(|n| {
            n.display_phone_number.as_deref().is_some_and(|d| {
                hay(d) || (!digits(needle).is_empty() && digits(d).contains(&digits(needle)))
            }) || n.verified_name.as_deref().is_some_and(hay)
        })
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// At most this many of the rows last on screen are kept (a page is never taller).
const LAST_ON_SCREEN: usize = 512;

#[derive(Debug, Clone, Default)]
pub struct NumbersTable {
    pub rows: Vec<Row>,
    pub filter: String,
    /// The filter line has the keyboard.
    pub filtering: bool,
    /// Indices into `rows` that pass the filter, in order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// First visible row drawn.
    pub offset: usize,
    /// The order of the visible rows; `None` keeps the order the numbers came in.
    pub sort: Option<Sort>,
    /// The rows on screen when the filter last showed some (indices into `rows`, from the
    /// first drawn): while it shows none, the columns are sized by these, so the header
    /// stays as it was rather than turn into what fits no row at all.
    pub last_on_screen: Vec<usize>,
    /// Where each number's row is in `rows`, so a reply finds its row without a scan.
    index: HashMap<NumberId, usize>,
    /// Whether each row passes the filter (by index into `rows`).
    shown: Vec<bool>,
}

impl NumbersTable {
    pub fn new(rows: Vec<Row>) -> Self {
        let mut table = NumbersTable {
            rows,
            ..NumbersTable::default()
        };
        table.reindex();
        table.refilter(&BudgetBook::default());
        table
    }

    /// Rebuilds the id → row index after rows were added or moved from outside (the fleet
    /// machine appends discovered numbers to `rows` directly).
    pub fn reindex(&mut self) {
        self.index = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.visible.get(self.selected).map(|&i| &self.rows[i])
    }

    /// The row of `id`: through the index, checked, with a scan only if the index is stale
    /// (rows changed without `reindex`), so a missed reindex costs time, never a wrong row.
    pub fn find(&self, id: &NumberId) -> Option<usize> {
        match self.index.get(id) {
            Some(&i) if self.rows.get(i).is_some_and(|r| &r.id == id) => Some(i),
            _ => self.rows.iter().position(|r| &r.id == id),
        }
    }

    pub fn row_mut(&mut self, id: &NumberId) -> Option<&mut Row> {
        let i = self.find(id)?;
        self.rows.get_mut(i)
    }

    /// Adds a row (a discovered number) and shows it if it passes the filter.
    pub fn push(&mut self, row: Row) {
        let index = self.rows.len();
        let shown = self.passes(&row);
        self.index.insert(row.id.clone(), index);
        self.rows.push(row);
        self.shown.push(shown);
        if shown {
            self.visible.push(index);
        }
    }

    fn passes(&self, row: &Row) -> bool {
        self.filter.is_empty() || matches(row, &self.filter.to_lowercase())
    }

    /// Recomputes the visible rows and their order, keeping the selected number selected if it
    /// still shows. The budgets are for sorting by what is left of them.
    pub fn refilter(&mut self, budgets: &BudgetBook) {
        let keep = self.selected_row().map(|r| r.id.clone());
        if !self.visible.is_empty() {
            self.last_on_screen = self
                .visible
                .iter()
                .skip(self.offset)
                .take(LAST_ON_SCREEN)
                .copied()
                .collect();
        }
        let needle = self.filter.to_lowercase();
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| needle.is_empty() || matches(r, &needle))
            .map(|(i, _)| i)
            .collect();
        self.shown = vec![false; self.rows.len()];
        for &i in &self.visible {
            self.shown[i] = true;
        }
        if let Some(sort) = self.sort {
            sort.apply(&self.rows, &mut self.visible, budgets);
        }
        self.selected = keep
            .and_then(|id| self.visible.iter().position(|&i| self.rows[i].id == id))
            .unwrap_or(0);
        self.offset = self.offset.min(self.selected);
    }

    /// Whether the number's row passes the filter (a number not in the table does not).
    pub fn is_shown(&self, id: &NumberId) -> bool {
        self.find(id)
            .is_some_and(|i| self.shown.get(i).copied().unwrap_or(false))
    }

    pub fn move_by(&mut self, delta: isize, page: usize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.scroll_into_view(page);
    }

    pub fn move_to(&mut self, index: usize, page: usize) {
        self.selected = index.min(self.visible.len().saturating_sub(1));
        self.scroll_into_view(page);
    }

    /// Keeps the selection on screen when the table shows `page` rows.
    pub fn scroll_into_view(&mut self, page: usize) {
        let page = page.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        let max_offset = self.visible.len().saturating_sub(page);
        self.offset = self.offset.min(max_offset);
    }
}
