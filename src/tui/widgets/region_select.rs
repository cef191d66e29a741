//! The region dropdown: "no local storage" first, then the 14 regions grouped by area. Values
//! come from the `Region` enum, so nothing outside Meta's list can be picked.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::graph::Region;
use crate::tui::keys::{Action, InputEvent};
use crate::tui::theme::Theme;

use crate::tui::keys::{Binding, HELP_KEY, b, typing};
use ratatui::crossterm::event::KeyCode::{
    BackTab, Char, Down, End, Enter, Esc, Home, PageDown, PageUp, Tab, Up,
};

pub const KEYS: &[Binding] = &[
    b(&[Down, Tab], "↓", Action::Down, "next region", false),
    b(&[Up, BackTab], "↑", Action::Up, "previous region", false),
    b(&[PageDown], "PgDn", Action::PageDown, "page down", false),
    b(&[PageUp], "PgUp", Action::PageUp, "page up", false),
    b(&[Home], "Home", Action::Top, "first", false),
    b(&[End], "End", Action::Bottom, "last", false),
    b(&[Enter, Char(' ')], "Enter", Action::Pick, "pick", true),
    b(&[Esc], "Esc", Action::Cancel, "close the list", true),
    HELP_KEY,
    typing("letters", "jump (gb, ger)"),
];

/// How many options an open dropdown shows at once.
pub const VISIBLE_OPTIONS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSelect {
    /// 0 is "no local storage"; i > 0 is `Region::ALL[i - 1]`.
    pub chosen: usize,
    /// Nothing picked yet, and the storage in force was not known when the form opened: the
    /// register leaves it as it is (never "none" by default, which would turn it off).
    pub leave: bool,
    /// While open: the highlighted option and the first option drawn.
    pub open: Option<(usize, usize)>,
    /// Letters typed while open, for type-ahead ("gb", "ger", "sin"), and when the last came.
    typed: String,
    typed_at: Option<DateTime<Utc>>,
}

/// A pause longer than this starts a new type-ahead word.
const TYPE_AHEAD_PAUSE: chrono::TimeDelta = chrono::TimeDelta::milliseconds(1000);

pub const OPTION_COUNT: usize = Region::ALL.len() + 1;

impl RegionSelect {
    pub fn new(current: Option<Region>) -> Self {
        let chosen = current
            .and_then(|r| Region::ALL.iter().position(|x| *x == r))
            .map_or(0, |i| i + 1);
        RegionSelect {
            chosen,
            leave: false,
            open: None,
            typed: String::new(),
            typed_at: None,
        }
    }

    /// A list for a number whose storage was not read: it leaves storage as it is until a
    /// region (or "none") is picked.
    pub fn unread() -> Self {
        RegionSelect {
            leave: true,
            ..RegionSelect::new(None)
        }
    }

    pub fn value(&self) -> Option<Region> {
        option(self.chosen)
    }

    pub fn open(&mut self) {
        self.open = Some((self.chosen, 0));
        self.typed.clear();
        self.scroll();
    }

    /// Type-ahead: the letters typed so far (a pause starts over) pick the first option whose
    /// code, else a word of whose name, starts with them; one letter pressed again cycles
    /// through the options that start with it.
    fn type_ahead(&mut self, highlight: usize, c: char, now: DateTime<Utc>) -> usize {
        if self
            .typed_at
            .is_none_or(|t| now.signed_duration_since(t) > TYPE_AHEAD_PAUSE)
        {
            self.typed.clear();
        }
        self.typed_at = Some(now);
        self.typed.push(c.to_ascii_lowercase());
        let mut letters = self.typed.chars();
        let first = letters.next().unwrap_or(c);
        if letters.all(|l| l == first) {
            return jump(highlight, first).unwrap_or(highlight);
        }
        find_prefix(&self.typed).unwrap_or(highlight)
    }

    /// Handles a key while open (its action in the dropdown's table), `now` by the app's
    /// clock (type-ahead words end at a pause); returns false when the list is not open.
    pub fn on_input(&mut self, input: &InputEvent, now: DateTime<Utc>) -> bool {
        let Some((highlight, _)) = self.open else {
            return false;
        };
        let last = OPTION_COUNT - 1;
        let next = match input.action {
            Some(Action::Down) => (highlight + 1).min(last),
            Some(Action::Up) => highlight.saturating_sub(1),
            Some(Action::Top) => 0,
            Some(Action::Bottom) => last,
            Some(Action::PageDown) => (highlight + VISIBLE_OPTIONS).min(last),
            Some(Action::PageUp) => highlight.saturating_sub(VISIBLE_OPTIONS),
            Some(Action::Pick) => {
                self.chosen = highlight;
                self.leave = false;
                self.open = None;
                return true;
            }
            Some(Action::Cancel) => {
                self.open = None;
                return true;
            }
            _ => match input.typed() {
                Some(c) if c.is_ascii_alphabetic() => self.type_ahead(highlight, c, now),
                _ => return true,
            },
        };
        if let Some(open) = &mut self.open {
            open.0 = next;
        }
        self.scroll();
        true
    }

    fn scroll(&mut self) {
        if let Some((highlight, first)) = &mut self.open {
            if *highlight < *first {
                *first = *highlight;
            } else if *highlight >= *first + VISIBLE_OPTIONS {
                *first = *highlight + 1 - VISIBLE_OPTIONS;
            }
        }
    }
}

impl RegionSelect {
    /// The open list, over the form whose inside is `form`, under the field's label on the
    /// form's line `field_row`.
    pub fn draw_open(&self, frame: &mut Frame, form: Rect, field_row: u16, theme: &Theme) {
        let Some((highlight, first)) = self.open else {
            return;
        };
        let height = VISIBLE_OPTIONS as u16 + 2;
        let top = field_row + 1;
        let area = Rect::new(
            form.x + 16,
            form.y + top,
            40.min(form.width.saturating_sub(16)),
            height.min(form.height.saturating_sub(top)),
        );
        // The rows it covers are cleared across the whole form, so no word of the form under
        // it shows beside the list.
        frame.render_widget(Clear, Rect::new(form.x, area.y, form.width, area.height));
        let lines: Vec<Line> = (first..(first + VISIBLE_OPTIONS).min(OPTION_COUNT))
            .map(|i| {
                let group = option(i).map_or("", |r| r.group().label());
                // A mark as well as the highlight, for terminals without colour (NO_COLOR).
                let mark = if i == highlight { "▸" } else { " " };
                let text = format!("{mark}{group:<7}{}", option_label(i));
                if i == highlight {
                    Line::styled(text, theme.selected())
                } else {
                    Line::raw(text)
                }
            })
            .collect();
        let more = if first + VISIBLE_OPTIONS < OPTION_COUNT {
            " ▼ more "
        } else {
            ""
        };
        let block = Block::bordered()
            .title(" region · letters jump ")
            .title_bottom(more)
            .border_style(theme.focused_border());
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }
}

pub fn option(index: usize) -> Option<Region> {
    index
        .checked_sub(1)
        .and_then(|i| Region::ALL.get(i).copied())
}

/// The dropdown's text for an option: "DE  EU (Germany)" or "none: no local storage".
pub fn option_label(index: usize) -> String {
    match option(index) {
        Some(r) => format!("{}  {}", r.code(), r.name()),
        None => "none  no local storage".to_owned(),
    }
}

/// The first option whose code starts with `typed`, else the first with a word of its name
/// that does ("ger" finds EU (Germany), "sin" Singapore).
fn find_prefix(typed: &str) -> Option<usize> {
    let code = |i: usize| option(i).map_or("none".to_owned(), |r| r.code().to_lowercase());
    let words = |i: usize| {
        let name = option(i).map_or("no local storage".to_owned(), |r| r.name().to_lowercase());
        name.split(|c: char| !c.is_alphanumeric())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    (0..OPTION_COUNT)
        .find(|&i| code(i).starts_with(typed))
        .or_else(|| (0..OPTION_COUNT).find(|&i| words(i).iter().any(|w| w.starts_with(typed))))
}

/// The next option after `from` whose code or name starts with `c`, wrapping around.
fn jump(from: usize, c: char) -> Option<usize> {
    let c = c.to_ascii_lowercase();
    (1..=OPTION_COUNT)
        .map(|step| (from + step) % OPTION_COUNT)
        .find(|&i| {
            let starts = |s: &str| {
                s.chars()
                    .next()
                    .is_some_and(|f| f.to_ascii_lowercase() == c)
            };
            match option(i) {
                Some(r) => starts(r.code()) || starts(r.name()),
                None => starts("none"),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    impl RegionSelect {
        /// A key as the app hands it: resolved through the dropdown's table.
        pub(super) fn on_key(&mut self, key: &KeyEvent, now: DateTime<Utc>) -> bool {
            let action = crate::tui::keys::action(KEYS, key);
            self.on_input(&InputEvent { key: *key, action }, now)
        }
    }

    /// A fixed time `ms` milliseconds into the test.
    pub(super) fn at(ms: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + chrono::TimeDelta::milliseconds(ms)
    }

    #[test]
    fn letters_jump_arrows_move_enter_picks() {
        let mut select = RegionSelect::new(None);
        assert_eq!(select.value(), None);
        select.open();
        select.on_key(&key(KeyCode::Char('s')), at(0));
        assert_eq!(option(select.open.unwrap().0), Some(Region::Sg));
        select.on_key(&key(KeyCode::Char('s')), at(0));
        assert_eq!(
            option(select.open.unwrap().0),
            Some(Region::Kr),
            "South Korea by name"
        );
        select.on_key(&key(KeyCode::Down), at(0));
        select.on_key(&key(KeyCode::Enter), at(0));
        assert_eq!(select.value(), Some(Region::De));
        assert!(select.open.is_none());
    }

    #[test]
    fn the_open_list_scrolls_to_keep_the_highlight_visible() {
        let mut select = RegionSelect::new(Some(Region::Ca));
        select.open();
        let (highlight, first) = select.open.unwrap();
        assert_eq!(highlight, OPTION_COUNT - 1);
        assert!(highlight < first + VISIBLE_OPTIONS && highlight >= first);
        select.on_key(&key(KeyCode::Esc), at(0));
        assert_eq!(select.value(), Some(Region::Ca), "Esc keeps the old choice");
    }
}

#[cfg(test)]
mod type_ahead_tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::tests::at;

    /// Types `text` one key every `gap` ms on the app's clock, then Enter.
    fn typed_with_gap(text: &str, gap: i64) -> Option<Region> {
        let mut select = RegionSelect::new(None);
        select.open();
        for (i, c) in text.chars().enumerate() {
            let key = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            select.on_key(&key, at(i as i64 * gap));
        }
        select.on_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), at(0));
        select.value()
    }

    fn typed(text: &str) -> Option<Region> {
        typed_with_gap(text, 100)
    }

    #[test]
    fn a_pause_on_the_clock_starts_a_new_word() {
        // "g" then, after a pause, "b": the second letter is a word of its own (Brazil).
        assert_eq!(typed_with_gap("gb", 1500), Some(Region::Br));
        assert_eq!(typed_with_gap("gb", 100), Some(Region::Gb));
    }

    #[test]
    fn letters_typed_together_match_a_code_or_a_word_of_the_name() {
        assert_eq!(typed("gb"), Some(Region::Gb));
        assert_eq!(typed("in"), Some(Region::In));
        assert_eq!(typed("ger"), Some(Region::De));
        assert_eq!(typed("sin"), Some(Region::Sg));
        assert_eq!(
            typed("ii"),
            Some(Region::In),
            "one letter again cycles: ID, then IN"
        );
        assert_eq!(typed("qx"), None, "no match keeps the highlight");
    }
}
