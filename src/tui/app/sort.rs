//! Sorting the numbers table by one of its columns: `s` moves to the next column, `S` turns the
//! order around. Rows with nothing known in that column go last either way, so a sort never
//! buries the numbers that were read under the ones still loading.

use std::cmp::Ordering;

use super::{Row, Storage};
use crate::audit::{BudgetBook, Operation};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Label,
    Number,
    Name,
    Status,
    Ownership,
    Quality,
    Platform,
    Storage,
    RegLeft,
}

impl SortColumn {
    const ALL: [SortColumn; 9] = [
        SortColumn::Label,
        SortColumn::Number,
        SortColumn::Name,
        SortColumn::Status,
        SortColumn::Ownership,
        SortColumn::Quality,
        SortColumn::Platform,
        SortColumn::Storage,
        SortColumn::RegLeft,
    ];

    /// Its place among the table's columns (the same order).
    pub fn index(self) -> usize {
        SortColumn::ALL
            .iter()
            .position(|c| *c == self)
            .unwrap_or_default()
    }

    /// The column header it sorts by, as the table shows it.
    pub fn title(self) -> &'static str {
        match self {
            SortColumn::Label => "LABEL",
            SortColumn::Number => "NUMBER",
            SortColumn::Name => "NAME",
            SortColumn::Status => "STATUS",
            SortColumn::Ownership => "OWNERSHIP",
            SortColumn::Quality => "QUALITY",
            SortColumn::Platform => "PLATFORM",
            SortColumn::Storage => "STORAGE",
            SortColumn::RegLeft => "REG LEFT",
        }
    }

    /// A row's value in this column; `None` when nothing is known yet.
    fn key(self, row: &Row, budgets: &BudgetBook) -> Option<SortKey> {
        let n = row.known_number();
        let text = |s: Option<String>| s.filter(|s| !s.is_empty()).map(SortKey::Text);
        match self {
            SortColumn::Label => text(Some(row.title().to_lowercase())),
            // By the digits, so "+44 20…" and "+4420…" sort together.
            SortColumn::Number => text(
                n.and_then(|n| n.display_phone_number.as_deref())
                    .map(|d| d.chars().filter(char::is_ascii_digit).collect()),
            ),
            SortColumn::Name => {
                text(n.and_then(|n| n.verified_name.as_ref().map(|s| s.to_lowercase())))
            }
            SortColumn::Status => text(n.and_then(|n| n.status.as_ref().map(|s| s.to_string()))),
            SortColumn::Ownership => {
                text(n.and_then(|n| n.code_verification_status.as_ref().map(|s| s.to_string())))
            }
            SortColumn::Quality => {
                text(n.and_then(|n| n.quality_rating.as_ref().map(|s| s.to_string())))
            }
            SortColumn::Platform => text(n.and_then(|n| {
                if n.is_on_biz_app == Some(true) {
                    Some("coexist".to_owned())
                } else {
                    n.platform_type.as_ref().map(|p| p.short().to_owned())
                }
            })),
            SortColumn::Storage => match &row.storage {
                Storage::Known(s) => text(Some(s.summary())),
                _ => None,
            },
            SortColumn::RegLeft => Some(SortKey::Count(
                budgets.budget(row.id.as_str(), Operation::Register).left(),
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum SortKey {
    Count(u32),
    Text(String),
}

/// The table's order: a column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: SortColumn,
    pub descending: bool,
}

impl Sort {
    /// `s`: unsorted → the first column → … → the last → unsorted (the order rows came in).
    pub fn next(current: Option<Sort>) -> Option<Sort> {
        let at = current.map(|s| SortColumn::ALL.iter().position(|c| *c == s.column));
        let next = match at {
            None => Some(0),
            Some(Some(i)) if i + 1 < SortColumn::ALL.len() => Some(i + 1),
            _ => None,
        };
        next.map(|i| Sort {
            column: SortColumn::ALL[i],
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
                column: SortColumn::ALL[0],
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
        let mut keyed: Vec<(Option<SortKey>, usize)> = visible
            .iter()
            .map(|&i| (self.column.key(&rows[i], budgets), i))
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
