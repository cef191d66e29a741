//! Ownership verification: request a code, then enter it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::form_common::status_lines;
use super::popup::{button_row, field_label, form_popup, masked_slots};
use crate::graph::CodeMethod;
use crate::graph::types::CodeVerification;
use crate::tui::app::App;
use crate::tui::forms::{Phase, VerifyForm, VerifyStage};

pub fn draw(frame: &mut Frame, screen: Rect, app: &App, form: &VerifyForm) {
    let theme = &app.theme;
    let editing = !matches!(form.phase, Phase::InFlight { .. });
    let f = |i: usize| editing && form.focus == i;
    let mut lines: Vec<Line<'static>> = Vec::new();
    match form.stage {
        VerifyStage::Request => {
            lines.push(Line::raw(
                "Step 1 of 2: Meta sends a 6-digit code to the number.",
            ));
            // Nothing stops verifying again; the form says when it is not needed.
            let verified = app
                .table
                .find(&form.id)
                .and_then(|i| app.table.rows[i].known_number())
                .is_some_and(|n| n.code_verification_status == Some(CodeVerification::Verified));
            if verified {
                lines.push(Line::styled(
                    "Ownership is already VERIFIED: a code is needed only if Meta asks again.",
                    theme.warn(),
                ));
            }
            lines.push(Line::raw(""));
            let (sms, voice) = match form.method {
                CodeMethod::Sms => ("(•) SMS", "( ) voice call"),
                CodeMethod::Voice => ("( ) SMS", "(•) voice call"),
            };
            lines.push(Line::from(vec![
                field_label(theme, "Send by", f(0)),
                Span::raw(format!("{sms}   {voice}")),
                Span::styled("  ←/→ switch", theme.dim()),
            ]));
            lines.push(Line::from(vec![
                field_label(theme, "Language", f(1)),
                Span::raw(form.language.clone()),
            ]));
            lines.push(Line::raw(""));
            lines.push(button_row(
                theme,
                ("Request code", f(2), form.problem().is_none()),
                f(3),
                editing,
            ));
        }
        VerifyStage::EnterCode => {
            lines.push(Line::raw(
                "Step 2 of 2: type the code that arrived on the number.",
            ));
            lines.push(Line::raw(""));
            let code = masked_slots(&form.code, 6);
            lines.push(Line::from(vec![
                field_label(theme, "Code", f(0)),
                Span::raw(code),
            ]));
            lines.push(Line::raw(""));
            lines.push(button_row(
                theme,
                ("Verify", f(1), form.problem().is_none()),
                f(2),
                editing,
            ));
        }
    }
    // The button row and what is said under it.
    let tail_from = lines.len() - 1;
    lines.extend(status_lines(
        app,
        &form.phase,
        form.problem().as_deref(),
        None,
        "sending…",
    ));
    let tail = lines.len() - tail_from;
    form_popup(
        frame,
        screen,
        app,
        &format!("Verify ownership {}", form.id),
        70,
        lines,
        tail,
    );
}
