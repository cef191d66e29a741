//! Property tests (proptest, seeded and bounded): random keys into `App::update` on every
//! screen, every screen at random sizes, random bytes and JSON into the Graph parsers, random
//! TOML into the config loader. None may panic; each keeps its invariants.
//! `WAREG_FUZZ_CASES=N` runs more cases (default 256 each).

mod common;

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use common::app_fixture::{answer_reads, loaded};
use wareg::config::Config;
use wareg::graph::client::decode;
use wareg::graph::types::{NumbersPage, Settings, Success};
use wareg::graph::{GraphError, PhoneNumber};
use wareg::tui::app::{App, Overlay};
use wareg::tui::forms::{
    AddForm, DeregisterForm, PinForm, RegisterForm, RenameForm, VerifyForm, downcast,
};
use wareg::tui::msg::Msg;

fn cases() -> u32 {
    std::env::var("WAREG_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn any_key() -> impl Strategy<Value = KeyEvent> {
    let code = prop_oneof![
        // Printable keys, biased towards the bound ones and digits.
        proptest::sample::select(vec![
            'j', 'k', 'g', 'G', 'r', 'd', 'p', 'v', 'c', 'q', 'y', 'R', '/', '?', ' ', 'n', 's'
        ])
        .prop_map(KeyCode::Char),
        (b'0'..=b'9').prop_map(|b| KeyCode::Char(b as char)),
        any::<char>().prop_map(KeyCode::Char),
        proptest::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Backspace,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Home,
            KeyCode::End,
        ]),
    ];
    // Ctrl-C is left out: it ends the session, which the quit tests cover.
    (code, prop_oneof![9 => Just(KeyModifiers::NONE), 1 => Just(KeyModifiers::SHIFT), 1 => Just(KeyModifiers::ALT)])
        .prop_map(|(code, modifiers)| KeyEvent::new(code, modifiers))
}

/// The invariants every state must keep.
fn check(app: &App) {
    let t = &app.table;
    assert!(t.visible.iter().all(|&i| i < t.rows.len()));
    if t.visible.is_empty() {
        assert_eq!(t.selected, 0);
    } else {
        assert!(
            t.selected < t.visible.len(),
            "selection {} of {}",
            t.selected,
            t.visible.len()
        );
    }
    assert!(t.offset <= t.selected.max(t.visible.len().saturating_sub(1)));
    if let Some(Overlay::Form(form)) = &app.overlay {
        let form = form.as_ref();
        if let Some(f) = downcast::<RegisterForm>(form) {
            assert!(f.pin.len() <= 6);
            assert!(
                f.focus
                    < app
                        .with_form_context(&f.id, |cx| f.preflight(cx))
                        .fields
                        .len()
            );
        } else if let Some(f) = downcast::<DeregisterForm>(form) {
            assert!(f.typed.len() <= 4 && f.typed.bytes().all(|b| b.is_ascii_digit()));
            assert!(f.focus < app.with_form_context(&f.id, |cx| f.check(cx)).fields.len());
        } else if let Some(f) = downcast::<PinForm>(form) {
            assert!(f.first.len() <= 6 && f.again.len() <= 6);
            assert!(f.focus < 4);
        } else if let Some(f) = downcast::<VerifyForm>(form) {
            assert!(f.code.len() <= 6);
            assert!(f.focus < f.fields().len());
        } else if let Some(f) = downcast::<AddForm>(form) {
            assert!(f.cc.chars().count() <= 4 && f.phone.chars().count() <= 20);
            assert!(f.name.chars().count() <= 75);
            assert!(f.pick < f.wabas.len() && f.wabas[f.pick].1 == f.id);
            assert!(f.focus < f.fields().len());
        } else if let Some(f) = downcast::<RenameForm>(form) {
            assert!(f.name.chars().count() <= 75);
            assert!(
                f.focus
                    < app
                        .with_form_context(&f.id, |cx| f.preview(cx))
                        .fields
                        .len()
            );
        } else {
            panic!("a form the invariants do not know: {form:?}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_keys_keep_every_invariant(keys in proptest::collection::vec(any_key(), 0..120)) {
        let mut app = loaded();
        for key in keys {
            let cmds = app.update(Msg::Key(key));
            // Reads the app asks for are answered, so forms see real storage states.
            answer_reads(&mut app, cmds);
            check(&app);
            if app.quit {
                break;
            }
        }
    }

    #[test]
    fn every_screen_draws_at_any_size(
        keys in proptest::collection::vec(any_key(), 0..40),
        width in 1u16..=300,
        height in 1u16..=100,
    ) {
        let mut app = loaded();
        for key in keys {
            let cmds = app.update(Msg::Key(key));
            answer_reads(&mut app, cmds);
        }
        app.update(Msg::Resize(width, height));
        check(&app);
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|f| wareg::tui::view::draw(f, &app)).unwrap();
    }

    #[test]
    fn graph_parsers_take_any_bytes(body in proptest::collection::vec(any::<u8>(), 0..512), status in 100u16..600) {
        let _ = decode::<PhoneNumber>(status, "application/json", &body);
        let _ = decode::<NumbersPage>(status, "text/html", &body);
        let _ = decode::<Settings>(status, "", &body);
        let parsed = decode::<Success>(status, "application/json", &body);
        if parsed.is_ok() {
            prop_assert!((200..300).contains(&status));
            prop_assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
        }
        let _ = GraphError::from_body(&body);
    }

    #[test]
    fn graph_parsers_take_any_json(value in json_value(), status in prop_oneof![Just(200u16), Just(400), Just(502)]) {
        let body = value.to_string();
        let number = decode::<PhoneNumber>(status, "application/json", body.as_bytes());
        if status != 200 {
            prop_assert!(number.is_err(), "a non-2xx answer is never a success");
        }
        let _ = decode::<NumbersPage>(status, "application/json", body.as_bytes());
        let _ = GraphError::from_body(body.as_bytes());
        // Meta's envelope with odd values still parses or is reported, never panics.
        let envelope = serde_json::json!({"error": value});
        let _ = decode::<Success>(400, "application/json", envelope.to_string().as_bytes());
    }

    #[test]
    fn the_config_loader_takes_any_text(text in toml_like()) {
        match Config::parse(&text, Some("fuzz.toml".into())) {
            Ok(config) => prop_assert!(!config.profiles.is_empty()),
            Err(e) => {
                let shown = e.to_string();
                prop_assert!(!e.message.is_empty());
                // Every error points at its place, but "no profile at all", which has none.
                prop_assert!(e.at.is_some() || shown.contains("defines no profile"), "{shown}");
                if let Some((line, col)) = e.at {
                    prop_assert!(shown.starts_with(&format!("fuzz.toml:{line}:{col}: ")), "{shown}");
                    prop_assert!(line >= 1 && col >= 1);
                }
            }
        }
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z0-9_ ]{0,12}".prop_map(Value::String),
        proptest::sample::select(vec![
            "CONNECTED",
            "VERIFIED",
            "GREEN",
            "NA",
            "id",
            "data",
            "paging",
            "next",
            "error",
            "code"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = proptest::sample::select(vec![
            "id",
            "status",
            "quality_rating",
            "code_verification_status",
            "data",
            "paging",
            "next",
            "error",
            "code",
            "message",
            "fbtrace_id",
            "success",
            "storage_configuration",
            "throughput",
            "level",
            "x",
        ]);
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(key.prop_map(str::to_owned), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Text that is often close to a config: real keys and tables, with noise.
fn toml_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("[profiles.p]".to_owned()),
        Just("[[numbers]]".to_owned()),
        Just("[budget]".to_owned()),
        Just("default_profile = \"p\"".to_owned()),
        Just("token_env = \"T\"".to_owned()),
        Just("token_command = [\"pass\"]".to_owned()),
        Just("id = \"106540352242922\"".to_owned()),
        (
            proptest::sample::select(vec![
                "api_version",
                "base_url",
                "waba_id",
                "timeout_secs",
                "id",
                "label",
                "profile",
                "window_hours",
                "max_attempts",
                "bogus"
            ]),
            prop_oneof![
                Just("\"v25.0\"".to_owned()),
                Just("\"x\"".to_owned()),
                Just("0".to_owned()),
                Just("11".to_owned()),
                Just("[1, 2]".to_owned()),
                "[ -~]{0,10}"
            ]
        )
            .prop_map(|(k, v)| format!("{k} = {v}")),
        "[ -~\\n]{0,30}",
    ];
    proptest::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}
