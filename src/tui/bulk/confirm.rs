//! The bulk popup's plan stage: the engine's plan for every marked number (a dry run:
//! nothing has been sent), its totals, and the typed confirmation (the count of numbers that
//! will be touched) with one masked PIN when the action needs one. Its keys, what they do and
//! how it is drawn.

use ratatui::Frame;
use ratatui::crossterm::event::KeyCode::{BackTab, Backspace, Enter, Esc, PageDown, PageUp, Tab};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{BulkKey, left_out};
use crate::bulk::{Action, BulkPlan};
use crate::graph::Region;
use crate::tui::keys::{
    self, Action as Key, Binding, BulkStage, HELP_KEY, InputEvent, Keys, QUIT_KEY, b,
};
use crate::tui::theme::Theme;
use crate::tui::view::hanging::hang_at;
use crate::tui::view::popup::{frame_popup, wrapped_height};
use crate::tui::widgets::secret_field::SecretField;

/// Digits typed into the focused line; not in the hints (the line says what to type).
const DIGITS: Binding = Binding {
    keys: Keys::Typing,
    label: "0-9",
    action: Key::Type,
    help: "type the count (and the PIN)",
    footer: false,
};

/// The heading of the budget column: what is left once the plan has run.
const LEFT_AFTER: &str = "LEFT AFTER";

/// Where a left-out reason that wraps continues: under "left out ".
const LEFT_OUT_INDENT: usize = 9;

/// The keys when the action sends no PIN.
pub const KEYS: &[Binding] = &[
    DIGITS,
    b(
        &[Backspace],
        "Backspace",
        Key::Erase,
        "delete a digit",
        false,
    ),
    b(
        &[Enter],
        "Enter",
        Key::Press,
        "sends once the count is right",
        true,
    ),
    b(&[Esc], "Esc", Key::Cancel, "close", true),
    b(&[PageDown], "PgUp/PgDn", Key::PageDown, "scroll", true),
    b(&[PageUp], "PgUp", Key::PageUp, "scroll up", false),
    HELP_KEY,
    QUIT_KEY,
];

/// The keys when it also takes the PIN for every number.
pub const KEYS_WITH_PIN: &[Binding] = &[
    DIGITS,
    b(
        &[Backspace],
        "Backspace",
        Key::Erase,
        "delete a digit",
        false,
    ),
    b(&[Tab, BackTab], "Tab", Key::NextField, "PIN/count", true),
    b(
        &[Enter],
        "Enter",
        Key::Press,
        "sends once both are right",
        true,
    ),
    b(&[Esc], "Esc", Key::Cancel, "close", true),
    b(&[PageDown], "PgDn", Key::PageDown, "scroll down", false),
    b(&[PageUp], "PgUp", Key::PageUp, "scroll up", false),
    HELP_KEY,
    QUIT_KEY,
];

#[derive(Debug)]
pub struct Confirm {
    pub action: Action,
    pub region: Option<Region>,
    pub plan: Box<BulkPlan>,
    pub typed: String,
    pub pin: SecretField,
    /// 0: the count field, 1: the PIN field.
    pub focus: usize,
    pub scroll: usize,
}

impl Confirm {
    pub fn new(action: Action, region: Option<Region>, plan: BulkPlan) -> Confirm {
        Confirm {
            action,
            region,
            plan: Box::new(plan),
            typed: String::new(),
            pin: SecretField::new(6),
            focus: 0,
            scroll: 0,
        }
    }

    pub fn stage(&self) -> BulkStage {
        BulkStage::Confirm {
            pin: self.action.needs_pin(),
        }
    }

    pub fn keys(&self) -> &'static [Binding] {
        if self.action.needs_pin() {
            KEYS_WITH_PIN
        } else {
            KEYS
        }
    }

    /// How many numbers the plan sends to (what the user types to confirm).
    pub fn sending(&self) -> usize {
        self.plan.to_send().count()
    }

    /// Whether the typed count matches and the PIN (when needed) is complete.
    pub fn ready(&self) -> bool {
        let n = self.sending();
        n > 0
            && self.typed.trim() == n.to_string()
            && (!self.action.needs_pin() || self.pin.is_complete())
    }

    pub fn on_input(&mut self, input: &InputEvent) -> BulkKey {
        match input.action {
            Some(Key::Cancel) => return BulkKey::Close,
            Some(Key::NextField) if self.action.needs_pin() => self.focus = 1 - self.focus,
            Some(Key::PageDown) => self.scroll += 5,
            Some(Key::PageUp) => self.scroll = self.scroll.saturating_sub(5),
            Some(Key::Press) if self.ready() => return BulkKey::Run,
            Some(Key::Erase) if self.focus == 0 => {
                self.typed.pop();
            }
            Some(Key::Erase) => self.pin.pop(),
            Some(Key::Type) => match input.typed().filter(char::is_ascii_digit) {
                Some(c) if self.focus == 0 && self.typed.len() < 6 => self.typed.push(c),
                Some(c) if self.focus == 1 => {
                    self.pin.push(c);
                }
                _ => {}
            },
            _ => {}
        }
        BulkKey::Stay
    }

    /// `hidden`: the marked numbers the filter hides, listed so nobody sends to them unawares.
    pub fn draw(&self, frame: &mut Frame, screen: Rect, theme: &Theme, hidden: &[String]) {
        let Confirm {
            action,
            region,
            plan,
            typed,
            pin,
            focus,
            scroll,
        } = self;
        let width = screen.width.saturating_sub(4).min(110);
        let height = screen.height.saturating_sub(2).min(30);
        let title = match region {
            Some(r) => format!("Bulk {} to {} — plan", action.words(), r.code()),
            None => format!("Bulk {} — plan", action.words()),
        };
        let inner = frame_popup(frame, screen, theme, &title, width, height);
        let sending = plan.to_send().count();
        // The totals and the warnings under them wrap: a warning is worth reading whole
        // (the one PIN given to numbers that have one; the marks the filter hides).
        let totals: Vec<Line<'static>> = vec![
            Line::styled(plan.totals(4), theme.accent()),
            Line::styled(
                format!("{} left out", plan.rows.len() - sending),
                theme.dim(),
            ),
        ]
        .into_iter()
        .chain(
            plan.cap_note(*action)
                .map(|n| Line::styled(n, theme.warn())),
        )
        .chain(plan.pin_warning().map(|w| Line::styled(w, theme.warn())))
        .chain((!hidden.is_empty()).then(|| {
            Line::styled(
                format!("marked but hidden by the filter: {}", hidden.join(", ")),
                theme.warn(),
            )
        }))
        .collect();
        let [table_area, totals_area, confirm_area] = Layout::vertical([
            Constraint::Min(3),
            Constraint::Length(wrapped_height(&totals, inner.width)),
            Constraint::Length(if action.needs_pin() { 3 } else { 2 }),
        ])
        .areas(inner);
        // Each row's calls, short: "/deregister /settings /register".
        let calls_of = |row: &crate::bulk::PlannedRow| -> String {
            row.calls()
                .iter()
                .map(|c| {
                    c.trim_start_matches("POST ")
                        .split(' ')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        // The number's name gives way first, then the calls end in `…`: the row fits.
        let width = table_area.width as usize;
        // The budget each plan spends, as left after it ("9/10", "dereg 9/10, reg 9/10"):
        // headed so, as `wareg bulk` heads it, since the table beside it says what is left
        // now (10/10 there, 9/10 here).
        let left_width = plan
            .to_send()
            .map(|r| crate::width::of(&r.budget_after()))
            .max()
            .unwrap_or(0)
            .max(crate::width::of(LEFT_AFTER));
        let fixed = 1 + 14 + 1 + left_width + 2;
        let calls_width = plan
            .to_send()
            .map(|r| crate::width::of(&calls_of(r)))
            .max()
            .unwrap_or(0);
        let name_width = width.saturating_sub(fixed + calls_width).clamp(12, 28);
        let calls_room = width.saturating_sub(fixed + name_width);
        let mut rows: Vec<Line> = vec![Line::styled(
            format!(
                "{:<name_width$} {:<14} {:>left_width$}  CALLS",
                "NUMBER", "PLAN", LEFT_AFTER
            ),
            theme.title(),
        )];
        for row in plan.to_send() {
            let name = row
                .target
                .label
                .clone()
                .unwrap_or_else(|| row.target.id.to_string());
            let left = row.budget_after();
            let name = crate::clean::text(&name, 200);
            rows.push(Line::raw(format!(
                "{:<name_width$} {:<14} {:>left_width$}  {}",
                crate::width::ellipsize(&name, name_width),
                row.kind(),
                left,
                crate::width::ellipsize(&calls_of(row), calls_room)
            )));
        }
        // The reason is what a person acts on: wrapped whole, under itself.
        for (name, why) in left_out(plan) {
            let text = format!("left out {}: {why}", crate::clean::text(&name, 28));
            rows.extend(hang_at(
                Line::styled(text, theme.warn()),
                u16::try_from(width).unwrap_or(u16::MAX),
                LEFT_OUT_INDENT,
            ));
        }
        let visible = table_area.height as usize;
        let start = (*scroll).min(rows.len().saturating_sub(visible));
        frame.render_widget(
            Paragraph::new(
                rows.into_iter()
                    .skip(start)
                    .take(visible)
                    .collect::<Vec<_>>(),
            ),
            table_area,
        );
        frame.render_widget(
            Paragraph::new(totals).wrap(Wrap { trim: true }),
            totals_area,
        );
        let cursor = |on: bool| if on { "▏" } else { "" };
        let mut confirm = vec![Line::from(vec![
            Span::raw(format!("Type {sending} to confirm: ")),
            Span::styled(format!("{typed}{}", cursor(*focus == 0)), theme.selected()),
        ])];
        if action.needs_pin() {
            confirm.push(Line::from(vec![
                Span::raw("PIN for every number: "),
                Span::styled(
                    format!("{}{}", pin.masked(), cursor(*focus == 1)),
                    theme.selected(),
                ),
            ]));
        }
        confirm.push(Line::styled(keys::hints(self.keys()), theme.dim()));
        frame.render_widget(Paragraph::new(confirm), confirm_area);
    }
}
