//! What a fresh-eyes run found of the command line (after issue 26): `next` per profile, hints
//! that can be pasted as they are, a declined display-name change flagged, an ambiguous name
//! refused with each number it matches, discovered numbers named as the TUI names them, one
//! next step for an outcome that is not known, and the demo's secrets and files.

mod common;

use common::*;
use std::time::Duration;
use wareg::sandbox::SandboxOptions;

const UNSET_TOKEN: &str = "WAREG_TEST_UNSET_TOKEN";
const BRASIL: &str = "106540352242924";

/// The rig's numbers in profile `sb`, and a default profile `prod` whose token is not set;
/// `prod_numbers` are configured in `prod`.
fn two_profiles(rig: &Rig, prod_numbers: &[&str]) {
    let base = rig.sandbox.base_url();
    let mut text = format!(
        r#"default_profile = "prod"

[profiles.prod]
base_url = "{base}"
token_env = "{UNSET_TOKEN}"

[profiles.sb]
base_url = "{base}"
api_version = "v25.0"
token_env = "{TOKEN_VAR}"
waba_id = "{waba}"
timeout_secs = 1

[[numbers]]
id = "{PENDING}"
label = "Sales UK"
profile = "sb"

[[numbers]]
id = "{CONNECTED}"
label = "Support DE"
profile = "sb"
"#,
        waba = rig.sandbox.waba_id(),
    );
    for id in prod_numbers {
        text.push_str(&format!("\n[[numbers]]\nid = \"{id}\"\nprofile = \"prod\"\n"));
    }
    std::fs::write(&rig.config, text).unwrap();
}

#[test]
fn an_ambiguous_beginning_of_a_verified_name_is_refused_with_each_number_it_matches() {
    let rig = Rig::new("v25.0");
    assert_eq!(rig.wareg(&["numbers", "--refresh"]).code, 0);
    let sent = rig.calls().len();
    for args in [
        &["status", "Acme B"][..],
        &["register", "acme b", "--pin-stdin"],
        &["plan", "register", "Acme B"],
    ] {
        let run = rig.wareg_stdin(args, "246810\n");
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(
                "matches 2 numbers: Acme Brasil (+55 11 4002 8922), Acme Billing (+1 631-555-0142)"
            ),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(rig.calls().len(), sent, "nothing sent: {:?}", rig.calls());
    // A beginning only one name has finds it.
    let run = rig.wareg(&["status", "acme bra", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["id"], BRASIL);
}
