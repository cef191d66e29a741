//! Ownership verification: pick SMS or voice and a language, request the code, then type the
//! six digits received.

use ratatui::text::{Line, Span};

use super::fields::{Field, cycle, focused, navigate, press};
use super::parts::foot;
use super::{
    AfterReply, Failure, FormComponent, FormContent, FormContext, FormEvent, FormReply, Phase,
    Submission,
};
use crate::config::ProfileName;
use crate::graph::types::CodeVerification;
use crate::graph::{CodeMethod, NumberId};
use crate::tui::keys::{Action, FieldKind, FormKind, InputEvent, Place};
use crate::tui::msg::EngineCall;
use crate::tui::view::popup::{field_label, masked_slots};
use crate::tui::widgets::SecretField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyStage {
    /// Method, language, Request code, Cancel.
    Request,
    /// Code, Verify, Cancel.
    EnterCode,
    /// Verified, on the path from added to registered: Register…, Close.
    Verified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyField {
    Method,
    Language,
    Code,
    Submit,
    Cancel,
}

impl Field for VerifyField {
    fn kind(self) -> FieldKind {
        match self {
            VerifyField::Method => FieldKind::Switch,
            VerifyField::Language => FieldKind::Text,
            VerifyField::Code => FieldKind::Digits,
            VerifyField::Submit | VerifyField::Cancel => FieldKind::Button,
        }
    }
}

#[derive(Debug)]
pub struct VerifyForm {
    pub id: NumberId,
    pub profile: ProfileName,
    pub stage: VerifyStage,
    pub method: CodeMethod,
    pub language: String,
    pub code: SecretField,
    pub focus: usize,
    pub phase: Phase,
    /// Opened on the path from added to registered: once verified it offers the register.
    pub then_register: bool,
}

pub fn open(cx: &FormContext, id: &NumberId) -> Option<Box<dyn FormComponent>> {
    let profile = cx.profile()?.clone();
    Some(Box::new(VerifyForm::new(id.clone(), profile)))
}

/// The form on the path from added to registered: once verified, it offers the register form.
pub fn open_then_register(cx: &FormContext, id: &NumberId) -> Option<Box<dyn FormComponent>> {
    let profile = cx.profile()?.clone();
    let mut form = VerifyForm::new(id.clone(), profile);
    form.then_register = true;
    Some(Box::new(form))
}

impl VerifyForm {
    pub fn new(id: NumberId, profile: ProfileName) -> Self {
        VerifyForm {
            id,
            profile,
            stage: VerifyStage::Request,
            method: CodeMethod::Sms,
            language: "en_US".into(),
            code: SecretField::new(6),
            focus: 0,
            phase: Phase::Editing,
            then_register: false,
        }
    }

    /// The fields of the stage it is at.
    pub fn fields(&self) -> &'static [VerifyField] {
        use VerifyField::*;
        match self.stage {
            VerifyStage::Request => &[Method, Language, Submit, Cancel],
            VerifyStage::EnterCode => &[Code, Submit, Cancel],
            VerifyStage::Verified => &[Submit, Cancel],
        }
    }

    pub fn focused(&self) -> VerifyField {
        focused(self.fields(), self.focus).unwrap_or(VerifyField::Submit)
    }

    /// Why the button is disabled, if it is.
    pub fn problem(&self) -> Option<String> {
        match self.stage {
            VerifyStage::Request => (!crate::graph::types::is_language_code(&self.language))
                .then(|| "language: write it like en_US".into()),
            VerifyStage::EnterCode => self.code.problem().map(|p| format!("code: {p}")),
            VerifyStage::Verified => None,
        }
    }

    /// The code was requested: move on to typing it.
    pub fn code_sent(&mut self) {
        self.stage = VerifyStage::EnterCode;
        self.focus = 0;
        self.phase = Phase::Editing;
    }
}

impl FormComponent for VerifyForm {
    crate::form_basics!();

    fn place(&self, _cx: &FormContext) -> Place {
        Place::Field(self.focused().kind())
    }

    fn on_key(&mut self, input: &InputEvent, _cx: &FormContext) -> FormEvent {
        let count = self.fields().len();
        if let Some(event) = navigate(input, &mut self.focus, count) {
            return event;
        }
        match (self.focused(), input.action) {
            (VerifyField::Method, Some(Action::Switch)) => {
                self.method = match self.method {
                    CodeMethod::Sms => CodeMethod::Voice,
                    CodeMethod::Voice => CodeMethod::Sms,
                };
            }
            (VerifyField::Language, Some(Action::Type)) => {
                if let Some(c) = input.typed()
                    && (c.is_ascii_alphabetic() || c == '_')
                    && self.language.len() < 5
                {
                    self.language.push(c)
                }
            }
            (VerifyField::Language, Some(Action::Erase)) => {
                self.language.pop();
            }
            (VerifyField::Code, Some(Action::Type)) => {
                if let Some(c) = input.typed() {
                    self.code.push(c);
                }
            }
            (VerifyField::Code, Some(Action::Erase)) => self.code.pop(),
            (VerifyField::Language | VerifyField::Code, Some(Action::Press)) => {
                self.focus = cycle(self.focus, count, true)
            }
            (VerifyField::Submit, Some(Action::Press)) if self.stage == VerifyStage::Verified => {
                return FormEvent::OpenKind(FormKind::Register, self.id.clone());
            }
            (button @ (VerifyField::Submit | VerifyField::Cancel), _) => {
                return press(
                    input,
                    button == VerifyField::Submit,
                    self.problem().is_none(),
                );
            }
            _ => {}
        }
        if matches!(self.phase, Phase::Failed(_)) {
            self.phase = Phase::Editing;
        }
        FormEvent::None
    }

    fn submit(&mut self, _cx: &FormContext) -> Option<Submission> {
        let call = match self.stage {
            VerifyStage::Request => EngineCall::RequestCode {
                id: self.id.clone(),
                method: self.method,
                language: self.language.clone(),
            },
            VerifyStage::EnterCode => EngineCall::VerifyCode {
                id: self.id.clone(),
                code: self.code.to_code()?,
            },
            VerifyStage::Verified => return None,
        };
        Some(Submission { call, notice: None })
    }

    fn on_reply(&mut self, reply: FormReply<'_>) -> AfterReply {
        match (reply.result, self.stage) {
            (Ok(()), VerifyStage::Request) => {
                self.code_sent();
                AfterReply {
                    close: false,
                    done: Some("verification code requested"),
                }
            }
            (Ok(()), VerifyStage::EnterCode) if self.then_register => {
                self.stage = VerifyStage::Verified;
                self.focus = 0;
                self.phase = Phase::Editing;
                AfterReply {
                    close: false,
                    done: Some("ownership verified: next, register it"),
                }
            }
            (Ok(()), VerifyStage::EnterCode | VerifyStage::Verified) => AfterReply {
                close: true,
                done: Some("ownership verified"),
            },
            (Err(e), _) => {
                self.code.clear();
                self.focus = 0;
                self.phase = Phase::Failed(Failure::of(e, reply.now));
                AfterReply::default()
            }
        }
    }

    fn content(&self, cx: &FormContext) -> FormContent {
        let theme = cx.theme;
        let editing = !matches!(self.phase, Phase::InFlight { .. });
        let f = |field: VerifyField| editing && self.focused() == field;
        let mut lines: Vec<Line<'static>> = Vec::new();
        let submit = match self.stage {
            VerifyStage::Request => {
                lines.push(Line::raw(
                    "Step 1 of 2: Meta sends a 6-digit code to the number.",
                ));
                // Nothing stops verifying again; the form says when it is not needed.
                let verified = cx.known_number().is_some_and(|n| {
                    n.code_verification_status == Some(CodeVerification::Verified)
                });
                if verified {
                    lines.push(Line::styled(
                        "Ownership is already VERIFIED: a code is needed only if Meta asks again.",
                        theme.warn(),
                    ));
                }
                lines.push(Line::raw(""));
                let (sms, voice) = match self.method {
                    CodeMethod::Sms => ("(•) SMS", "( ) voice call"),
                    CodeMethod::Voice => ("( ) SMS", "(•) voice call"),
                };
                lines.push(Line::from(vec![
                    field_label(theme, "Send by", f(VerifyField::Method)),
                    Span::raw(format!("{sms}   {voice}")),
                    Span::styled("  ←/→ switch", theme.dim()),
                ]));
                lines.push(Line::from(vec![
                    field_label(theme, "Language", f(VerifyField::Language)),
                    Span::raw(self.language.clone()),
                ]));
                "Request code"
            }
            VerifyStage::EnterCode => {
                lines.push(Line::raw(
                    "Step 2 of 2: type the code that arrived on the number.",
                ));
                lines.push(Line::raw(""));
                lines.push(Line::from(vec![
                    field_label(theme, "Code", f(VerifyField::Code)),
                    Span::raw(masked_slots(&self.code, 6)),
                ]));
                "Verify"
            }
            VerifyStage::Verified => {
                lines.push(Line::styled("✓ Ownership verified.", theme.good()));
                lines.push(Line::raw(
                    "Next: register it for the Cloud API (a two-step PIN, local storage), planned like r.",
                ));
                "Register…"
            }
        };
        lines.push(Line::raw(""));
        let tail = foot(
            cx,
            &self.phase,
            (submit, f(VerifyField::Submit), self.problem().is_none()),
            f(VerifyField::Cancel),
            self.problem().as_deref(),
            None,
            "sending…",
        );
        FormContent {
            title: format!(
                "Verify ownership {} {}",
                self.id,
                cx.display_number().unwrap_or_default()
            ),
            width: 70,
            body: lines,
            tail,
        }
    }
}
