//! Drawing: a pure function of `App` onto a frame. Nothing here changes state, and per frame
//! only the visible rows and log lines are touched.

mod chrome;
pub mod details;
mod dialogs;
pub mod hanging;
pub mod help;
pub mod layout;
mod log_pane;
pub mod log_rows;
pub mod numbers;
pub mod popup;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::{App, Overlay};

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if layout::too_small(area) {
        let text = format!(
            "terminal too small (needs {}×{}, has {}×{})",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT,
            area.width,
            area.height
        );
        frame.render_widget(
            Paragraph::new(Line::from(text)).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let areas = layout::areas(area, app.log_focused());
    chrome::header(frame, areas.header, app);
    numbers::table(frame, areas.table, app);
    log_pane::pane(frame, areas.log, app);
    chrome::footer(frame, areas.footer, app);
    if let Some(overlay) = &app.overlay {
        draw_overlay(frame, area, app, overlay);
    }
}

/// A popup, over the one it was opened from (help over a form, the quit question over it).
fn draw_overlay(frame: &mut Frame, area: Rect, app: &App, overlay: &Overlay) {
    match overlay {
        Overlay::Help(place, scroll, under) => {
            if let Some(under) = under {
                draw_overlay(frame, area, app, under);
            }
            help::overlay(frame, area, app, *place, *scroll)
        }
        Overlay::Details(details) => details::popup(frame, area, app, details),
        Overlay::Alert(text) => dialogs::alert(frame, area, app, text),
        Overlay::ConfirmFull(words) => dialogs::confirm_full(frame, area, app, words),
        Overlay::ConfirmQuit(under) => {
            if let Some(under) = under {
                draw_overlay(frame, area, app, under);
            }
            dialogs::confirm_quit(frame, area, app, under.as_deref())
        }
        Overlay::Bulk(view) => view.draw(frame, area, &app.theme),
        Overlay::Form(form) => app.with_form_context(form.number(), |cx| {
            let content = form.content(cx);
            let layout = popup::form_layout(
                area,
                content.width,
                content.body,
                content.tail,
                app.form_scroll,
                cx.theme,
            );
            let inner =
                popup::form_popup(frame, area, cx.theme, &content.title, content.width, layout);
            form.draw_over(frame, inner, cx);
        }),
    }
}
