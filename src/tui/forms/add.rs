//! Add a number (`a`): the profile whose WABA gets it (a choice only when several name one),
//! the country code, the national number and the display name Meta will review, checked as
//! `graph::NewNumber` checks them before anything is sent; sent like `wareg add` (the engine
//! audits it under the WABA). Once added, the form offers the next step of the number's life,
//! requesting its ownership code, on the path that ends registered (verify, then register).

use ratatui::text::{Line, Span};

use super::fields::{Field, cycle, focused, navigate, press};
use super::parts::foot;
use super::{
    AfterReply, Failure, FormComponent, FormContent, FormContext, FormEvent, FormReply, Phase,
    Submission,
};
use crate::config::ProfileName;
use crate::graph::new_number::{NAME_MAX, Part};
use crate::graph::{NewNumber, NumberId};
use crate::tui::keys::{Action, FieldKind, FormKind, InputEvent, Place};
use crate::tui::msg::EngineCall;
use crate::tui::view::popup::field_label;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddField {
    /// The profile, and so the WABA (shown only when several profiles name one).
    Profile,
    CountryCode,
    Phone,
    Name,
    Submit,
    Cancel,
}

impl Field for AddField {
    fn kind(self) -> FieldKind {
        match self {
            AddField::Profile => FieldKind::Pick,
            AddField::CountryCode | AddField::Phone => FieldKind::Digits,
            AddField::Name => FieldKind::Name,
            AddField::Submit | AddField::Cancel => FieldKind::Button,
        }
    }
}

#[derive(Debug)]
pub struct AddForm {
    /// The WABA the number goes to: the form acts on the account, not on a number.
    pub id: NumberId,
    pub profile: ProfileName,
    /// The profiles that name a WABA, with it; `pick` is the one chosen.
    pub wabas: Vec<(ProfileName, NumberId)>,
    pub pick: usize,
    pub cc: String,
    pub phone: String,
    pub name: String,
    /// Added: its new id. The form then offers the next step.
    pub added: Option<NumberId>,
    pub focus: usize,
    pub phase: Phase,
}

/// The form on the WABA `waba` (the app opens it on the default profile's).
pub fn open(cx: &FormContext, waba: &NumberId) -> Option<Box<dyn FormComponent>> {
    let pick = cx.wabas.iter().position(|(_, w)| w == waba)?;
    Some(Box::new(AddForm::new(cx.wabas.clone(), pick)?))
}

impl AddForm {
    /// The form on the `pick`th of `wabas`; `None` when there is no such one.
    pub fn new(wabas: Vec<(ProfileName, NumberId)>, pick: usize) -> Option<AddForm> {
        let (profile, id) = wabas.get(pick)?.clone();
        Some(AddForm {
            id,
            profile,
            wabas,
            pick,
            cc: String::new(),
            phone: String::new(),
            name: String::new(),
            added: None,
            focus: 0,
            phase: Phase::Editing,
        })
    }

    pub fn fields(&self) -> Vec<AddField> {
        use AddField::*;
        if self.added.is_some() {
            return vec![Submit, Cancel];
        }
        let mut fields = Vec::new();
        if self.wabas.len() > 1 {
            fields.push(Profile);
        }
        fields.extend([CountryCode, Phone, Name, Submit, Cancel]);
        fields
    }

    pub fn focused(&self) -> AddField {
        focused(&self.fields(), self.focus).unwrap_or(AddField::Submit)
    }

    /// What is sent, checked as `wareg add` checks it; or everything that keeps it from being
    /// sent, a line per field in the fields' order (a field not typed yet says what goes in it).
    pub fn number(&self) -> Result<NewNumber, String> {
        // A field not typed yet is checked as a good one would be: its line asks for it.
        let (cc, phone, name) = (self.cc.trim(), self.phone.trim(), self.name.trim());
        let checked = NewNumber::check(
            if cc.is_empty() { "44" } else { cc },
            if phone.is_empty() {
                "7700900123"
            } else {
                phone
            },
            if name.is_empty() { "name" } else { name },
        );
        let wrong = match &checked {
            Ok(_) => Vec::new(),
            Err(all) => all.clone(),
        };
        let line = |part: Part, empty: bool, ask: &str| -> Option<String> {
            if empty {
                return Some(ask.to_owned());
            }
            wrong
                .iter()
                .find(|e| e.part() == part)
                .map(|e| e.to_string())
        };
        let lines: Vec<String> = [
            line(
                Part::CountryCode,
                cc.is_empty(),
                "type the country code (44 for the UK)",
            ),
            line(
                Part::Phone,
                phone.is_empty(),
                "type the national number, without the country code",
            ),
            line(
                Part::Name,
                name.is_empty(),
                "type the display name Meta will review",
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        match checked {
            Ok(number) if lines.is_empty() => Ok(number),
            _ => Err(lines.join("\n")),
        }
    }

    /// Moves the choice of profile by one, wrapping.
    fn pick_by(&mut self, forward: bool) {
        self.pick = cycle(self.pick, self.wabas.len(), forward);
        if let Some((profile, id)) = self.wabas.get(self.pick) {
            (self.profile, self.id) = (profile.clone(), id.clone());
        }
    }

    fn type_into(&mut self, field: AddField, c: char) {
        let (text, fits) = match field {
            AddField::CountryCode => (&mut self.cc, (c.is_ascii_digit() || c == '+', 4)),
            AddField::Phone => (
                &mut self.phone,
                (c.is_ascii_digit() || c == ' ' || c == '-', 20),
            ),
            AddField::Name => (&mut self.name, (!c.is_control(), NAME_MAX)),
            _ => return,
        };
        let (takes, most) = fits;
        if takes && text.chars().count() < most {
            text.push(c);
        }
    }

    fn erase(&mut self, field: AddField) {
        match field {
            AddField::CountryCode => self.cc.pop(),
            AddField::Phone => self.phone.pop(),
            AddField::Name => self.name.pop(),
            _ => None,
        };
    }
}

impl FormComponent for AddForm {
    crate::form_basics!();

    fn place(&self, _cx: &FormContext) -> Place {
        Place::Field(self.focused().kind())
    }

    fn on_key(&mut self, input: &InputEvent, _cx: &FormContext) -> FormEvent {
        let count = self.fields().len();
        if let Some(event) = navigate(input, &mut self.focus, count) {
            return event;
        }
        let field = self.focused();
        match (field, input.action) {
            (AddField::Submit, Some(Action::Press)) if self.added.is_some() => {
                let id = self.added.clone().unwrap_or_else(|| self.id.clone());
                return FormEvent::OpenKind(FormKind::VerifyThenRegister, id);
            }
            (button @ (AddField::Submit | AddField::Cancel), _) => {
                return press(input, button == AddField::Submit, self.number().is_ok());
            }
            (AddField::Profile, Some(Action::Right)) => self.pick_by(true),
            (AddField::Profile, Some(Action::Left)) => self.pick_by(false),
            (_, Some(Action::Type)) => {
                if let Some(c) = input.typed() {
                    self.type_into(field, c);
                }
            }
            (_, Some(Action::Erase)) => self.erase(field),
            (_, Some(Action::Press | Action::NextField)) => {
                self.focus = cycle(self.focus, count, true)
            }
            _ => {}
        }
        if matches!(self.phase, Phase::Failed(_)) {
            self.phase = Phase::Editing;
        }
        FormEvent::None
    }

    fn submit(&mut self, _cx: &FormContext) -> Option<Submission> {
        let number = self.number().ok()?;
        Some(Submission {
            notice: Some(format!(
                "adding {} as '{}' to the WABA",
                number.words(),
                number.name(),
            )),
            call: EngineCall::AddNumber {
                waba: self.id.clone(),
                number,
            },
        })
    }

    fn on_reply(&mut self, reply: FormReply<'_>) -> AfterReply {
        match (reply.result, reply.created) {
            (Ok(()), Some(new)) => {
                self.added = Some(new.clone());
                self.focus = 0;
                self.phase = Phase::Editing;
                AfterReply {
                    close: false,
                    done: Some("number added: next, verify its ownership"),
                }
            }
            (Ok(()), None) => AfterReply {
                close: true,
                done: Some("number added"),
            },
            (Err(e), _) => {
                self.focus = 0;
                self.phase = Phase::Failed(Failure::of(e, reply.now));
                AfterReply::default()
            }
        }
    }

    fn content(&self, cx: &FormContext) -> FormContent {
        let theme = cx.theme;
        let editing = !matches!(self.phase, Phase::InFlight { .. });
        let f = |field: AddField| editing && self.focused() == field;
        let mut lines: Vec<Line<'static>> = Vec::new();
        let title = format!("Add number to WABA {}", self.id);
        if let Some(new) = &self.added {
            let words = self
                .number()
                .map_or_else(|_| String::new(), |n| format!("{} ", n.words()));
            lines.push(Line::styled(
                format!("✓ Added {words}as {new}: not verified, not registered yet."),
                theme.good(),
            ));
            lines.push(Line::raw(format!(
                "  Meta reviews the name '{}'. The number joins the table now.",
                self.name.trim()
            )));
            lines.push(Line::raw(format!(
                "  To keep it in the config (wareg never writes it): [[numbers]] id = \"{new}\""
            )));
            lines.push(Line::raw(""));
            lines.push(Line::styled("Next", theme.title()));
            lines.push(Line::raw(
                "  1. request the ownership code (SMS or voice) and type it",
            ));
            lines.push(Line::raw(
                "  2. register it for the Cloud API with a two-step PIN",
            ));
            lines.push(Line::raw(""));
            let tail = foot(
                cx,
                &self.phase,
                ("Request the code…", f(AddField::Submit), true),
                f(AddField::Cancel),
                None,
                None,
                "",
            );
            return FormContent {
                title,
                width: 78,
                body: lines,
                tail,
            };
        }
        lines.push(Line::raw(
            "Adds a number to the WABA; it is then neither verified nor registered.",
        ));
        lines.push(Line::raw(""));
        if self.wabas.len() > 1 {
            lines.push(Line::from(vec![
                field_label(theme, "Profile", f(AddField::Profile)),
                Span::raw(format!("◂ {} ▸", self.profile)),
                Span::styled(
                    format!(
                        "  WABA {} ({} of {})",
                        self.id,
                        self.pick + 1,
                        self.wabas.len()
                    ),
                    theme.dim(),
                ),
            ]));
        } else {
            lines.push(Line::from(vec![
                field_label(theme, "Profile", false),
                Span::raw(self.profile.to_string()),
                Span::styled(format!("  WABA {}", self.id), theme.dim()),
            ]));
        }
        let text = |value: &str, hint: &str| {
            if value.is_empty() {
                Span::styled(hint.to_owned(), theme.dim())
            } else {
                Span::raw(value.to_owned())
            }
        };
        lines.push(Line::from(vec![
            field_label(theme, "Country code", f(AddField::CountryCode)),
            text(&self.cc, "(e.g. 44)"),
        ]));
        lines.push(Line::from(vec![
            field_label(theme, "Number", f(AddField::Phone)),
            text(&self.phone, "(e.g. 7700 900123, without the country code)"),
        ]));
        lines.push(Line::from(vec![
            field_label(theme, "Display name", f(AddField::Name)),
            text(&self.name, "(as customers will see it, 2-75 characters)"),
        ]));
        if let Phase::Failed(failure) = &self.phase {
            lines.extend(super::parts::failure_lines(cx, failure, None));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Will send", theme.title()));
        lines.push(Line::raw(format!(
            "  POST /{}/phone_numbers  cc, phone_number, verified_name",
            self.id
        )));
        lines.push(Line::styled(
            "  then: request and verify the code, register (offered here, one at a time)",
            theme.dim(),
        ));
        lines.push(Line::raw(""));
        let problem = self.number().err();
        let tail = foot(
            cx,
            // A failure is shown above, with the fields.
            match &self.phase {
                Phase::Failed(_) => &Phase::Editing,
                phase => phase,
            },
            ("Add", f(AddField::Submit), problem.is_none()),
            f(AddField::Cancel),
            problem.as_deref(),
            None,
            "adding… (not retried automatically)",
        );
        FormContent {
            title,
            width: 78,
            body: lines,
            tail,
        }
    }
}
