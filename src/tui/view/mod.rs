//! Drawing: a pure function of `App` onto a frame. Nothing here changes state, and per frame
//! only the visible rows and log lines are touched.

mod bulk;
mod chrome;
mod details;
mod form_common;
mod form_deregister;
mod form_pin;
mod form_register;
mod form_verify;
pub mod help;
pub mod layout;
mod log_pane;
mod numbers;
mod popup;

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::app::{App, Overlay};
use super::forms::Form;

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
    let areas = layout::areas(area);
    chrome::header(frame, areas.header, app);
    numbers::table(frame, areas.table, app);
    log_pane::pane(frame, areas.log, app);
    chrome::footer(frame, areas.footer, app);
    match &app.overlay {
        None => {}
        Some(Overlay::Help(place, scroll)) => help::overlay(frame, area, app, *place, *scroll),
        Some(Overlay::Details(details)) => details::popup(frame, area, app, details),
        Some(Overlay::Alert(text)) => popup::alert(frame, area, app, text),
        Some(Overlay::ConfirmQuit(_)) => popup::confirm_quit(frame, area, app),
        Some(Overlay::Bulk(view)) => bulk::draw(frame, area, app, view),
        Some(Overlay::Form(form)) => match form.as_ref() {
            Form::Register(f) => form_register::draw(frame, area, app, f),
            Form::Deregister(f) => form_deregister::draw(frame, area, app, f),
            Form::Pin(f) => form_pin::draw(frame, area, app, f),
            Form::Verify(f) => form_verify::draw(frame, area, app, f),
        },
    }
}
