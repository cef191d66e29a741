//! Popup frames and the small shared pieces of forms: buttons, field labels, alerts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::layout::centered;
use crate::tui::theme::Theme;

/// Clears a centred area, draws a titled border and returns the inside.
pub fn frame_popup(
    frame: &mut Frame,
    screen: Rect,
    theme: &Theme,
    title: &str,
    width: u16,
    height: u16,
) -> Rect {
    // Never over the header or the footer: the footer says which keys work in the popup.
    let width = popup_width(screen, width);
    let area = centered(screen, width, height.min(screen.height.saturating_sub(2)));
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(format!(" {title} "))
        .border_style(theme.focused_border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// How wide a popup asked to be `width` is drawn: a popup that would leave a column or less on
/// each side takes the whole width, so no piece of the table's border (a corner beside the
/// popup's own) is left showing.
pub fn popup_width(screen: Rect, width: u16) -> u16 {
    if width + 2 >= screen.width {
        screen.width
    } else {
        width
    }
}

pub fn paragraph(frame: &mut Frame, area: Rect, lines: Vec<Line<'static>>) {
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// Rows `lines` take when word-wrapped at `width`, exactly as `paragraph` draws them.
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let count = Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: false })
        .line_count(width.max(1));
    u16::try_from(count).unwrap_or(u16::MAX)
}

/// A form's lines laid out for a screen: what is shown, and how far the body can scroll.
pub struct FormLayout {
    pub lines: Vec<Line<'static>>,
    /// How many body lines can be scrolled past at most (0: it all fits).
    pub max_scroll: usize,
    /// For each of `lines`, the index in the body it was laid out from (`None`: a note or
    /// the tail), so a popup can draw over a body line wherever the scroll put it.
    pub origins: Vec<Option<usize>>,
}

impl FormLayout {
    /// The row (inside the popup) where body line `index` starts, when it is in view.
    pub fn row_of(&self, index: usize, width: u16) -> Option<u16> {
        let at = self.origins.iter().position(|o| *o == Some(index))?;
        Some(wrapped_height(&self.lines[..at], width))
    }
}

/// Lays a form out as tall as its content, as wide as `width` allows. The `tail` (the buttons
/// and what is said under them) is always shown, under the `body`. On a short screen the blank
/// spacer lines go first, then the body scrolls: `scroll` lines of it are skipped from the top
/// (at most `max_scroll`), and a line above and below says how much is out of view and how to
/// see it.
pub fn form_layout(
    screen: Rect,
    width: u16,
    body: Vec<Line<'static>>,
    tail: Vec<Line<'static>>,
    scroll: usize,
    theme: &Theme,
) -> FormLayout {
    let inner_width = popup_width(screen, width).saturating_sub(2);
    // Indented lines keep their indent when they wrap (and are counted as the rows they take).
    let hang = |lines: Vec<Line<'static>>| -> Vec<Line<'static>> {
        lines
            .into_iter()
            .flat_map(|line| super::hanging::hang(line, inner_width))
            .collect()
    };
    let pinned = hang(tail);
    // Each body line laid out, with the index it came from.
    let (mut origin, mut lines): (Vec<usize>, Vec<Line<'static>>) = body
        .into_iter()
        .enumerate()
        .flat_map(|(i, line)| {
            super::hanging::hang(line, inner_width)
                .into_iter()
                .map(move |row| (i, row))
        })
        .unzip();
    // Inside the popup's border, and clear of the header and footer lines (the footer says
    // which keys work here).
    let room = screen.height.saturating_sub(4);
    let rows = |lines: &[Line<'static>]| wrapped_height(lines, inner_width);
    let left = room.saturating_sub(rows(&pinned));
    if rows(&lines) > left {
        let keep: Vec<bool> = lines.iter().map(|l| l.width() > 0).collect();
        let mut kept = keep.iter();
        origin.retain(|_| kept.next().copied().unwrap_or(true));
        let mut kept = keep.iter();
        lines.retain(|_| kept.next().copied().unwrap_or(true));
    }
    if rows(&lines) <= left {
        let mut origins: Vec<Option<usize>> = origin.into_iter().map(Some).collect();
        origins.extend(pinned.iter().map(|_| None));
        lines.extend(pinned);
        return FormLayout {
            lines,
            max_scroll: 0,
            origins,
        };
    }
    // How many lines from `from` fit in `space` rows.
    let fitting = |from: usize, space: u16| -> usize {
        let mut used = 0;
        lines[from..]
            .iter()
            .take_while(|line| {
                used += rows(std::slice::from_ref(line));
                used <= space
            })
            .count()
    };
    // Scrolled as far as it goes: the last lines fill the room under the "above" note.
    let max_scroll = (1..lines.len())
        .find(|&from| fitting(from, left.saturating_sub(1)) == lines.len() - from)
        .unwrap_or(lines.len().saturating_sub(1));
    let from = scroll.min(max_scroll);
    let above = usize::from(from > 0);
    let all_rest = fitting(from, left.saturating_sub(above as u16)) == lines.len() - from;
    let below = u16::from(!all_rest);
    let shown = fitting(from, left.saturating_sub(above as u16 + below));
    let hidden_below = lines.len() - from - shown;
    let mut out = Vec::new();
    let mut origins = Vec::new();
    if from > 0 {
        out.push(Line::styled(
            format!(
                "  ⋯ {} above: PgUp scrolls back",
                crate::plural::count(from, "line")
            ),
            theme.dim(),
        ));
        origins.push(None);
    }
    out.extend(lines.into_iter().skip(from).take(shown));
    origins.extend(origin.into_iter().skip(from).take(shown).map(Some));
    if hidden_below > 0 {
        out.push(Line::styled(
            format!(
                "  ⋯ {}: PgDn scrolls (or a taller terminal)",
                crate::plural::count(hidden_below, "more line")
            ),
            theme.dim(),
        ));
        origins.push(None);
    }
    origins.extend(pinned.iter().map(|_| None));
    out.extend(pinned);
    FormLayout {
        lines: out,
        max_scroll,
        origins,
    }
}

/// Draws a form laid out by [`form_layout`]; returns the popup's inside.
pub fn form_popup(
    frame: &mut Frame,
    screen: Rect,
    theme: &Theme,
    title: &str,
    width: u16,
    layout: FormLayout,
) -> Rect {
    let inner_width = popup_width(screen, width).saturating_sub(2);
    let height = wrapped_height(&layout.lines, inner_width) + 2;
    let inner = frame_popup(frame, screen, theme, title, width, height);
    paragraph(frame, inner, layout.lines);
    inner
}

/// `[ Register ]`: reversed when focused, dimmed when disabled.
pub fn button(theme: &Theme, label: &str, focused: bool, enabled: bool) -> Span<'static> {
    let mut style = if enabled { Style::new() } else { theme.dim() };
    if focused {
        style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
    }
    Span::styled(format!("[ {label} ]"), style)
}

/// `  [ Submit ]  [ Cancel ]`: the action button (focused or not, enabled or not) and Cancel.
pub fn button_row(
    theme: &Theme,
    submit: (&str, bool, bool),
    cancel_focused: bool,
    editing: bool,
) -> Line<'static> {
    let (label, focused, enabled) = submit;
    Line::from(vec![
        Span::raw("  "),
        button(theme, label, focused, enabled && editing),
        Span::raw("  "),
        button(theme, "Cancel", cancel_focused, editing),
    ])
}

/// "••••__": one mask per digit typed, then a place for each digit still to come.
pub fn masked_slots(field: &crate::tui::widgets::SecretField, slots: usize) -> String {
    format!(
        "{}{}",
        field.masked(),
        "_".repeat(slots.saturating_sub(field.len()))
    )
}

/// "▸ PIN      " for the focused field, "  PIN      " otherwise.
pub fn field_label(theme: &Theme, label: &str, focused: bool) -> Span<'static> {
    let marker = if focused { "▸ " } else { "  " };
    let style = if focused {
        theme.accent()
    } else {
        Style::new()
    };
    Span::styled(format!("{marker}{label:<16}"), style)
}
