//! Errors of the command line and how they reach the user: plain words on stderr, and under
//! `--json` one JSON document on stdout too. Exit codes follow docs/PRODUCT.md.

use serde_json::{Value, json};

use crate::config::ConfigError;
use crate::engine::MutationError;
use crate::graph::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad usage or bad input; nothing was sent.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// Meta answered with an error, or the network failed.
    #[error("{context}: {error}")]
    Api {
        context: String,
        error: Box<ApiError>,
    },
    /// A local problem before anything was sent (audit trail, data dir).
    #[error("{0}")]
    Local(String),
    /// The engine's plan is blocked, unconfirmed, or its budget was refused under the lock:
    /// nothing was sent. `plan` is the plan as JSON, when there is one.
    #[error("{message}")]
    Blocked { message: String, plan: Value },
    /// The error is already in the JSON document printed on stdout: only stderr is left.
    #[error("{0}")]
    InDocument(Box<CliError>),
    /// A bulk run ended with some numbers not done; its summary (or JSON) is already printed.
    #[error("bulk run {id} did not finish every number (exit {code}); see the summary above")]
    BulkEnded { id: String, code: u8 },
    /// A mutation may or may not have happened; `steps` says which calls were made.
    #[error("{message}")]
    Unknown {
        message: String,
        steps: Value,
        /// The number as read back after the unknown outcome (null if that read failed too).
        read_back: Value,
    },
}

impl CliError {
    pub fn api(context: impl Into<String>, error: ApiError) -> Self {
        CliError::Api {
            context: context.into(),
            error: Box::new(error),
        }
    }

    pub fn mutation(context: impl Into<String>, error: MutationError) -> Self {
        match error {
            MutationError::Audit(why) => CliError::Local(why),
            silent @ MutationError::LedgerSilent(_) => CliError::Local(silent.to_string()),
            MutationError::Refused(refusal) => CliError::Blocked {
                message: refusal.with_force_hint(),
                plan: Value::Null,
            },
            MutationError::Api(error) => CliError::api(context, error),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_)
            | CliError::Config(_)
            | CliError::Local(_)
            | CliError::Blocked { .. } => 2,
            CliError::Api { error, .. } => error.exit_code(),
            CliError::Unknown { .. } => 3,
            CliError::BulkEnded { code, .. } => *code,
            CliError::InDocument(inner) => inner.exit_code(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            CliError::Usage(_) => "usage",
            CliError::Config(_) => "config",
            CliError::Local(_) => "local",
            CliError::Blocked { .. } => "blocked",
            CliError::Api { error, .. } if error.graph().is_some() => "graph",
            CliError::Api { .. } => "network",
            CliError::Unknown { .. } => "unknown_outcome",
            CliError::BulkEnded { .. } => "bulk",
            CliError::InDocument(inner) => inner.kind(),
        }
    }

    pub fn to_json(&self) -> Value {
        let error = json!({"kind": self.kind(), "message": self.to_string()});
        let mut out = json!({"ok": false, "exit_code": self.exit_code(), "error": error});
        match self {
            CliError::Api { error: api, .. } => out["error"]["detail"] = api_error_json(api),
            CliError::Unknown {
                steps, read_back, ..
            } => {
                out["steps"] = steps.clone();
                out["read_back"] = read_back.clone();
            }
            CliError::Blocked { plan, .. } if !plan.is_null() => out["plan"] = plan.clone(),
            _ => {}
        }
        out
    }

    /// After Meta answered with a throttle code: the throttle the client recorded, so the
    /// user learns when access returns.
    fn throttle(&self) -> Option<crate::graph::Throttle> {
        let CliError::Api { error, .. } = self else {
            return None;
        };
        error
            .code()
            .filter(|c| crate::graph::throttle::is_throttle_code(*c))?;
        let dir = crate::paths::data_dir()?;
        crate::graph::ThrottleBook::in_dir(&dir)
            .all_active(chrono::Utc::now())
            .into_iter()
            .next()
    }

    pub fn report(&self, json: bool) {
        // Cleaned once more on the way out: a config error quotes the user's own file.
        eprintln!("error: {}", crate::clean::lines(&self.to_string(), 4000));
        let throttle = self.throttle();
        if let Some(t) = &throttle {
            eprintln!(
                "Meta throttles {} {}: wareg sends no reads until then (calls made meanwhile push the recovery further out).",
                t.covers,
                t.words(chrono::Utc::now())
            );
        }
        if json && !matches!(self, CliError::InDocument(_) | CliError::BulkEnded { .. }) {
            let mut doc = self.to_json();
            if let Some(t) = throttle {
                doc["error"]["access_returns"] = json!(t.until.to_rfc3339());
            }
            say!("{}", crate::clean::json_for_terminal(&doc.to_string()));
        }
    }
}

/// The parts of an API error a script may branch on.
pub fn api_error_json(error: &ApiError) -> Value {
    match error.last() {
        ApiError::Graph { http_status, error } => {
            let entry = error.catalogue();
            json!({
                "http_status": http_status,
                "code": error.code,
                "subcode": error.error_subcode,
                "title": error.title(),
                "explanation": entry.map(|e| e.explanation.clone()),
                "action": entry.map(|e| e.action.clone()),
                "retry": entry.map(|e| e.retry.to_string()),
                "meta_says": error.meta_says(),
                "fbtrace_id": error.fbtrace_id,
            })
        }
        ApiError::Throttled(t) => {
            json!({"summary": error.short(), "access_returns": t.until.to_rfc3339(), "covers": t.covers})
        }
        other => json!({"summary": other.short()}),
    }
}
