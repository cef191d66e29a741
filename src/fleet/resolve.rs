//! Finding a number as a person names it: its id, a configured label (or the label's unique
//! beginning), its display number in any spacing, or its unique verified name. Only what is
//! already known is looked at (the config and the numbers wareg last read): no listing is made
//! just to find a name. A miss close to a label or a name says which one was probably meant.

use super::known::Known;
use crate::config::NumberEntry;
use crate::graph::NumberId;

/// How `raw` was found, for the line that says which number it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// An id as given: configured, known, or not known at all (still an id).
    Id(NumberId),
    /// Through a label, a display number or a verified name.
    Named(NumberId),
}

impl Found {
    pub fn id(&self) -> &NumberId {
        match self {
            Found::Id(id) | Found::Named(id) => id,
        }
    }
}

/// The number `raw` names among the `configured` numbers and those `known` from the last
/// listings; `Err` holds the words of a miss or of a name several numbers answer to.
pub fn find(raw: &str, configured: &[NumberEntry], known: &[Known]) -> Result<Found, String> {
    let shown = crate::clean::text(raw, 60);
    let wanted = raw.trim().to_lowercase();
    if wanted.is_empty() {
        return Err("give a phone number ID, a label, a display number or a verified name".into());
    }
    let as_id = NumberId::parse(raw).ok();
    // 1. An exact id wareg knows is the id, whatever else it looks like.
    if let Some(id) = &as_id
        && (configured.iter().any(|n| &n.id == id) || known.iter().any(|k| k.id == id.as_str()))
    {
        return Ok(Found::Id(id.clone()));
    }
    // 2. A configured label, or the only one that begins so.
    let labelled = || {
        configured
            .iter()
            .filter_map(|n| n.label.as_ref().map(|l| (n, l.to_lowercase())))
    };
    if let Some((n, _)) = labelled().find(|(_, l)| *l == wanted) {
        return Ok(Found::Named(n.id.clone()));
    }
    let starts: Vec<_> = labelled().filter(|(_, l)| l.starts_with(&wanted)).collect();
    match starts.as_slice() {
        [(n, _)] => return Ok(Found::Named(n.id.clone())),
        [] => {}
        many => {
            return Err(format!(
                "`{shown}` matches {} labels: {}; give more of the label or the ID",
                many.len(),
                many.iter()
                    .map(|(n, _)| format!("{} ({})", n.label.as_deref().unwrap_or_default(), n.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    // 3. A display number, in any spacing: its digits.
    if let Some(digits) = phone_digits(raw) {
        let ids = unique_ids(known.iter().filter(|k| {
            k.display
                .as_deref()
                .and_then(phone_digits)
                .is_some_and(|d| d == digits)
        }));
        match ids.as_slice() {
            [id] => return Ok(Found::Named(id.clone())),
            [] => {}
            many => return Err(several(&shown, "display number", many)),
        }
    }
    // 4. A verified name, whole (ignoring case), else the only one that begins so: a
    // beginning several names share is refused with each of them, as a label's is. Digits
    // that could be an id are not taken for the beginning of a name.
    let name_of = |k: &&Known| k.name.as_deref().map(|n| n.trim().to_lowercase());
    let whole = unique(
        known
            .iter()
            .filter(|k| name_of(k).is_some_and(|n| n == wanted)),
    );
    let begun = || {
        unique(
            known
                .iter()
                .filter(|k| name_of(k).is_some_and(|n| n.starts_with(&wanted))),
        )
    };
    for matches in [whole, if as_id.is_none() { begun() } else { Vec::new() }] {
        match matches.as_slice() {
            [(id, _)] => return Ok(Found::Named(id.clone())),
            [] => {}
            many => return Err(ambiguous(raw, many)),
        }
    }
    // 5. An id wareg has not seen is still an id.
    if let Some(id) = as_id {
        return Ok(Found::Id(id));
    }
    let mut miss = format!(
        "`{shown}` is not a numeric id (a phone number ID), a configured label, nor a display number or verified name wareg has read"
    );
    let names = configured
        .iter()
        .filter_map(|n| n.label.as_deref())
        .chain(known.iter().filter_map(|k| k.name.as_deref()));
    if let Some(close) = closest(&wanted, names) {
        miss.push_str(&format!(
            "; did you mean '{}'?",
            crate::clean::text(close, 60)
        ));
    } else if known.is_empty() {
        miss.push_str(" (wareg numbers --refresh reads display numbers and names)");
    }
    Err(miss)
}

/// The digits of something written like a phone number ("+1 555-0100", "(030) 1234"): at
/// least 5 digits and nothing but digits, spaces and `+-().`; `None` for anything else.
fn phone_digits(text: &str) -> Option<String> {
    let text = text.trim();
    if !text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return None;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 5).then_some(digits)
}

/// The distinct ids of `found`, in order (one number may be known under two profiles).
fn unique_ids<'a>(found: impl Iterator<Item = &'a Known>) -> Vec<NumberId> {
    unique(found).into_iter().map(|(id, _)| id).collect()
}

/// The distinct numbers of `found` with what is known of each, in order.
fn unique<'a>(found: impl Iterator<Item = &'a Known>) -> Vec<(NumberId, &'a Known)> {
    let mut numbers: Vec<(NumberId, &Known)> = Vec::new();
    for k in found {
        if let Ok(id) = NumberId::parse(&k.id)
            && !numbers.iter().any(|(seen, _)| *seen == id)
        {
            numbers.push((id, k));
        }
    }
    numbers
}

/// How many of the numbers an ambiguous name matches are named; the rest are counted.
const AMBIGUOUS_SHOWN: usize = 6;

/// "'Acme' matches 2 numbers: Acme DE (+49 30 1234 5601), Acme FR (+33 1 4000 5000); …": each
/// number as a person knows it (its verified name and display number, else its id).
fn ambiguous(raw: &str, numbers: &[(NumberId, &Known)]) -> String {
    let mut each: Vec<String> = numbers
        .iter()
        .take(AMBIGUOUS_SHOWN)
        .map(|(id, k)| {
            let name = k.name.as_deref().unwrap_or(id.as_str());
            match &k.display {
                Some(display) => format!("{name} ({display})"),
                None => format!("{name} ({id})"),
            }
        })
        .collect();
    if numbers.len() > AMBIGUOUS_SHOWN {
        each.push(format!("and {} more", numbers.len() - AMBIGUOUS_SHOWN));
    }
    crate::clean::text(
        &format!(
            "'{}' matches {} numbers: {}; give more of the name, or the display number or the ID",
            raw.trim(),
            numbers.len(),
            each.join(", ")
        ),
        4000,
    )
}

fn several(shown: &str, what: &str, ids: &[NumberId]) -> String {
    format!(
        "`{shown}` is the {what} of {} numbers: {}; give the ID",
        ids.len(),
        ids.iter()
            .map(NumberId::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The name closest to `wanted` by edit distance, if it is close enough to be a slip of the
/// keyboard (a third of its length, at least 1 and at most 3 edits).
fn closest<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|name| (edits(wanted, &name.to_lowercase()), name))
        .filter(|(d, name)| *d <= (name.chars().count() / 3).clamp(1, 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance over characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProfileName;

    fn entry(id: &str, label: &str) -> NumberEntry {
        NumberEntry {
            id: NumberId::parse(id).unwrap(),
            label: Some(label.to_owned()),
            profile: ProfileName::new("prod"),
        }
    }

    fn known(id: &str, display: &str, name: &str) -> Known {
        Known {
            id: id.to_owned(),
            profile: "prod".to_owned(),
            display: Some(display.to_owned()),
            name: Some(name.to_owned()),
            seen: chrono::Utc::now(),
        }
    }

    fn found(raw: &str) -> Result<Found, String> {
        let configured = [entry("1065", "Support DE"), entry("1066", "Sales UK")];
        let known = [
            known("1065", "+49 30 1234 5601", "Acme Support"),
            known("2001", "+1 555-0100", "Acme US"),
            known("15550100", "+44 20 7946 0000", "Other"),
        ];
        find(raw, &configured, &known)
    }

    fn id(raw: &str) -> Found {
        Found::Named(NumberId::parse(raw).unwrap())
    }

    #[test]
    fn each_way_of_naming_a_number_in_its_order() {
        assert_eq!(
            found("1066"),
            Ok(Found::Id(NumberId::parse("1066").unwrap()))
        );
        assert_eq!(found("support de"), Ok(id("1065")));
        assert_eq!(found("Sal"), Ok(id("1066")));
        assert_eq!(found("+1 555-0100"), Ok(id("2001")));
        assert_eq!(found("(1) 555 0100"), Ok(id("2001")));
        assert_eq!(found("4930 12345601"), Ok(id("1065")));
        assert_eq!(found("acme us"), Ok(id("2001")));
        // A known id wins over a display number with the same digits.
        assert_eq!(
            found("15550100"),
            Ok(Found::Id(NumberId::parse("15550100").unwrap()))
        );
        // An id wareg has not seen is still an id.
        assert_eq!(found("999"), Ok(Found::Id(NumberId::parse("999").unwrap())));
    }

    #[test]
    fn a_miss_says_what_was_probably_meant() {
        let miss = found("Suport DE").unwrap_err();
        assert!(miss.ends_with("did you mean 'Support DE'?"), "{miss}");
        let miss = found("Acme UZ").unwrap_err();
        assert!(miss.ends_with("did you mean 'Acme US'?"), "{miss}");
        let miss = found("nothing like it").unwrap_err();
        assert!(!miss.contains("did you mean"), "{miss}");
    }

    #[test]
    fn a_name_two_numbers_answer_to_is_refused_with_both() {
        let known = [
            known("1", "+1 555 0100", "Acme"),
            known("2", "+1 555 0101", "Acme"),
        ];
        let e = find("acme", &[], &known).unwrap_err();
        assert_eq!(
            e,
            "'acme' matches 2 numbers: Acme (+1 555 0100), Acme (+1 555 0101); give more of the name, or the display number or the ID"
        );
    }

    #[test]
    fn a_verified_name_is_found_by_its_unique_beginning_and_a_shared_one_is_ambiguous() {
        let fleet = [
            known("1", "+49 30 1234 5601", "Acme DE"),
            known("2", "+33 1 4000 5000", "Acme FR"),
            known("3", "+44 20 7946 0123", "Beta UK"),
        ];
        assert_eq!(find("beta", &[], &fleet), Ok(id("3")));
        assert_eq!(find("Acme f", &[], &fleet), Ok(id("2")));
        assert_eq!(
            find("Acme", &[], &fleet).unwrap_err(),
            "'Acme' matches 2 numbers: Acme DE (+49 30 1234 5601), Acme FR (+33 1 4000 5000); give more of the name, or the display number or the ID"
        );
        // A label's beginning is looked at first, and a whole name before a beginning.
        let configured = [entry("9", "Acme label")];
        assert_eq!(find("Acme", &configured, &fleet), Ok(id("9")));
        let whole = [
            known("1", "+49 30 1234 5601", "Acme"),
            known("2", "+33 1 4000 5000", "Acme FR"),
        ];
        assert_eq!(find("acme", &[], &whole), Ok(id("1")));
    }
}
