//! Sorting the numbers table by one of its columns: `s` moves to the next column shown, `S`
//! turns the order around. Rows with nothing known in that column go last either way, so a sort never
//! buries the numbers that were read under the ones still loading. What a column sorts by is
//! the column's own (`fleet::Column::sort_key`).

use std::cmp::Ordering;

use crate::audit::BudgetBook;
use crate::fleet::{Column, Facts, Row, Screen};

/// The table's order: a column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Sort {
    /// `s`: unsorted → the first column shown → … → the last shown → unsorted (the order rows
    /// came in). Only the columns `shown` on screen take part: a sort by a column nobody can
    /// see would reorder the rows by nothing in view.
    pub fn next(current: Option<Sort>, shown: &[Column]) -> Option<Sort> {
        let place = |column: Column| Column::TABLE.iter().position(|c| *c == column);
        let after = current.and_then(|s| place(s.column));
        Column::TABLE
            .iter()
            .enumerate()
            .filter(|(_, c)| shown.contains(c))
            .find(|(i, _)| after.is_none_or(|at| *i > at))
            .map(|(_, column)| Sort {
                column: *column,
                descending: false,
            })
    }

    /// `S`: the other direction; on an unsorted table, the first column descending.
    pub fn reversed(current: Option<Sort>) -> Sort {
        match current {
            Some(s) => Sort {
                descending: !s.descending,
                ..s
            },
            None => Sort {
                column: Column::TABLE[0],
                descending: true,
            },
        }
    }

    /// For the table's title: "STATUS ↑".
    pub fn describe(self) -> String {
        format!(
            "{} {}",
            self.column.title(),
            if self.descending { "↓" } else { "↑" }
        )
    }

    /// Orders `visible` (indices into `rows`). Stable, so equal rows keep their listing order.
    pub fn apply(self, rows: &[Row], visible: &mut Vec<usize>, budgets: &BudgetBook) {
        let screen = Screen::default();
        let mut keyed: Vec<_> = visible
            .iter()
            .map(|&i| {
                let facts = Facts {
                    row: &rows[i],
                    budgets,
                    screen: &screen,
                };
                (self.column.sort_key(&facts), i)
            })
            .collect();
        keyed.sort_by(|(x, _), (y, _)| match (x, y) {
            (Some(x), Some(y)) if self.descending => y.cmp(x),
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        });
        *visible = keyed.into_iter().map(|(_, i)| i).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s_steps_through_the_columns_shown_only_then_back_to_the_order_read() {
        let shown = [Column::Label, Column::Status, Column::Next];
        let mut sort = None;
        let mut walked = Vec::new();
        for _ in 0..shown.len() {
            sort = Sort::next(sort, &shown);
            walked.extend(sort.map(|s| s.column));
        }
        assert_eq!(walked, shown);
        assert_eq!(Sort::next(sort, &shown), None, "then the order read");
        // Sorted by a column no longer shown (the screen got narrower): on to the next shown.
        let by_name = Some(Sort {
            column: Column::Name,
            descending: true,
        });
        assert_eq!(
            Sort::next(by_name, &shown).map(|s| s.column),
            Some(Column::Status)
        );
    }
}
