//! The bulk popup: the action list, the plan table with its totals and the typed
//! confirmation, the running gauge, and the summary. Fits 80x24: the table scrolls, the
//! confirmation and hints stay at the bottom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

use super::popup::frame_popup;
use crate::bulk::{Action, NumberState, RowPlan};
use crate::graph::Region;
use crate::tui::app::App;
use crate::tui::bulk::{ACTIONS, BulkView, Stage, left_out};

pub fn draw(frame: &mut Frame, screen: Rect, app: &App, view: &BulkView) {
    let theme = &app.theme;
    let width = screen.width.saturating_sub(4).min(110);
    let height = screen.height.saturating_sub(2).min(30);
    let marked = view.targets.len();
    match &view.stage {
        Stage::Choose { selected, region } => {
            let inner = frame_popup(
                frame,
                screen,
                &app.theme,
                &format!("Bulk: {marked} marked"),
                50,
                11,
            );
            let mut lines = vec![Line::raw("What to do with the marked numbers:")];
            for (i, action) in ACTIONS.iter().enumerate() {
                let mut text = format!(
                    " {} {}",
                    if i == *selected { "›" } else { " " },
                    action.words()
                );
                if *action == Action::Region {
                    text.push_str(&format!(" to ‹ {} ›", Region::ALL[*region].code()));
                }
                let style = if i == *selected {
                    theme.selected()
                } else {
                    ratatui::style::Style::new()
                };
                lines.push(Line::styled(text, style));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "↑↓ choose · ←→ region · Enter plan (sends nothing) · Esc close",
                theme.dim(),
            ));
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Stage::Planning { action } => {
            let inner = frame_popup(
                frame,
                screen,
                &app.theme,
                &format!("Bulk {}", action.words()),
                50,
                5,
            );
            frame.render_widget(
                Paragraph::new(vec![
                    Line::raw(format!("Reading and planning {marked} numbers…")),
                    Line::styled("nothing is sent until you confirm", theme.dim()),
                ]),
                inner,
            );
        }
        Stage::Plan {
            action,
            region,
            plan,
            typed,
            pin,
            focus,
            scroll,
        } => {
            let title = match region {
                Some(r) => format!("Bulk {} to {} — plan", action.words(), r.code()),
                None => format!("Bulk {} — plan", action.words()),
            };
            let inner = frame_popup(frame, screen, &app.theme, &title, width, height);
            let [table_area, totals_area, confirm_area] = Layout::vertical([
                Constraint::Min(3),
                Constraint::Length(2),
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
            const FIXED: usize = 1 + 14 + 1 + 5 + 2;
            let calls_width = plan
                .to_send()
                .map(|r| crate::width::of(&calls_of(r)))
                .max()
                .unwrap_or(0);
            let name_width = width.saturating_sub(FIXED + calls_width).clamp(12, 28);
            let calls_room = width.saturating_sub(FIXED + name_width);
            let mut rows: Vec<Line> = vec![Line::styled(
                format!(
                    "{:<name_width$} {:<14} {:>5}  CALLS",
                    "NUMBER", "PLAN", "REG"
                ),
                theme.title(),
            )];
            for row in plan.to_send() {
                let name = row
                    .target
                    .label
                    .clone()
                    .unwrap_or_else(|| row.target.id.to_string());
                let reg = match &row.plan {
                    RowPlan::Send(p) => {
                        let b = p.budgets.register;
                        format!(
                            "{}/{}",
                            b.left()
                                .saturating_sub(p.cost(crate::audit::Operation::Register)),
                            b.limit
                        )
                    }
                    _ => "—".into(),
                };
                let name = crate::clean::text(&name, 200);
                rows.push(Line::raw(format!(
                    "{:<name_width$} {:<14} {:>5}  {}",
                    crate::width::ellipsize(&name, name_width),
                    row.kind(),
                    reg,
                    crate::width::ellipsize(&calls_of(row), calls_room)
                )));
            }
            for (name, why) in left_out(plan) {
                let text = format!("left out {}: {why}", crate::clean::text(&name, 28));
                rows.push(Line::styled(
                    crate::width::ellipsize(&text, width).into_owned(),
                    theme.warn(),
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
            let sending = plan.to_send().count();
            let registers: u32 = plan
                .to_send()
                .map(|r| match &r.plan {
                    RowPlan::Send(p) => p.cost(crate::audit::Operation::Register),
                    _ => 0,
                })
                .sum();
            frame.render_widget(
                Paragraph::new(vec![
                    Line::styled(
                        format!(
                            "{sending} numbers, {} requests, {registers} register attempts, about {} s",
                            plan.requests(),
                            plan.estimate(4).as_secs().max(1)
                        ),
                        theme.accent(),
                    ),
                    Line::styled(
                        format!("{} left out", plan.rows.len() - sending),
                        theme.dim(),
                    ),
                ]),
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
            confirm.push(Line::styled(
                if view.ready() {
                    "Enter sends · Esc close · PgUp/PgDn scroll"
                } else if action.needs_pin() {
                    "Tab PIN/count · Enter sends once both are right · Esc close"
                } else {
                    "Enter sends once the count is right · Esc close · PgUp/PgDn scroll"
                },
                theme.dim(),
            ));
            frame.render_widget(Paragraph::new(confirm), confirm_area);
        }
        Stage::Running {
            action,
            total,
            states,
            id,
            paused,
        } => {
            let title = format!("Bulk {} — running", action.words());
            let inner = frame_popup(frame, screen, &app.theme, &title, width, height);
            let [gauge_area, list_area, hint_area] = Layout::vertical([
                Constraint::Length(1),
                Constraint::Min(1),
                Constraint::Length(1),
            ])
            .areas(inner);
            let finished = states
                .values()
                .filter(|s| !matches!(s, NumberState::NotStarted | NumberState::Interrupted))
                .count();
            frame.render_widget(
                Gauge::default()
                    .gauge_style(theme.accent())
                    .ratio(if *total == 0 {
                        1.0
                    } else {
                        finished as f64 / *total as f64
                    })
                    .label(format!("{finished} of {total}")),
                gauge_area,
            );
            let lines: Vec<Line> = states
                .iter()
                .map(|(number, state)| {
                    let style = match state {
                        NumberState::Done => theme.good(),
                        NumberState::Failed | NumberState::Refused => theme.bad(),
                        NumberState::Unknown => theme.warn(),
                        NumberState::Interrupted => theme.accent(),
                        _ => theme.dim(),
                    };
                    let words = if *state == NumberState::Interrupted {
                        "sending…"
                    } else {
                        state.words()
                    };
                    let label = view
                        .targets
                        .iter()
                        .find(|t| t.id.as_str() == number)
                        .and_then(|t| t.label.clone())
                        .unwrap_or_default();
                    Line::styled(
                        format!("{:<28} {number}  {words}", crate::clean::text(&label, 28)),
                        style,
                    )
                })
                .collect();
            frame.render_widget(Paragraph::new(lines), list_area);
            let hint = match (id, paused) {
                (Some(id), true) => format!(
                    "pausing: the numbers in flight finish; continue with `wareg bulk resume {id}`"
                ),
                (Some(id), false) => {
                    format!("Esc pauses · journal {id}: `wareg bulk resume {id}` continues it")
                }
                (None, _) => "starting…".into(),
            };
            frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim())), hint_area);
        }
        Stage::Done {
            action,
            summary,
            id,
        } => {
            let title = format!("Bulk {} — done", action.words());
            let inner = frame_popup(frame, screen, &app.theme, &title, width, height);
            let mut lines: Vec<Line> = summary.tally().into_iter().map(Line::raw).collect();
            if let Some(reason) = &summary.stopped {
                lines.push(Line::styled(reason.clone(), theme.bad()));
            }
            for (number, state, message) in &summary.numbers {
                if let (
                    NumberState::Failed | NumberState::Unknown | NumberState::Refused,
                    Some(m),
                ) = (state, message)
                {
                    lines.push(Line::styled(
                        format!("{number} {}: {}", state.words(), crate::clean::text(m, 300)),
                        theme.warn(),
                    ));
                }
            }
            if let Some(id) = id
                && (summary.count(NumberState::NotStarted) > 0
                    || summary.count(NumberState::Unknown) > 0)
            {
                lines.push(Line::raw(format!(
                    "continue with: wareg bulk resume {id} --yes"
                )));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled("Enter or Esc closes", theme.dim()));
            frame.render_widget(
                Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
                inner,
            );
        }
    }
}
