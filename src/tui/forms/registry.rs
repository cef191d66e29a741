//! Every form a key opens, by the name the key tables use (`Action::OpenForm`). A new form
//! adds its line here.

use super::FormComponent;
use crate::graph::NumberId;
use crate::tui::app::App;

/// Makes the form for a number; `None` when the number is not in the table.
pub type Opener = fn(&App, &NumberId) -> Option<Box<dyn FormComponent>>;

pub const FORMS: &[(&str, Opener)] = &[
    ("register", super::register::open),
    ("region change", super::register::open_region_change),
    ("deregister", super::deregister::open),
    ("two-step PIN", super::pin::open),
    ("verify", super::verify::open),
];

pub fn opener(name: &str) -> Option<Opener> {
    FORMS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, open)| *open)
}
