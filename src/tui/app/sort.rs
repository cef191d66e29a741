//! Sorting the numbers table by one of its columns: `s` moves to the next column, `S` turns the
//! order around. Rows with nothing known in that column go last either way, so a sort never
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
    /// `s`: unsorted → the first column → … → the last → unsorted (the order rows came in).
    pub fn next(current: Option<Sort>) -> Option<Sort> {
        let at = current.map(|s| Column::TABLE.iter().position(|c| *c == s.column));
        let next = match at {
            None => Some(0),
            Some(Some(i)) if i + 1 < Column::TABLE.len() => Some(i + 1),
            _ => None,
        };
        next.map(|i| Sort {
            column: Column::TABLE[i],
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
