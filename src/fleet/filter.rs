//! One filter grammar for choosing numbers (`wareg bulk --filter`): words separated by spaces,
//! all of which must match. A plain word matches anywhere (label, number, name, id, status,
//! ownership, quality, platform, health, storage, limit); `key:value` matches one column; both ignore
//! case and match a part ("status:pend" finds PENDING), except `next:`, which matches the step
//! whole (`next:register` never finds `reregister`), by its key or by the words the tables show
//! for it (`next:in_review`, `next:elsewhere`).

use super::column::{Column, Facts, Screen};
use super::row::Row;
use crate::audit::BudgetBook;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    terms: Vec<(Option<Column>, String)>,
}

impl Filter {
    pub fn parse(expr: &str) -> Result<Filter, String> {
        let mut terms = Vec::new();
        for word in expr.split_whitespace() {
            match word.split_once(':') {
                Some((key, value)) => {
                    let key = key.to_ascii_lowercase();
                    let Some(known) = Column::FILTER.into_iter().find(|c| c.key() == key) else {
                        let keys: Vec<&str> = Column::FILTER.iter().map(|c| c.key()).collect();
                        return Err(format!(
                            "`{key}:` is not a column to filter on; use one of: {}",
                            keys.join(", ")
                        ));
                    };
                    if value.is_empty() {
                        return Err(format!("`{key}:` needs a value, e.g. {key}:pending"));
                    }
                    // A step is named by its key or by the words the tables show for it
                    // (`next:in_review` is `next:wait_review`); matched by its key.
                    let value = match known {
                        Column::Next => super::next::next_named(value)
                            .map_or_else(|| value.to_lowercase(), |step| step.as_str().to_owned()),
                        _ => value.to_lowercase(),
                    };
                    terms.push((Some(known), value));
                }
                None => terms.push((None, word.to_lowercase())),
            }
        }
        if terms.is_empty() {
            return Err(
                "the filter is empty; e.g. --filter \"status:connected quality:red\"".into(),
            );
        }
        Ok(Filter { terms })
    }

    pub fn matches(&self, row: &Row) -> bool {
        // No filterable column reads a budget or the screen.
        let (budgets, screen) = (BudgetBook::default(), Screen::default());
        let facts = Facts {
            row,
            budgets: &budgets,
            screen: &screen,
        };
        let has = |column: Column, value: &str| {
            let text = column.value(&facts).text().to_lowercase();
            if column.exact() {
                text == value
            } else {
                text.contains(value)
            }
        };
        self.terms.iter().all(|(key, value)| match key {
            Some(column) => has(*column, value),
            // A plain word looks at the columns shown, not the profile (a profile named
            // "default" would match every "de") nor the next step (a step's key is a word
            // a person types for something else); `profile:` and `next:` name them.
            None => Column::FILTER
                .into_iter()
                .filter(|c| !matches!(c, Column::Profile | Column::Next))
                .any(|c| has(c, value)),
        })
    }

    /// Whether it names the storage column, which takes a read of its own (`/settings`).
    pub fn needs_storage(&self) -> bool {
        self.terms
            .iter()
            .any(|(key, _)| *key == Some(Column::Storage))
    }

    /// Whether it names the next step, which takes the ledger's budgets and facts too.
    pub fn needs_next(&self) -> bool {
        self.terms.iter().any(|(key, _)| *key == Some(Column::Next))
    }

    /// Whether it looks at what only a live read knows (status, quality…), not just the config.
    pub fn needs_live(&self) -> bool {
        self.terms
            .iter()
            .any(|(key, _)| !matches!(key, Some(Column::Id | Column::Label | Column::Profile)))
    }
}

/// A shell-like glob over labels: `*` any run, `?` one character; case is ignored.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    // Classic two-pointer match with backtracking to the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::graph::{NumberId, PhoneNumber};

    /// A number as the fleet holds it: from the config, and read when `live` is given.
    fn row(id: &str, label: Option<&str>, profile: &str, live: Option<&PhoneNumber>) -> Row {
        let mut row = Row::configured(
            NumberId::parse(id).unwrap(),
            label.map(str::to_owned),
            profile.into(),
        );
        if let Some(number) = live {
            row.set_read(Ok(number.clone()), chrono::Utc::now());
        }
        row
    }

    fn number(status: &str, quality: &str) -> PhoneNumber {
        serde_json::from_value(serde_json::json!({
            "id": "1", "status": status, "quality_rating": quality,
            "display_phone_number": "+49 30 1234", "verified_name": "Acme DE",
        }))
        .unwrap()
    }

    #[test]
    fn words_match_anywhere_and_keys_match_one_column() {
        let live = number("PENDING", "RED");
        let fields = row("1065", Some("Support DE"), "prod", Some(&live));
        let yes = |e: &str| Filter::parse(e).unwrap().matches(&fields);
        assert!(yes("pending"));
        assert!(yes("status:pend support"));
        assert!(yes("quality:red label:de"));
        assert!(!yes("status:connected"));
        assert!(!yes("label:pending"), "a key looks at its column only");
        assert!(Filter::parse("colour:red").unwrap_err().contains("status"));
        assert!(Filter::parse("  ").is_err());
        assert!(Filter::parse("status:x").unwrap().needs_live());
        assert!(!Filter::parse("label:x id:1").unwrap().needs_live());
    }

    #[test]
    fn next_matches_the_whole_step_key_and_plain_words_leave_it_alone() {
        let live = number("CONNECTED", "GREEN");
        let mut fields = row("1065", Some("Support DE"), "prod", Some(&live));
        fields.next = Some(crate::engine::NextStep {
            step: crate::engine::NextKey::Reregister,
            words: String::new(),
            until: None,
            action: None,
        });
        let yes = |e: &str| Filter::parse(e).unwrap().matches(&fields);
        assert!(yes("next:reregister") && yes("NEXT:Reregister"));
        assert!(
            !yes("next:register"),
            "next:register never matches reregister"
        );
        assert!(!yes("next:rereg"), "no part of a key");
        assert!(!yes("reregister"), "a plain word does not look at the step");
        assert!(Filter::parse("next:register").unwrap().needs_next());
        assert!(Filter::parse("next:register").unwrap().needs_live());
        // A step is named by its key or by the words the tables show for it.
        let step_is = |step, expr: &str| {
            let mut fields = fields.clone();
            fields.next.as_mut().unwrap().step = step;
            Filter::parse(expr).unwrap().matches(&fields)
        };
        use crate::engine::NextKey::{ManagedElsewhere, WaitReview};
        assert!(step_is(WaitReview, "next:wait_review"), "the key");
        assert!(step_is(WaitReview, "next:in_review") && step_is(WaitReview, "next:In-Review"));
        assert!(!step_is(WaitReview, "next:review"), "no part of the words");
        assert!(step_is(ManagedElsewhere, "next:elsewhere"));
        assert!(step_is(ManagedElsewhere, "next:managed_elsewhere"));
        fields.next = None;
        assert!(!Filter::parse("next:reregister").unwrap().matches(&fields));
    }

    #[test]
    fn globs() {
        assert!(glob_matches("Support *", "Support DE"));
        assert!(glob_matches("*de", "Support DE"));
        assert!(glob_matches("s?les*", "Sales UK"));
        assert!(!glob_matches("Support", "Support DE"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("a*b", "acd"));
    }

    #[test]
    fn a_plain_word_does_not_match_the_profile_but_profile_colon_does() {
        let fields = row("1065", Some("Sales UK"), "default", None);
        assert!(!Filter::parse("de").unwrap().matches(&fields));
        assert!(Filter::parse("profile:def").unwrap().matches(&fields));
        assert!(Filter::parse("sales").unwrap().matches(&fields));
    }
}
