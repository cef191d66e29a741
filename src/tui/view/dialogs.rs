//! The app's own dialogs: a problem to read, and "quit while something is in flight?".

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::popup::{frame_popup, paragraph};
use crate::tui::app::{App, Overlay, Pending};

pub fn alert(frame: &mut Frame, screen: Rect, app: &App, text: &str) {
    let inner = frame_popup(frame, screen, &app.theme, "Problem", 64, 9);
    let lines = vec![
        Line::styled(text.to_owned(), app.theme.bad()),
        Line::raw(""),
        Line::styled("Enter or Esc closes this.", app.theme.dim()),
    ];
    paragraph(frame, inner, lines);
}

/// `F` over many numbers: what it costs, before anything is sent.
pub fn confirm_full(frame: &mut Frame, screen: Rect, app: &App, words: &str) {
    let lines = vec![
        Line::styled(words.to_owned(), app.theme.warn()),
        Line::raw(""),
        Line::raw("R reads the listing and only the storage nobody knows."),
        Line::raw(""),
        Line::raw("Read every storage?  y yes · n no"),
    ];
    let height = (super::popup::wrapped_height(&lines, 62) + 2).max(7);
    let inner = frame_popup(frame, screen, &app.theme, "Read every storage?", 64, height);
    paragraph(frame, inner, lines);
}

/// `under` is the popup the question was asked over.
pub fn confirm_quit(frame: &mut Frame, screen: Rect, app: &App, under: Option<&Overlay>) {
    let what: Vec<String> = app
        .inflight
        .values()
        .filter_map(|p| match p {
            Pending::Mutation { id, what } => Some(format!("{} of {id}", what.words())),
            _ => None,
        })
        .collect();
    let bulk = under.and_then(Overlay::running_bulk);
    let mut lines = if let Some(view) = bulk {
        vec![
            Line::styled("A bulk run is sending.", app.theme.warn()),
            Line::raw(match view.journal() {
                Some(id) => format!(
                    "Quitting stops it: a number in flight may end unknown; `wareg bulk resume {id}` continues it."
                ),
                None => "Quitting stops it: a number in flight may end unknown.".to_owned(),
            }),
        ]
    } else if what.is_empty() {
        // Asked because a form is open: nothing was sent from it.
        vec![
            Line::styled("A form is open and not sent.", app.theme.warn()),
            Line::raw("Quitting closes it; nothing of it is sent."),
        ]
    } else {
        vec![
            Line::styled(format!("In flight: {}.", what.join(", ")), app.theme.warn()),
            Line::raw("Quitting now leaves its outcome unknown (the audit trail will say so)."),
        ]
    };
    lines.extend([Line::raw(""), Line::raw("Quit anyway?  y yes · n no")]);
    let height = (super::popup::wrapped_height(&lines, 58) + 2).max(7);
    let inner = frame_popup(frame, screen, &app.theme, "Quit?", 60, height);
    paragraph(frame, inner, lines);
}
