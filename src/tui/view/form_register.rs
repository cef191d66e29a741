//! The register form (and the region change, which is the same form with a longer plan).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::form_common::{failure_lines, override_words, progress_lines, status_lines};
use super::popup::{button_row, field_label, form_popup, masked_slots};
use crate::engine::storage_words;
use crate::graph::types::CodeVerification;
use crate::tui::app::App;
use crate::tui::forms::register::RegisterField;
use crate::tui::forms::{Phase, RegisterForm};
use crate::tui::widgets::region_select::{OPTION_COUNT, VISIBLE_OPTIONS, option, option_label};
use crate::tui::widgets::secret_field::MASK;

pub fn draw(frame: &mut Frame, screen: Rect, app: &App, form: &RegisterForm) {
    let theme = &app.theme;
    let pre = app.register_preflight(form);
    let focused = form.focused(&pre);
    let editing = form.phase == Phase::Editing || matches!(form.phase, Phase::Failed(_));
    let f = |field: RegisterField| editing && focused == field;

    let mut lines: Vec<Line<'static>> = Vec::new();
    let pin_text = masked_slots(&form.pin, 6);
    let pin_note = match (&form.pin.refused, form.pin.problem()) {
        (Some(why), _) => Span::styled(format!("  {why}"), theme.warn()),
        (None, Some(p)) => Span::styled(format!("  {p}"), theme.dim()),
        (None, None) => Span::styled("  ✓", theme.good()),
    };
    lines.push(Line::from(vec![
        field_label(theme, "PIN", f(RegisterField::Pin)),
        Span::raw(pin_text),
        pin_note,
    ]));
    let region_text = format!("[ {} ▾ ]", option_label(form.region.chosen));
    lines.push(Line::from(vec![
        field_label(theme, "Local storage", f(RegisterField::Region)),
        Span::raw(region_text),
    ]));
    if pre.fields.contains(&RegisterField::Override) {
        let mark = if form.override_budget { "[x]" } else { "[ ]" };
        let (name, what) = override_words(&pre.plan);
        lines.push(Line::from(vec![
            field_label(theme, name, f(RegisterField::Override)),
            Span::styled(format!("{mark} {what}"), theme.bad()),
        ]));
    }
    if let Phase::Failed(failure) = &form.phase {
        lines.extend(failure_lines(
            app,
            failure,
            Some(&pre.plan.budgets.register),
        ));
        // What was sent, right under why it stopped: a small terminal cuts the bottom first.
        if !form.progress.is_empty() {
            lines.extend(progress_lines(app, &form.progress));
        }
        if form.left_deregistered() {
            lines.push(Line::styled(
                "  Messaging is stopped until it is registered again with the right PIN.",
                theme.bad(),
            ));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Pre-flight", theme.title()));
    let item = |name: &str, value: String, style| {
        Line::from(vec![
            Span::styled(format!("  {name:<14}"), theme.dim()),
            Span::styled(value, style),
        ])
    };
    let plain = ratatui::style::Style::new();
    match &pre.plan.facts.verified {
        Some(CodeVerification::Verified) => {
            lines.push(item("ownership", "VERIFIED".into(), theme.good()))
        }
        Some(other) => lines.push(item(
            "ownership",
            format!("{other}: verify first (the button below offers it)"),
            theme.bad(),
        )),
        None => lines.push(item("ownership", "not known".into(), theme.dim())),
    }
    let pin_state = match pre.plan.facts.pin_enabled {
        Some(true) => "set: the PIN must match it (a wrong PIN costs budget)".to_owned(),
        Some(false) => "not set: this PIN becomes the two-step PIN".to_owned(),
        None => "not known".to_owned(),
    };
    lines.push(item("two-step PIN", pin_state, plain));
    if pre.plan.facts.connected() {
        lines.push(item(
            "status",
            "CONNECTED: registering again is allowed but costs budget".into(),
            theme.warn(),
        ));
    } else {
        lines.push(item(
            "status",
            pre.plan
                .facts
                .status
                .as_ref()
                .map_or("not known".into(), |s| s.to_string()),
            plain,
        ));
    }
    lines.push(item("storage now", storage_words(pre.current), plain));
    let budget_style = |left: u32| if left == 0 { theme.bad() } else { plain };
    lines.push(item(
        "register",
        budget_text(app, &pre.plan.budgets.register),
        budget_style(pre.plan.budgets.register.left()),
    ));
    if pre.needs_deregister() {
        lines.push(item(
            "deregister",
            budget_text(app, &pre.plan.budgets.deregister),
            budget_style(pre.plan.budgets.deregister.left()),
        ));
    }
    lines.push(Line::raw(""));
    if pre.needs_deregister() {
        lines.push(Line::styled(
            "Will change the region: deregister, then register again",
            theme.warn(),
        ));
        lines.push(Line::raw(
            "  (messaging stops until the register succeeds; costs 1 deregister + 1 register)",
        ));
    } else {
        lines.push(Line::styled("Will send", theme.title()));
    }
    // In flight: how far it got. Otherwise what the next press sends (after a failure, what
    // was sent is shown above, with the failure).
    if matches!(form.phase, Phase::InFlight { .. }) {
        lines.extend(progress_lines(app, &form.progress));
    } else {
        for (i, step) in pre.plan.steps.iter().enumerate() {
            let pin = if step.operation() == crate::audit::Operation::Register {
                format!("  pin {}", MASK.to_string().repeat(6))
            } else {
                String::new()
            };
            lines.push(Line::raw(format!("  {}. {}{pin}", i + 1, step.describe())));
        }
        if !pre.needs_deregister() {
            // A region change says what happens to storage in its heading.
            lines.push(Line::styled(
                format!("  then {}", pre.plan.storage_after),
                theme.dim(),
            ));
        }
    }
    lines.push(Line::raw(""));
    let submit_label = if pre.verify_instead {
        "Verify ownership…"
    } else if pre.needs_deregister() {
        "Change region"
    } else {
        "Register"
    };
    let enabled = pre.verify_instead || pre.problems.is_empty();
    let tail_from = lines.len();
    lines.push(button_row(
        theme,
        (submit_label, f(RegisterField::Submit), enabled),
        f(RegisterField::Cancel),
        editing,
    ));
    // A failure is shown under the fields, where a short terminal still has room for it.
    if !matches!(form.phase, Phase::Failed(_)) {
        // Why the button is dimmed, except what the PIN's own note beside it says already.
        let problem = pre
            .problems
            .iter()
            .find(|p| !p.starts_with("PIN:"))
            .filter(|_| !pre.verify_instead);
        lines.extend(status_lines(
            app,
            &form.phase,
            problem.map(String::as_str),
            None,
            "sending… (not retried automatically)",
        ));
    }

    let tail = lines.len() - tail_from;
    let title = if form.change_region || pre.needs_deregister() {
        "Change local storage"
    } else {
        "Register"
    };
    let display = pre.plan.facts.display.clone().unwrap_or_default();
    let inner = form_popup(
        frame,
        screen,
        app,
        &format!("{title} {} {display}", form.id),
        78,
        lines,
        tail,
    );
    if form.region.open.is_some() {
        dropdown(frame, inner, app, form);
    }
}

fn budget_text(app: &App, budget: &crate::audit::Budget) -> String {
    let window = app.policy.window_words();
    match budget.next_free {
        Some(at) => format!(
            "0 of {} left in the {window} window; next frees up {}",
            budget.limit,
            app.clock.local(at).format("%a %H:%M")
        ),
        None => format!(
            "{} of {} left in the {window} window",
            budget.left(),
            budget.limit
        ),
    }
}

fn dropdown(frame: &mut Frame, inner: Rect, app: &App, form: &RegisterForm) {
    let Some((highlight, first)) = form.region.open else {
        return;
    };
    let height = VISIBLE_OPTIONS as u16 + 2;
    let area = Rect::new(
        inner.x + 16,
        inner.y + 2,
        40.min(inner.width.saturating_sub(16)),
        height.min(inner.height.saturating_sub(2)),
    );
    // The rows it covers are cleared across the whole form, so no word of the form under
    // it shows beside the list.
    frame.render_widget(Clear, Rect::new(inner.x, area.y, inner.width, area.height));
    let lines: Vec<Line> = (first..(first + VISIBLE_OPTIONS).min(OPTION_COUNT))
        .map(|i| {
            let group = option(i).map_or("", |r| r.group().label());
            // A mark as well as the highlight, for terminals without colour (NO_COLOR).
            let mark = if i == highlight { "▸" } else { " " };
            let text = format!("{mark}{group:<7}{}", option_label(i));
            if i == highlight {
                Line::styled(text, app.theme.selected())
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
        .border_style(app.theme.focused_border());
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
