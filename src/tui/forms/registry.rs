//! Every form a key opens, by its kind (`Action::OpenForm`). A new form adds its kind in
//! `keys::FormKind` and its arm here; the match makes a missing one a compile error.

use super::{FormComponent, FormContext};
use crate::graph::NumberId;
use crate::tui::keys::FormKind;

/// Makes the form of `kind` for a number (for Add: the WABA); `None` when the number is not
/// in the table.
pub fn open(kind: FormKind, cx: &FormContext, id: &NumberId) -> Option<Box<dyn FormComponent>> {
    match kind {
        FormKind::Register => super::register::open(cx, id),
        FormKind::RegionChange => super::register::open_region_change(cx, id),
        FormKind::Deregister => super::deregister::open(cx, id),
        FormKind::Pin => super::pin::open(cx, id),
        FormKind::Verify => super::verify::open(cx, id),
        FormKind::VerifyThenRegister => super::verify::open_then_register(cx, id),
        FormKind::Add => super::add::open(cx, id),
        FormKind::Rename => super::rename::open(cx, id),
    }
}
