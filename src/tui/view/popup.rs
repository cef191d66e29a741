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

/// Draws a form popup as tall as its content, as wide as `width` allows. The `tail` (the
/// buttons and what is said under them) is always shown, under the `body`. On a short screen the
/// blank spacer lines go first, then the end of the body (the pre-flight and the plan, below
/// the fields and any failure) gives way to a line saying how much is hidden.
pub fn form_popup(
    frame: &mut Frame,
    screen: Rect,
    theme: &Theme,
    title: &str,
    width: u16,
    body: Vec<Line<'static>>,
    tail: Vec<Line<'static>>,
) -> Rect {
    let inner_width = popup_width(screen, width).saturating_sub(2);
    // Indented lines keep their indent when they wrap (and are counted as the rows they take).
    let hang = |lines: Vec<Line<'static>>| -> Vec<Line<'static>> {
        lines
            .into_iter()
            .flat_map(|line| super::hanging::hang(line, inner_width))
            .collect()
    };
    let pinned = hang(tail);
    let mut lines = hang(body);
    // Inside the popup's border, and clear of the header and footer lines (the footer says
    // which keys work here).
    let room = screen.height.saturating_sub(4);
    let fits = |body: &[Line<'static>]| {
        wrapped_height(body, inner_width) + wrapped_height(&pinned, inner_width) <= room
    };
    if !fits(&lines) {
        lines.retain(|l| l.width() > 0);
    }
    if !fits(&lines) {
        let left = room
            .saturating_sub(wrapped_height(&pinned, inner_width))
            .saturating_sub(1);
        let mut kept = 0;
        let mut used = 0;
        for line in &lines {
            let h = wrapped_height(std::slice::from_ref(line), inner_width);
            if used + h > left {
                break;
            }
            used += h;
            kept += 1;
        }
        let hidden = lines.len() - kept;
        lines.truncate(kept);
        lines.push(Line::styled(
            format!(
                "  ⋯ {hidden} more line{} (a taller terminal shows them)",
                if hidden == 1 { "" } else { "s" }
            ),
            theme.dim(),
        ));
    }
    lines.extend(pinned);
    let height = wrapped_height(&lines, inner_width) + 2;
    let inner = frame_popup(frame, screen, theme, title, width, height);
    paragraph(frame, inner, lines);
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
