//! A number's life through the TUI (issue 25), end to end: the real binary in a
//! pseudo-terminal against the sandbox on loopback. `a` adds a number, the form offers the
//! ownership code, the verify form offers the register, and the number ends registered; the
//! sandbox counts every request, so nothing waits on wall time.

mod common;

use std::time::Duration;

use common::pty::*;
use common::*;
use wareg::sandbox::SandboxOptions;

const CODE: &str = "424242";
/// Shift-Tab and Backspace as a terminal sends them.
const BACKTAB: &str = "\x1b[Z";
const BACKSPACE: &str = "\x7f";
const PIN: &str = "135790";

/// The digits after `before` on the screen: the new number's id, as the add form says it.
fn id_after(screen: &str, before: &str) -> String {
    let at = screen.find(before).map(|i| i + before.len()).unwrap_or(0);
    screen[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

#[test]
fn a_number_added_in_the_tui_is_verified_and_registered_through_its_forms() {
    let rig = Rig::with(
        "v25.0",
        SandboxOptions {
            slow_for: Duration::from_secs(4),
            verification_code: Some(CODE.into()),
            ..SandboxOptions::default()
        },
    );
    let waba = rig.sandbox.waba_id().to_owned();
    let mut pty = Pty::spawn(&rig, &[]);
    pty.wait_for("the numbers", |s| {
        row(s, "Support DE").contains("CONNECTED")
    });

    // a: the add form on the profile's WABA. A number Meta would refuse is refused here,
    // before anything is sent.
    pty.keys(&["a"]);
    pty.wait_for("the add form", |s| {
        s.contains(&format!("Add number to WABA {waba}"))
    });
    pty.keys(&[
        "4", "4", TAB, "0", "7", "7", "0", "0", "9", "0", "0", "5", "5", "5",
    ]);
    pty.wait_for("the refusal of a national number starting with 0", |s| {
        s.contains("is not a national phone number")
    });
    pty.keys(&[TAB]);
    for c in "Acme New Line".chars() {
        pty.send(&c.to_string());
    }
    pty.keys(&[TAB, ENTER]);
    pty.wait_for("Add still refused", |s| {
        s.contains("is not a national phone number")
    });
    assert!(
        posts(&rig.sandbox).is_empty(),
        "nothing is sent while refused"
    );
    // Back to the number: take the 0 off the front (Backspace to the start, then retype).
    pty.keys(&[BACKTAB, BACKTAB]);
    for _ in 0..11 {
        pty.send(BACKSPACE);
    }
    pty.keys(&["7", "7", "0", "0", "9", "0", "0", "5", "5", "5"]);
    pty.wait_for("the add ready", |s| {
        !s.contains("is not a national phone number") && s.contains("7700900555")
    });
    pty.keys(&[TAB, TAB, ENTER]);
    let screen = pty.wait_for("added, with the code offered", |s| {
        s.contains("✓ Added +44 7700900555 as ") && s.contains("Request the code…")
    });
    let id = id_after(&screen, "✓ Added +44 7700900555 as ");
    assert!(id.len() >= 10, "the new id on the screen: {screen}");
    assert_eq!(
        posts(&rig.sandbox),
        [format!("/v25.0/{waba}/phone_numbers")]
    );

    // The next step: the verify form, on the new number.
    pty.keys(&[ENTER]);
    pty.wait_for("the verify form on the new number", |s| {
        s.contains(&format!("Verify ownership {id}")) && s.contains("Step 1 of 2")
    });
    verify_with_the_code(&mut pty);

    // And the register form, planned by the engine from the number as read after the verify:
    // ownership VERIFIED, no PIN yet (so it is typed twice), storage left as it is.
    pty.keys(&[ENTER]);
    pty.wait_for("the register form, verified", |s| {
        s.contains(&format!("Register {id}"))
            && row(s, "ownership").contains("VERIFIED")
            && !row(s, "ownership").contains("NOT_VERIFIED")
    });
    for c in PIN.chars() {
        pty.send(&c.to_string());
    }
    pty.keys(&[TAB]);
    for c in PIN.chars() {
        pty.send(&c.to_string());
    }
    pty.keys(&[TAB, TAB, ENTER]);
    pty.wait_for("the new number registered", |s| {
        !s.contains(&format!("Register {id}")) && row(s, "7700900555").contains("CONNECTED")
    });

    // One request each, in order: add, request the code, verify it, register.
    assert_eq!(
        posts(&rig.sandbox),
        [
            format!("/v25.0/{waba}/phone_numbers"),
            format!("/v25.0/{id}/request_code"),
            format!("/v25.0/{id}/verify_code"),
            format!("/v25.0/{id}/register"),
        ]
    );
    pty.keys(&["q"]);
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
    let audit = read(&rig.audit_path());
    assert!(audit.contains("\"op\":\"add\""), "{audit}");
    assert!(audit.contains(&format!("added as {id}")), "{audit}");
    assert!(!audit.contains(PIN) && !audit.contains(CODE), "{audit}");
}

#[test]
fn a_display_name_asked_for_in_the_tui_goes_to_review_and_a_register_then_waits() {
    // The review outlasts the test: nothing here waits for it to end.
    let rig = Rig::with(
        "v25.0",
        SandboxOptions {
            slow_for: Duration::from_secs(4),
            name_review: Duration::from_secs(3600),
            ..SandboxOptions::default()
        },
    );
    let mut pty = Pty::spawn(&rig, &[]);
    pty.wait_for("the numbers", |s| {
        row(s, "Support DE").contains("CONNECTED")
    });
    // Support DE is the second row.
    pty.keys(&["g", "j", "n"]);
    pty.wait_for("the rename form", |s| {
        s.contains(&format!("Display name {CONNECTED}"))
            && s.contains("10 of 10 display-name changes left in 30 days")
    });
    for c in "Acme Support Berlin".chars() {
        pty.send(&c.to_string());
    }
    pty.wait_for("the plan", |s| {
        s.contains(&format!(
            "POST /{CONNECTED}?new_display_name=Acme Support Berlin"
        )) && s.contains("within 14 days")
    });
    pty.keys(&[TAB, ENTER]);
    pty.wait_for("the name in review", |s| {
        !s.contains("Display name 1065") && row(s, "Support DE").contains("in review")
    });
    let asked: Vec<_> = rig
        .sandbox
        .received()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(asked.len(), 1, "one request: {asked:?}");
    assert_eq!(asked[0].path, format!("/v25.0/{CONNECTED}"));
    assert_eq!(asked[0].params["new_display_name"], "Acme Support Berlin");

    // The details say what was asked and where it stands; a register now is refused unsent.
    pty.keys(&[ENTER]);
    pty.wait_for("the details", |s| {
        row(s, "requested name").contains("'Acme Support Berlin': under review")
    });
    pty.keys(&["r"]);
    pty.wait_for("the register form, blocked", |s| {
        s.contains("Nothing can be sent: the requested display name is under review")
            && !s.contains("[ Register ]")
    });
    pty.keys(&[ESC]);
    pty.wait_for("the form closed", |s| {
        !s.contains(&format!("Register {CONNECTED}"))
    });
    assert_eq!(posts(&rig.sandbox).len(), 1, "nothing else was sent");
    pty.keys(&["q"]);
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
    let audit = read(&rig.audit_path());
    assert!(audit.contains("\"op\":\"rename\""), "{audit}");
}

const BILLING: &str = "106540352242925"; // connected, PIN 135790, a requested name in review
const ADDED_PL: &str = "106540352242935"; // added, not verified
const ON_WHATSAPP: &str = "106540352242938"; // refused with 2388001: on a WhatsApp account

/// On the verify form's step 1: asks for the code, types it, and waits for the verified
/// form that offers the register.
fn verify_with_the_code(pty: &mut Pty) {
    pty.keys(&[TAB, TAB, ENTER]);
    pty.wait_for("step 2", |s| s.contains("Step 2 of 2"));
    for c in CODE.chars() {
        pty.send(&c.to_string());
    }
    pty.keys(&[TAB, ENTER]);
    pty.wait_for("verified, with the register offered", |s| {
        s.contains("✓ Ownership verified.") && s.contains("Register…")
    });
}

/// Filters the table down to the number `id` (Ctrl-U clears what the filter held).
fn select(pty: &mut Pty, id: &str) {
    pty.keys(&["/", "\x15"]);
    pty.send(id);
    pty.keys(&[ENTER]);
    pty.wait_for("the one row", |s| {
        s.contains("Numbers (1 of") && s.contains(&format!("filter: {id} "))
    });
}

/// The keys a person might press in a register form, whatever it shows: a PIN, on past the
/// fields, Space (which ticks an override) and Enter. On a form that offers Cancel alone they
/// type nothing, tick nothing and close it.
const PIN_THEN_THROUGH: [&str; 11] = ["1", "3", "5", "7", "9", "0", TAB, TAB, " ", TAB, ENTER];

#[test]
fn register_forms_that_may_send_nothing_offer_cancel_alone_and_send_nothing() {
    let rig = Rig::with(
        "v25.0",
        SandboxOptions {
            slow_for: Duration::from_secs(4),
            verification_code: Some(CODE.into()),
            ..SandboxOptions::default()
        },
    );
    let mut pty = Pty::spawn(&rig, &[]);
    pty.wait_for("the numbers", |s| {
        row(s, "Support DE").contains("CONNECTED")
    });
    // Billing US: a register would have no effect while its name is in review, and nothing
    // overrides that (README, Onboarding): said at the top, no PIN, no override, Cancel alone.
    select(&mut pty, BILLING);
    pty.keys(&["r"]);
    let form = pty.wait_for("the blocked register form", |s| {
        s.contains(&format!("Register {BILLING}")) && s.contains("Pre-flight")
    });
    assert!(
        form.contains("Nothing can be sent: the requested display name is under review"),
        "{form}"
    );
    for absent in [
        "PIN  ",
        "Override",
        "send anyway",
        "Will send",
        "[ Register ]",
    ] {
        assert!(!form.contains(absent), "{absent}: {form}");
    }
    pty.keys(&PIN_THEN_THROUGH);
    pty.wait_for("the form closed by Enter on Cancel", |s| {
        !s.contains(&format!("Register {BILLING}"))
    });

    // Shop app: coexistence. Said once, with what to do instead.
    select(&mut pty, COEXISTENCE);
    pty.keys(&["r"]);
    let form = pty.wait_for("the coexistence register form", |s| {
        s.contains(&format!("Register {COEXISTENCE}")) && s.contains("Pre-flight")
    });
    assert_eq!(form.matches("Nothing can be sent").count(), 1, "{form}");
    assert!(form.contains("nothing here needs doing"), "{form}");
    for absent in ["PIN  ", "Will send", "[ Register ]"] {
        assert!(!form.contains(absent), "{absent}: {form}");
    }
    pty.keys(&PIN_THEN_THROUGH);
    pty.wait_for("the form closed by Enter on Cancel", |s| {
        !s.contains(&format!("Register {COEXISTENCE}"))
    });

    // Added line PL: not verified. The button verifies, and the plan shows what that sends;
    // Enter on it opens the code form, which sends those two and then offers the register.
    select(&mut pty, ADDED_PL);
    pty.keys(&["r"]);
    let form = pty.wait_for("the register form of an unverified number", |s| {
        s.contains(&format!("Register {ADDED_PL}")) && s.contains("[ Verify ownership… ]")
    });
    assert!(form.contains("1. POST /request_code"), "{form}");
    assert!(!form.contains("POST /register"), "{form}");
    pty.keys(&[ENTER]);
    pty.wait_for("the code form", |s| {
        s.contains(&format!("Verify ownership {ADDED_PL}")) && s.contains("Step 1 of 2")
    });
    verify_with_the_code(&mut pty);
    pty.keys(&[ESC]);
    pty.wait_for("the code form closed", |s| {
        !s.contains("Ownership verified")
    });

    pty.keys(&["q"]);
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
    // Once the process is gone nothing more can be on its way: only the verification was sent.
    assert_eq!(
        posts(&rig.sandbox),
        [
            format!("/v25.0/{ADDED_PL}/request_code"),
            format!("/v25.0/{ADDED_PL}/verify_code"),
        ]
    );
    assert!(
        !pty.output().contains(PIN),
        "the PIN never reaches the screen"
    );
}

#[test]
fn after_meta_says_the_number_is_on_a_whatsapp_account_the_form_sends_nothing_more_until_freed() {
    let rig = Rig::new("v25.0");
    let mut pty = Pty::spawn(&rig, &[]);
    pty.wait_for("the numbers", |s| {
        row(s, "Support DE").contains("CONNECTED")
    });
    select(&mut pty, ON_WHATSAPP);
    pty.keys(&["r"]);
    pty.wait_for("the register form", |s| {
        s.contains(&format!("Register {ON_WHATSAPP}")) && s.contains("pin: not typed yet")
    });
    // No two-step PIN is set: it is typed twice.
    let twice: Vec<&str> = PIN_THEN_THROUGH[..6]
        .iter()
        .copied()
        .chain([TAB])
        .chain(PIN_THEN_THROUGH[..6].iter().copied())
        .chain([TAB, TAB, ENTER])
        .collect();
    pty.keys(&twice);
    let refused = pty.wait_for("Meta's refusal", |s| {
        s.contains("Nothing more is sent from this form")
    });
    assert!(
        refused.contains("✗ Number is on an existing WhatsApp account"),
        "{refused}"
    );
    for absent in ["Override", "Freed", "send anyway", "[ Register ]"] {
        assert!(!refused.contains(absent), "{absent}: {refused}");
    }
    assert_eq!(
        posts(&rig.sandbox),
        [format!("/v25.0/{ON_WHATSAPP}/register")]
    );
    // Whatever is pressed, the form sends nothing more: Enter closes it.
    pty.keys(&PIN_THEN_THROUGH);
    pty.wait_for("the form closed", |s| {
        !s.contains(&format!("Register {ON_WHATSAPP}"))
    });

    // Opened again, it asks for what a send now states, as the CLI's --force does.
    pty.keys(&["r"]);
    let form = pty.wait_for("the register form again", |s| {
        s.contains(&format!("Register {ON_WHATSAPP}")) && s.contains("Freed")
    });
    assert!(
        form.contains("[ ] it is disconnected from that WhatsApp account now"),
        "{form}"
    );
    assert!(
        form.contains("once it is disconnected from that WhatsApp account, tick Freed"),
        "{form}"
    );
    assert!(!form.contains("send anyway"), "{form}");
    // Without the tick Register sends nothing; ticked (freed meanwhile), it goes out once.
    let untick: Vec<&str> = twice[..13]
        .iter()
        .copied()
        .chain([TAB, TAB, TAB, ENTER])
        .collect();
    pty.keys(&untick);
    pty.wait_for("the PINs typed", |s| s.contains("pin ••••••"));
    assert_eq!(
        posts(&rig.sandbox).len(),
        1,
        "nothing sent without the tick"
    );
    pty.keys(&[BACKTAB, " ", TAB, ENTER]);
    pty.wait_for("Meta's refusal again", |s| {
        s.contains("Nothing more is sent from this form") && !s.contains("Freed")
    });
    assert_eq!(posts(&rig.sandbox).len(), 2, "{:?}", posts(&rig.sandbox));
    pty.keys(&[ESC]);
    pty.wait_for("the form closed", |s| {
        !s.contains(&format!("Register {ON_WHATSAPP}"))
    });
    pty.keys(&["q"]);
    let status = pty.wait_exit();
    assert!(status.success(), "{status:?}");
    pty.assert_restored();
    let audit = read(&rig.audit_path());
    assert!(
        audit
            .lines()
            .any(|l| l.contains("\"op\":\"register\"") && l.contains("\"forced\":true")),
        "the tick is recorded as --force is: {audit}"
    );
    assert!(
        !audit.contains(PIN) && !pty.output().contains(PIN),
        "{audit}"
    );
    assert!(!read(&rig.log_path()).contains(PIN));
}
