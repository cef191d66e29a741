//! The table's columns, each described once: its title, its key (the filter's `key:`, the CSV
//! header, the JSON key), its value, how the TUI shows it (text, a colour hook, width hints)
//! and how it sorts. The TUI table, the sort, the filter grammar, the CSV/JSON export and
//! `wareg numbers` all walk these, so a new column is one arm of `Column::spec` plus its place
//! in the lists below.

use std::borrow::Cow;

use super::next::SHOWN_WIDTH;
use super::row::{Live, Row, Storage};
use crate::audit::{BudgetBook, Operation};
use crate::engine::NextKey;
use crate::graph::PhoneNumber;
use crate::graph::enums::{CodeVerification, NumberStatus, QualityRating};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Id,
    Label,
    Number,
    Name,
    Profile,
    Status,
    Ownership,
    Quality,
    Platform,
    Health,
    Storage,
    RegisterLeft,
    DeregisterLeft,
    /// What the number needs next (`engine::next_step`): its step's key in files and the
    /// filter, its short words (`fleet::next::shown`) in the tables.
    Next,
    /// The messaging limit (the field by API version).
    Limit,
    Error,
}

/// What a value is: text (empty when not known) or a count (a budget left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    Text(Cow<'a, str>),
    Count(u32),
}

impl Value<'_> {
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Value::Text(t) => Cow::Borrowed(t.as_ref()),
            Value::Count(n) => Cow::Owned(n.to_string()),
        }
    }
}

/// What a cell means, for the TUI's colours (the theme turns it into a style).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Dim,
    Accent,
    Warn,
    Bad,
    Status(NumberStatus),
    Verification(CodeVerification),
    Quality(QualityRating),
}

/// One cell of the TUI table before it is fitted to its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
        }
    }

    pub fn toned(text: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            text: text.into(),
            tone,
        }
    }
}

/// How a column sits in the TUI table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Width {
    /// It can be cut down to this many cells (with `…`).
    pub min: usize,
    /// It never takes more than this many cells, however long its values.
    pub max: usize,
    /// Left out, in this order (0 first), when the screen is too narrow for every column;
    /// `None` for a column that always stays. [`EXTRA`] (0) is shown only where every column
    /// fits whole, [`LAST_RESORT`] wherever the rest cut to their least width leave room.
    pub drop_order: Option<u8>,
}

/// The drop order of a column worth showing only when there is room to spare (the id).
pub const EXTRA: u8 = 0;

/// The drop order of a column that leaves only when the columns cut to their least width
/// would not fit with it (NEXT, below 80 columns). Such a column is also the last one cut.
pub const LAST_RESORT: u8 = u8::MAX;

/// How `wareg numbers` heads and pads a column in its text table. Each column is as wide as
/// the longest value it prints (its title at least).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextWidth {
    pub title: &'static str,
    /// The most a cut column takes.
    pub width: usize,
    /// Right-aligned (a count).
    pub right: bool,
    /// Cut to `width` with `…` (a label, a name); the others take their longest value whole.
    pub cut: bool,
}

/// A row's value in a sort; rows with `None` go last either way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Count(u32),
    Text(String),
}

/// What only the TUI knows of a row on screen, for the cells it draws.
#[derive(Debug, Clone, Default)]
pub struct Screen {
    /// Marked for a bulk action.
    pub marked: bool,
    /// A change in progress here or at another desk ("in progress 14:05"), and whether it
    /// looks abandoned.
    pub intent: Option<(String, bool)>,
    /// When the stale value shown was read, as the TUI writes a time ("14:05").
    pub stale_since: Option<String>,
    /// How old the known storage is, when it is old enough to say ("12 d").
    pub storage_age: Option<String>,
}

/// Everything a column reads to say its value for one row.
pub struct Facts<'a> {
    pub row: &'a Row,
    pub budgets: &'a BudgetBook,
    pub screen: &'a Screen,
}

/// A value still being read. Not `…`, which marks a value cut to fit its column.
pub const LOADING: &str = "⋯";

/// What describes a column; see `Column::spec`.
struct Spec {
    key: &'static str,
    title: &'static str,
    /// Its place in the TUI table, when it has one.
    width: Option<Width>,
    /// Its place in `wareg numbers`' text table, when it has one.
    text: Option<TextWidth>,
    /// The filter can name it (`key:value`), and plain words look at it (except profile and
    /// next).
    filter: bool,
    /// `key:value` matches the whole value only (`next:register` is not `reregister`).
    exact: bool,
    /// Its value comes from the live read (unknown until the number is read).
    live: bool,
    value: for<'a> fn(&Facts<'a>) -> Value<'a>,
    /// The TUI's cell; `None`: the value as plain text, `—` when unknown.
    cell: Option<fn(&Facts) -> Cell>,
    /// The sort key; `None`: the value as it is.
    sort: Option<fn(&Facts) -> Option<SortKey>>,
}

const fn width(min: usize, max: usize, drop_order: Option<u8>) -> Option<Width> {
    Some(Width {
        min,
        max,
        drop_order,
    })
}

const fn text(title: &'static str, width: usize) -> Option<TextWidth> {
    Some(TextWidth {
        title,
        width,
        right: false,
        cut: false,
    })
}

const fn cut_text(title: &'static str, width: usize) -> Option<TextWidth> {
    Some(TextWidth {
        title,
        width,
        right: false,
        cut: true,
    })
}

const fn count(title: &'static str, width: usize) -> Option<TextWidth> {
    Some(TextWidth {
        title,
        width,
        right: true,
        cut: false,
    })
}

impl Column {
    /// Every column, in the order files are written: the CSV header and the JSON keys.
    pub const ALL: [Column; 16] = [
        Column::Id,
        Column::Label,
        Column::Number,
        Column::Name,
        Column::Profile,
        Column::Status,
        Column::Ownership,
        Column::Quality,
        Column::Platform,
        Column::Health,
        Column::Storage,
        Column::RegisterLeft,
        Column::DeregisterLeft,
        Column::Next,
        Column::Limit,
        Column::Error,
    ];

    /// The TUI table, left to right; `s` sorts by them in this order.
    pub const TABLE: [Column; 12] = [
        Column::Label,
        Column::Number,
        Column::Name,
        Column::Status,
        Column::Next,
        Column::Ownership,
        Column::Quality,
        Column::Limit,
        Column::Platform,
        Column::Storage,
        Column::RegisterLeft,
        Column::Id,
    ];

    /// `wareg numbers`' text table, left to right: LABEL is the config's label alone (what
    /// `bulk --label` matches), NAME Meta's verified name.
    pub const TEXT: [Column; 10] = [
        Column::Id,
        Column::Label,
        Column::Number,
        Column::Name,
        Column::Status,
        Column::Ownership,
        Column::Quality,
        Column::RegisterLeft,
        Column::DeregisterLeft,
        Column::Next,
    ];

    /// The filter's columns in the order its words name them.
    pub const FILTER: [Column; 13] = [
        Column::Label,
        Column::Number,
        Column::Name,
        Column::Id,
        Column::Status,
        Column::Ownership,
        Column::Quality,
        Column::Platform,
        Column::Health,
        Column::Storage,
        Column::Limit,
        Column::Profile,
        Column::Next,
    ];

    fn spec(self) -> Spec {
        let base = Spec {
            key: "",
            title: "",
            width: None,
            text: None,
            filter: false,
            exact: false,
            live: true,
            value: |_| Value::Text(Cow::Borrowed("")),
            cell: None,
            sort: None,
        };
        match self {
            Column::Id => Spec {
                key: "id",
                title: "ID",
                width: width(15, 17, Some(EXTRA)),
                text: text("ID", 17),
                filter: true,
                live: false,
                value: |f| Value::Text(Cow::Borrowed(f.row.id.as_str())),
                ..base
            },
            Column::Label => Spec {
                key: "label",
                title: "LABEL",
                width: width(8, 40, None),
                text: cut_text("LABEL", 24),
                filter: true,
                live: false,
                value: |f| Value::Text(Cow::Borrowed(f.row.label.as_deref().unwrap_or_default())),
                cell: Some(label_cell),
                sort: Some(|f| nonempty(f.row.title().to_lowercase())),
                ..base
            },
            Column::Number => Spec {
                key: "number",
                title: "NUMBER",
                width: width(6, usize::MAX, None),
                text: text("NUMBER", 18),
                filter: true,
                value: |f| live_text(f, |n| n.display_phone_number.as_deref().map(Cow::Borrowed)),
                cell: Some(number_cell),
                // By the digits, so "+44 20…" and "+4420…" sort together.
                sort: Some(|f| {
                    let n = f.row.known_number()?.display_phone_number.as_deref()?;
                    nonempty(n.chars().filter(char::is_ascii_digit).collect())
                }),
                ..base
            },
            Column::Name => Spec {
                key: "name",
                title: "NAME",
                width: width(8, 30, Some(2)),
                text: cut_text("NAME", 30),
                filter: true,
                value: |f| live_text(f, |n| n.verified_name.as_deref().map(Cow::Borrowed)),
                cell: Some(name_cell),
                sort: Some(|f| {
                    nonempty(f.row.known_number()?.verified_name.as_ref()?.to_lowercase())
                }),
                ..base
            },
            Column::Profile => Spec {
                key: "profile",
                title: "PROFILE",
                filter: true,
                live: false,
                value: |f| Value::Text(Cow::Borrowed(f.row.profile.as_str())),
                ..base
            },
            Column::Status => Spec {
                key: "status",
                title: "STATUS",
                width: width(9, 14, None),
                text: text("STATUS", 12),
                filter: true,
                value: |f| live_text(f, |n| n.status.as_ref().map(|s| Cow::Owned(s.to_string()))),
                cell: Some(status_cell),
                ..base
            },
            Column::Ownership => Spec {
                key: "ownership",
                title: "OWNERSHIP",
                width: width(7, 12, Some(3)),
                text: text("OWNERSHIP", 12),
                filter: true,
                value: |f| {
                    live_text(f, |n| {
                        n.code_verification_status
                            .as_ref()
                            .map(|s| Cow::Owned(s.to_string()))
                    })
                },
                cell: Some(|f| {
                    read_cell(f, |n| {
                        n.code_verification_status
                            .as_ref()
                            .map(|v| Cell::toned(v.to_string(), Tone::Verification(v.clone())))
                    })
                }),
                ..base
            },
            Column::Quality => Spec {
                key: "quality",
                title: "QUALITY",
                width: width(6, 7, None),
                text: text("QUALITY", 8),
                filter: true,
                value: |f| {
                    live_text(f, |n| {
                        n.quality_rating.as_ref().map(|s| Cow::Owned(s.to_string()))
                    })
                },
                cell: Some(|f| {
                    read_cell(f, |n| {
                        n.quality_rating
                            .as_ref()
                            .map(|q| Cell::toned(q.to_string(), Tone::Quality(q.clone())))
                    })
                }),
                ..base
            },
            Column::Platform => Spec {
                key: "platform",
                title: "PLATFORM",
                width: width(8, 9, Some(1)),
                filter: true,
                value: |f| {
                    live_text(f, |n| {
                        if n.is_on_biz_app == Some(true) {
                            Some(Cow::Borrowed("coexistence"))
                        } else {
                            n.platform_type.as_ref().map(|p| Cow::Borrowed(p.short()))
                        }
                    })
                },
                cell: Some(|f| {
                    read_cell(f, |n| {
                        if n.is_on_biz_app == Some(true) {
                            // Register and deregister are not allowed for these: said where it shows.
                            Some(Cell::toned("coexist", Tone::Warn))
                        } else {
                            n.platform_type.as_ref().map(|p| Cell::plain(p.short()))
                        }
                    })
                }),
                ..base
            },
            Column::Health => Spec {
                key: "health",
                title: "HEALTH",
                filter: true,
                value: |f| {
                    live_text(f, |n| {
                        n.health_status
                            .as_ref()
                            .and_then(|h| h.limit())
                            .map(Cow::Borrowed)
                    })
                },
                ..base
            },
            Column::Storage => Spec {
                key: "storage",
                title: "STORAGE",
                width: width(5, 10, None),
                text: text("STORAGE", 10),
                filter: true,
                live: false,
                value: |f| Value::Text(f.row.storage_summary().map(Cow::Owned).unwrap_or_default()),
                cell: Some(storage_cell),
                sort: Some(|f| nonempty(f.row.storage_summary()?)),
                ..base
            },
            Column::RegisterLeft => Spec {
                key: "register_left",
                title: "REG LEFT",
                width: width(5, 8, None),
                text: count("REG", 5),
                live: false,
                value: |f| Value::Count(budget_left(f, Operation::Register)),
                cell: Some(budget_cell),
                ..base
            },
            Column::DeregisterLeft => Spec {
                key: "deregister_left",
                title: "DEREG LEFT",
                text: count("DEREG", 5),
                live: false,
                value: |f| Value::Count(budget_left(f, Operation::Deregister)),
                ..base
            },
            Column::Next => Spec {
                key: "next",
                title: "NEXT",
                // What a person acts on: it stays at 80 columns whatever the rows on screen
                // or the sort (a long label is cut for it first), and leaves only a screen
                // too narrow for every column at its narrowest. Its words are short
                // (`fleet::next::shown`) and it is cut last, so they are whole at 80 columns.
                width: width(6, SHOWN_WIDTH, Some(LAST_RESORT)),
                text: text("NEXT", 12),
                filter: true,
                exact: true,
                value: |f| {
                    Value::Text(Cow::Borrowed(
                        f.row.next.as_ref().map_or("", |n| n.step.as_str()),
                    ))
                },
                cell: Some(next_cell),
                // In the order the steps win in: what stops a number first.
                sort: Some(|f| {
                    let step = f.row.next.as_ref()?.step;
                    let place = NextKey::ORDER.iter().position(|k| *k == step)?;
                    Some(SortKey::Count(place as u32))
                }),
                ..base
            },
            Column::Limit => Spec {
                key: "limit",
                title: "LIMIT",
                // Shown only where every column fits whole.
                width: width(5, 10, Some(EXTRA)),
                filter: true,
                value: |f| live_text(f, |n| n.messaging_limit().map(Cow::Borrowed)),
                ..base
            },
            Column::Error => Spec {
                key: "error",
                title: "ERROR",
                live: false,
                // A failed read is told apart from one not made: the number's, else storage's.
                value: |f| {
                    Value::Text(match (&f.row.live, &f.row.storage) {
                        (Live::Failed(e), _) => Cow::Owned(e.to_string()),
                        (_, Storage::Failed(why)) => Cow::Owned(format!("storage: {why}")),
                        _ => Cow::Borrowed(""),
                    })
                },
                ..base
            },
        }
    }

    /// The filter, CSV and JSON key: "status", "register_left".
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// The TUI table's header: "STATUS", "REG LEFT".
    pub fn title(self) -> &'static str {
        self.spec().title
    }

    /// How it sits in the TUI table (`None`: not a table column).
    pub fn width(self) -> Option<Width> {
        self.spec().width
    }

    /// How `wareg numbers` heads and pads it.
    pub fn text_width(self) -> Option<TextWidth> {
        self.spec().text
    }

    /// Whether its value comes from the live read.
    pub fn is_live(self) -> bool {
        self.spec().live
    }

    /// The filter can name it.
    pub fn filterable(self) -> bool {
        self.spec().filter
    }

    /// `key:value` matches its whole value only.
    pub fn exact(self) -> bool {
        self.spec().exact
    }

    /// The column a filter's `key:` names.
    pub fn by_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The row's value (what files hold and the filter matches); empty text when not known.
    pub fn value<'a>(self, facts: &Facts<'a>) -> Value<'a> {
        (self.spec().value)(facts)
    }

    /// The TUI's cell.
    pub fn cell(self, facts: &Facts) -> Cell {
        let spec = self.spec();
        match spec.cell {
            Some(cell) => cell(facts),
            None => {
                let value = (spec.value)(facts);
                if spec.live {
                    read_cell(facts, |_| {
                        let text = value.text();
                        (!text.is_empty()).then(|| Cell::plain(text.into_owned()))
                    })
                } else {
                    Cell::plain(value.text().into_owned())
                }
            }
        }
    }

    /// The row's key in a sort by this column; `None` when nothing is known yet.
    pub fn sort_key(self, facts: &Facts) -> Option<SortKey> {
        let spec = self.spec();
        if let Some(sort) = spec.sort {
            return sort(facts);
        }
        match (spec.value)(facts) {
            Value::Count(n) => Some(SortKey::Count(n)),
            Value::Text(t) => nonempty(t.into_owned()),
        }
    }

    /// `wareg numbers`' words for it: what the TUI shows, without what only a screen knows;
    /// `unknown` for a live value not read.
    pub fn words(self, facts: &Facts, unknown: &str) -> String {
        // The step stands whatever the latest read did (fleet::next judged it), as in the TUI.
        if let (Column::Next, Some(next)) = (self, &facts.row.next) {
            return super::next::shown(next.step).to_owned();
        }
        if self.is_live() && facts.row.number().is_none() {
            return unknown.to_owned();
        }
        match self {
            // The config's label alone: the verified name has its own column.
            Column::Label => facts.row.label.clone().unwrap_or_default(),
            Column::Status => status_words(facts.row.number()).unwrap_or_else(|| unknown.into()),
            Column::Storage => match &facts.row.storage {
                Storage::Known(s) => s.summary(),
                Storage::Failed(_) => "✗".into(),
                Storage::NotRead | Storage::Loading => unknown.into(),
            },
            // Meta's 133016 lock says more than a count while it lasts.
            Column::RegisterLeft | Column::DeregisterLeft if locked(facts, self).is_some() => {
                "lock".to_owned()
            }
            _ => {
                let text = self.value(facts).text().into_owned();
                if text.is_empty() && self.is_live() {
                    unknown.to_owned()
                } else {
                    text
                }
            }
        }
    }
}

fn nonempty(text: String) -> Option<SortKey> {
    (!text.is_empty()).then_some(SortKey::Text(text))
}

fn budget_left(facts: &Facts, op: Operation) -> u32 {
    facts.budgets.budget(facts.row.id.as_str(), op).left()
}

/// A value of the number as read (or as last read, for a row whose latest read failed).
fn live_text<'a>(
    facts: &Facts<'a>,
    of: impl Fn(&'a PhoneNumber) -> Option<Cow<'a, str>>,
) -> Value<'a> {
    Value::Text(facts.row.known_number().and_then(of).unwrap_or_default())
}

/// A cell from the live read: `⋯` while it is read, `—` when the read failed or the value
/// is not part of the answer; a stale value when a read failed after one that worked.
fn read_cell(facts: &Facts, of: impl Fn(&PhoneNumber) -> Option<Cell>) -> Cell {
    let dash = || Cell::toned("—", Tone::Dim);
    match &facts.row.live {
        Live::Loading => Cell::toned(LOADING, Tone::Dim),
        Live::Failed(_) => match facts.row.known_number() {
            Some(n) => of(n).unwrap_or_else(dash),
            None => dash(),
        },
        Live::Loaded(n) => of(n).unwrap_or_else(dash),
    }
}

fn label_cell(facts: &Facts) -> Cell {
    if facts.screen.marked {
        Cell::toned(format!("● {}", facts.row.title()), Tone::Accent)
    } else {
        Cell::plain(facts.row.title())
    }
}

fn number_cell(facts: &Facts) -> Cell {
    match (&facts.row.live, facts.row.known_number()) {
        // Nothing was ever read: the failure's reason stands where the number would.
        (Live::Failed(e), None) => Cell::toned(format!("✗ {}", e.short()), Tone::Bad),
        _ => read_cell(facts, |n| {
            n.display_phone_number.as_deref().map(Cell::plain)
        }),
    }
}

/// A change in progress (here or at another desk) says so where the name stands.
fn name_cell(facts: &Facts) -> Cell {
    read_cell(facts, |n| match &facts.screen.intent {
        Some((marker, true)) => Some(Cell::toned(marker.clone(), Tone::Bad)),
        Some((marker, false)) => Some(Cell::toned(marker.clone(), Tone::Warn)),
        None => n.verified_name.as_deref().map(Cell::plain),
    })
}

/// The status, marked when the number cannot send freely: `CONNECTED !` (health LIMITED) or
/// `CONNECTED ✗` (BLOCKED); the details popup says why. A failed read says so here.
fn status_cell(facts: &Facts) -> Cell {
    match (&facts.row.live, facts.row.known_number()) {
        (Live::Failed(_), Some(_)) => {
            let when = facts.screen.stale_since.as_deref().unwrap_or_default();
            Cell::toned(format!("stale {when}").trim_end().to_owned(), Tone::Bad)
        }
        // Not sent (a throttle, a stopped profile) is not a failure of the number.
        (Live::Failed(_), None) if facts.row.not_sent() => Cell::toned("not read", Tone::Warn),
        // A read tried again says how often (its reason is in the NUMBER cell and Enter's).
        (Live::Failed(e), None) if e.tries() > 1 => {
            Cell::toned(format!("failed ×{}", e.tries()), Tone::Bad)
        }
        (Live::Failed(_), None) => Cell::toned("read failed", Tone::Bad),
        _ => read_cell(facts, |n| {
            let status = n.status.as_ref()?;
            let text = status_words(Some(n))?;
            Some(match n.health_mark() {
                Some("✗") => Cell::toned(text, Tone::Bad),
                Some(_) => Cell::toned(text, Tone::Warn),
                None => Cell::toned(text, Tone::Status(status.clone())),
            })
        }),
    }
}

fn status_words(number: Option<&PhoneNumber>) -> Option<String> {
    let n = number?;
    let status = n.status.as_ref()?;
    Some(match n.health_mark() {
        Some(mark) => format!("{status} {mark}"),
        None => status.to_string(),
    })
}

fn storage_cell(facts: &Facts) -> Cell {
    match &facts.row.storage {
        Storage::NotRead => Cell::toned("·", Tone::Dim),
        Storage::Loading => Cell::toned(LOADING, Tone::Dim),
        Storage::Known(s) => match &facts.screen.storage_age {
            // A value kept from an earlier read says how old it is: "DE · 12 d".
            Some(age) => Cell::toned(format!("{} · {age}", s.summary()), Tone::Dim),
            None => Cell::plain(s.summary()),
        },
        Storage::Failed(_) => Cell::toned("✗", Tone::Bad),
    }
}

/// When Meta's 133016 lock on the budget column's operation ends, while it lasts.
fn locked(facts: &Facts, column: Column) -> Option<chrono::DateTime<chrono::Utc>> {
    let op = match column {
        Column::RegisterLeft => Operation::Register,
        Column::DeregisterLeft => Operation::Deregister,
        _ => return None,
    };
    facts.budgets.budget(facts.row.id.as_str(), op).locked_until
}

/// The step's words (`fleet::next::shown`), toned by what it asks of a person: act, wait,
/// fix something first, or nothing.
fn next_cell(facts: &Facts) -> Cell {
    // The step fleet::next gave, whatever the latest read came to (a read that failed leaves
    // the step judged from what was known before, or from the ledger alone), as `numbers`
    // says it; `⋯` while a read is under way.
    let next = match &facts.row.next {
        Some(next) if !facts.row.waiting() => next,
        _ => return read_cell(facts, |_| None),
    };
    let tone = match next.step {
        NextKey::Verify | NextKey::Register | NextKey::Reregister => Tone::Accent,
        NextKey::InProgress
        | NextKey::CheckOutcome
        | NextKey::WaitLock
        | NextKey::WaitThrottle
        | NextKey::WaitReview => Tone::Warn,
        NextKey::FreeNumber | NextKey::EditName | NextKey::FixHealth => Tone::Bad,
        NextKey::ManagedElsewhere | NextKey::Explain | NextKey::None => Tone::Dim,
    };
    Cell::toned(super::next::shown(next.step), tone)
}

fn budget_cell(facts: &Facts) -> Cell {
    if locked(facts, Column::RegisterLeft).is_some() {
        return Cell::toned("locked", Tone::Bad);
    }
    let budget = facts
        .budgets
        .budget(facts.row.id.as_str(), Operation::Register);
    let tone = match budget.left() {
        0 => Tone::Bad,
        1..=3 => Tone::Warn,
        _ => Tone::Plain,
    };
    Cell::toned(format!("{}/{}", budget.left(), budget.limit), tone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_every_list_column_has_what_its_list_needs() {
        let mut keys: Vec<&str> = Column::ALL.iter().map(|c| c.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Column::ALL.len());
        assert!(Column::TABLE.iter().all(|c| c.width().is_some()));
        assert!(Column::TEXT.iter().all(|c| c.text_width().is_some()));
        assert!(Column::FILTER.iter().all(|c| c.filterable()));
        assert_eq!(Column::by_key("register_left"), Some(Column::RegisterLeft));
    }
}
