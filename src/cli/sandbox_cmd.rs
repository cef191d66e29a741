//! `wareg sandbox [--listen ADDR] [--latency-ms N] [--numbers N] [--call-budget N
//! [--budget-window-secs S]] [--name-review-secs S]`

use std::sync::Arc;
use std::time::Duration;

use super::args::SandboxArgs;
use super::context::block_on;
use super::error::CliError;
use crate::sandbox::{self, CallBudget, SandboxOptions};

pub fn run(args: SandboxArgs) -> Result<(), CliError> {
    block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", args.listen)))?;
        if listener.local_addr().is_ok_and(|a| !a.ip().is_loopback()) {
            eprintln!(
                "warning: the sandbox listens on {}, reachable from other machines; anyone who can reach it sees its demo data and any token sent to it",
                args.listen
            );
        }
        let options = SandboxOptions {
            latency: Duration::from_millis(args.latency_ms),
            extra_numbers: args.numbers,
            notices: Some(Arc::new(|line: String| eprintln!("{line}"))),
            call_budget: args.call_budget.map(|calls| CallBudget {
                calls: calls.max(1),
                window: Duration::from_secs(args.budget_window_secs.max(1)),
            }),
            name_review: Duration::from_secs_f64(args.name_review_secs),
            usage_floor: usize::from(args.usage_floor),
            ..SandboxOptions::default()
        };
        let slow_for = options.slow_for;
        let running = sandbox::start(listener, options)
            .map_err(|e| CliError::Local(format!("cannot start the sandbox: {e}")))?;
        say!("wareg sandbox listening on {}", running.base_url());
        say!(
            "  WABA {}; any non-empty Bearer token works, `{}` answers 190",
            running.waba_id(),
            sandbox::EXPIRED_TOKEN
        );
        if let Some(words) = sandbox::Seed::builtin(0).misbehaving_words(slow_for) {
            say!("  {words}");
        }
        for line in profile_lines(&running.base_url(), &running.waba_id()) {
            say!("{line}");
        }
        say!("  press Ctrl-C to stop");
        let _ = tokio::signal::ctrl_c().await;
        drop(running);
        Ok(())
    })?
}

/// The config lines that point a profile at a sandbox: what a person pastes to try the CLI or
/// the TUI against it.
pub fn profile_lines(base_url: &str, waba_id: &str) -> Vec<String> {
    vec![
        "  To use it, add a profile to your config (`wareg config path` says where):".into(),
        "    [profiles.sandbox]".into(),
        format!("    base_url = \"{base_url}\""),
        "    token_env = \"WAREG_SANDBOX_TOKEN\"   # export WAREG_SANDBOX_TOKEN=any-value".into(),
        format!("    waba_id = \"{waba_id}\""),
        "  then: wareg --profile sandbox   (or wareg numbers --refresh --profile sandbox)".into(),
    ]
}
