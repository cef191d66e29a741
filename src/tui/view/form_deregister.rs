//! The deregister confirmation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::form_common::{override_words, status_lines};
use super::popup::{button_row, field_label, form_popup};
use crate::graph::types::NumberStatus;
use crate::tui::app::App;
use crate::tui::forms::deregister::DeregisterField;
use crate::tui::forms::{DeregisterForm, Phase};

pub fn draw(frame: &mut Frame, screen: Rect, app: &App, form: &DeregisterForm) {
    let theme = &app.theme;
    let check = app.deregister_check(form);
    let editing = !matches!(form.phase, Phase::InFlight { .. });
    let f = |field: DeregisterField| editing && form.focused(&check) == field;
    let mut lines: Vec<Line<'static>> = vec![
        Line::styled("Deregistering this number:", theme.title()),
        Line::raw("  • stops its messaging on Cloud API at once;"),
        Line::raw("  • turns local storage off (it must be set again when registering);"),
        Line::raw("  • keeps the number and its message history (nothing is deleted)."),
        Line::raw(""),
    ];
    let b = &check.plan.budgets.deregister;
    let budget_style = if b.left() <= 1 {
        theme.bad()
    } else {
        theme.warn()
    };
    lines.push(Line::styled(
        format!(
            "It uses 1 of the deregister budget: {} of {} left in the {} window.",
            b.left(),
            b.limit,
            app.policy.window_words()
        ),
        budget_style,
    ));
    if check.plan.facts.coexistence == Some(true) {
        lines.push(Line::styled(
            "This number is used in the WhatsApp Business app too (coexistence):",
            theme.bad(),
        ));
        lines.push(Line::styled(
            "Meta does not allow deregistering it.",
            theme.bad(),
        ));
    }
    if let Some(status) = check
        .plan
        .facts
        .status
        .as_ref()
        .filter(|s| **s != NumberStatus::Connected)
    {
        lines.push(Line::styled(
            format!("Its status is {status}: if it is not registered Meta answers 133010, and the attempt still counts."),
            theme.warn(),
        ));
    }
    lines.push(Line::raw(""));
    let typed = format!("{}{}", form.typed, "_".repeat(4 - form.typed.len()));
    let hint = if form.typed == check.last4 {
        Span::styled("  ✓", theme.good())
    } else {
        Span::styled(
            format!("  the last 4 digits of {}", check.display),
            theme.dim(),
        )
    };
    lines.push(Line::from(vec![
        field_label(theme, "Type to confirm", f(DeregisterField::Confirm)),
        Span::raw(typed),
        hint,
    ]));
    if check.fields.contains(&DeregisterField::Override) {
        let mark = if form.override_budget { "[x]" } else { "[ ]" };
        let (name, what) = override_words(&check.plan);
        lines.push(Line::from(vec![
            field_label(theme, name, f(DeregisterField::Override)),
            Span::styled(format!("{mark} {what}"), theme.bad()),
        ]));
    }
    lines.push(Line::raw(""));
    let tail_from = lines.len();
    lines.push(button_row(
        theme,
        (
            "Deregister",
            f(DeregisterField::Submit),
            check.problems.is_empty(),
        ),
        f(DeregisterField::Cancel),
        editing,
    ));
    lines.extend(status_lines(
        app,
        &form.phase,
        // Why the button is dimmed, except what the digits field's own note says already.
        check
            .problems
            .iter()
            .find(|p| !p.starts_with("type the last 4 digits"))
            .map(String::as_str),
        Some(&check.plan.budgets.deregister),
        "sending POST /deregister… (not retried automatically)",
    ));
    let tail = lines.len() - tail_from;
    form_popup(
        frame,
        screen,
        app,
        &format!("Deregister {} {}", form.id, check.display),
        78,
        lines,
        tail,
    );
}
