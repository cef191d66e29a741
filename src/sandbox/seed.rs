//! The seeded world from `assets/sandbox-numbers.toml`, plus generated numbers for scale.

use serde::Deserialize;

const SEED_TOML: &str = include_str!("../../assets/sandbox-numbers.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Misbehaviour {
    /// Answers only after a long delay (past any sensible timeout).
    Slow,
    /// Answers with an HTML 502 page, like a gateway in trouble.
    Html502,
    /// Answers 200 with JSON cut off in the middle.
    Truncated,
    /// Drops the connection in the middle of the answer.
    Reset,
}

impl Misbehaviour {
    /// What it does, as a person meets it in a log: why that number's lines look wrong.
    /// `slow_for`: how late the slow one answers.
    pub fn words(self, slow_for: std::time::Duration) -> String {
        match self {
            Misbehaviour::Slow => format!(
                "answers only after {} s (a read with a shorter timeout times out)",
                slow_for.as_secs()
            ),
            Misbehaviour::Html502 => "answers with an HTML 502 page".into(),
            Misbehaviour::Truncated => "answers with JSON cut in half".into(),
            Misbehaviour::Reset => "closes the connection mid-answer (no answer)".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedNumber {
    pub id: String,
    pub label: String,
    pub display: String,
    pub name: String,
    pub status: String,
    pub registered: bool,
    pub verified: bool,
    #[serde(default)]
    pub pin: Option<String>,
    pub quality: String,
    #[serde(default)]
    pub storage: Option<String>,
    #[serde(default)]
    pub coexistence: bool,
    #[serde(default)]
    pub misbehave: Option<Misbehaviour>,
    /// `health_status.can_send_message` when not AVAILABLE: LIMITED or BLOCKED.
    #[serde(default)]
    pub health: Option<String>,
    /// A requested display name is under review, and stays so: a register meanwhile is
    /// taken and has no effect (docs/graph-api-facts.md §9).
    #[serde(default)]
    pub name_review: bool,
    /// `name_status` of the name in force (APPROVED when not given). PENDING_REVIEW ends, as
    /// an added number's does, after the sandbox's review time: APPROVED (DECLINED for a name
    /// holding "Bad").
    #[serde(default)]
    pub name_status: Option<String>,
    /// A requested display name and its status (APPROVED: waiting for the re-register).
    #[serde(default)]
    pub new_name: Option<String>,
    #[serde(default)]
    pub new_name_status: Option<String>,
    /// Why Meta refuses its register with "Cannot Create Certificate" (100/2388001).
    #[serde(default)]
    pub certificate: Option<Certificate>,
    /// `platform_type` when it is not what registration says (ON_PREMISE).
    #[serde(default)]
    pub platform: Option<String>,
    /// The messaging limit (TIER_1K when not given).
    #[serde(default)]
    pub limit: Option<String>,
    /// An official business account.
    #[serde(default)]
    pub official: bool,
}

/// The two causes of 100/2388001 (docs/graph-api-facts.md §9), each answered with Meta's own user message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certificate {
    /// The number is registered to an existing WhatsApp account.
    ExistingAccount,
    /// The display name could not be processed.
    DisplayName,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub waba_id: String,
    pub number: Vec<SeedNumber>,
}

impl Seed {
    /// The built-in world; `extra` generated numbers are appended for scale tests.
    pub fn builtin(extra: usize) -> Seed {
        // Compiled in and parsed by tests; were it broken, the sandbox would hold only the
        // generated numbers (and say why in the log), never panic in a demo.
        let mut seed: Seed = match toml::from_str(SEED_TOML) {
            Ok(seed) => seed,
            Err(e) => {
                tracing::error!("assets/sandbox-numbers.toml does not parse: {e}");
                Seed {
                    waba_id: "102290129340398".into(),
                    number: Vec::new(),
                }
            }
        };
        seed.number.extend((0..extra).map(generated));
        seed
    }

    /// Which numbers misbehave on purpose and how ("4 numbers misbehave on purpose, to
    /// practise with: Slow line (1065…) answers too late, …"), so their failures read as the
    /// practice they are; None when none does.
    pub fn misbehaving_words(&self, slow_for: std::time::Duration) -> Option<String> {
        let each: Vec<String> = self
            .number
            .iter()
            .filter_map(|n| {
                let how = n.misbehave?.words(slow_for);
                Some(format!("{} ({}) {how}", n.label, n.id))
            })
            .collect();
        (!each.is_empty()).then(|| {
            format!(
                "{} misbehave on purpose, to practise with: {}",
                crate::plural::count(each.len(), "number"),
                each.join("; ")
            )
        })
    }
}

fn generated(i: usize) -> SeedNumber {
    SeedNumber {
        id: format!("{}", 1_990_000_000_000_000u64 + i as u64),
        label: format!("Fleet {:05}", i + 1),
        display: format!("+1 555-{:03}-{:04}", (i / 10_000) % 1000, i % 10_000),
        name: format!("Fleet line {}", i + 1),
        status: "CONNECTED".into(),
        registered: true,
        verified: true,
        pin: Some("000000".into()),
        quality: ["GREEN", "GREEN", "YELLOW", "RED"][i % 4].into(),
        storage: None,
        coexistence: false,
        misbehave: None,
        health: None,
        name_review: false,
        name_status: None,
        new_name: None,
        new_name_status: None,
        certificate: None,
        platform: None,
        limit: None,
        official: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo says which of its numbers misbehave, each by the label the table shows and
    /// the id its log lines carry, and how.
    #[test]
    fn the_numbers_that_misbehave_on_purpose_are_named_with_what_they_do() {
        let words = Seed::builtin(0)
            .misbehaving_words(std::time::Duration::from_secs(8))
            .unwrap();
        assert!(
            words.starts_with("4 numbers misbehave on purpose"),
            "{words}"
        );
        for named in [
            "Slow line (106540352242931) answers only after 8 s",
            "Gateway trouble (106540352242932) answers with an HTML 502 page",
            "Truncated answers (106540352242933)",
            "Dropped connection (106540352242934) closes the connection",
        ] {
            assert!(words.contains(named), "{named}: {words}");
        }
        let quiet = Seed {
            waba_id: "1".into(),
            number: Vec::new(),
        };
        assert_eq!(quiet.misbehaving_words(std::time::Duration::ZERO), None);
    }
}
