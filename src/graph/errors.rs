//! What can go wrong with a Graph call, and how it is put into words for support staff.

use super::codes;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

use super::catalogue::{self, CatalogueEntry, RetryAdvice};

/// Meta's error envelope (docs/graph-api-facts.md §1): `message`, `type` and `code` always; the rest optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphError {
    #[serde(default, deserialize_with = "crate::clean::message")]
    pub message: String,
    #[serde(default, rename = "type", deserialize_with = "crate::clean::opt_name")]
    pub kind: Option<String>,
    pub code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_subcode: Option<i64>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_user_title: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_user_msg: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub fbtrace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<ErrorData>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorData {
    #[serde(
        default,
        deserialize_with = "crate::clean::opt_message",
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    error: GraphError,
}

impl GraphError {
    /// Reads `{"error": {...}}`; anything else is not a Graph error.
    pub fn from_body(body: &[u8]) -> Option<GraphError> {
        serde_json::from_slice::<Envelope>(body)
            .ok()
            .map(|e| e.error)
    }

    /// The most specific catalogue entry: by subcode and Meta's message where the code alone
    /// says many things.
    pub fn catalogue(&self) -> Option<&'static CatalogueEntry> {
        match &self.error_user_msg {
            // Meta's user message is what tells 2388001's two causes apart (docs/graph-api-facts.md §9).
            Some(user) => catalogue::lookup_error(
                self.code,
                self.error_subcode,
                &format!("{} {user}", self.message),
            ),
            None => catalogue::lookup_error(self.code, self.error_subcode, &self.message),
        }
    }

    /// The short name: the catalogue's title, else Meta's user title, else its message.
    pub fn title(&self) -> String {
        self.catalogue()
            .map(|c| c.title.clone())
            .or_else(|| self.error_user_title.clone())
            .unwrap_or_else(|| self.message.clone())
    }

    /// What Meta itself said (docs/graph-api-facts.md §7.5): the user message if present, else message + details.
    pub fn meta_says(&self) -> String {
        if let Some(msg) = self.error_user_msg.as_deref().filter(|m| !m.is_empty()) {
            return msg.to_owned();
        }
        match self.error_data.as_ref().and_then(|d| d.details.as_deref()) {
            Some(details) if !details.is_empty() => format!("{} ({details})", self.message),
            _ => self.message.clone(),
        }
    }

    /// A safe-to-retry read failure: flagged transient by Meta, or a code the catalogue says
    /// an automatic backoff is fine for, or a throttle.
    pub fn is_transient(&self) -> bool {
        self.is_transient == Some(true)
            || matches!(
                self.code,
                codes::UNKNOWN
                    | codes::SERVICE
                    | codes::SOMETHING_WENT_WRONG
                    | codes::TEMPORARILY_UNAVAILABLE
            )
            || super::throttle::is_throttle_code(self.code)
    }

    /// Whether a register/deregister attempt that got this answer used Meta's budget.
    pub fn used_budget(&self) -> bool {
        self.catalogue().is_none_or(|c| c.uses_budget)
    }
}

/// Which of its causes a "Cannot Create Certificate" (100/2388001) is, by Meta's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateRefusal {
    /// "This number is registered to an existing WhatsApp account…": free the number first.
    OnExistingAccount,
    /// "Your display name could not be processed…": edit the name first.
    DisplayName,
    /// Meta did not say which.
    Unclear,
}

impl GraphError {
    /// For a register Meta answered with 100/2388001: which cause its words name.
    pub fn certificate_refusal(&self) -> Option<CertificateRefusal> {
        if self.code != 100 || self.error_subcode != Some(codes::CANNOT_CREATE_CERTIFICATE) {
            return None;
        }
        let said = format!(
            "{} {}",
            self.message,
            self.error_user_msg.as_deref().unwrap_or_default()
        )
        .to_lowercase();
        Some(if said.contains("existing whatsapp account") {
            CertificateRefusal::OnExistingAccount
        } else if said.contains("display name could not be processed") {
            CertificateRefusal::DisplayName
        } else {
            CertificateRefusal::Unclear
        })
    }
}

/// What a failed mutation means for the number and its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MutationOutcome {
    /// Nothing reached Meta: recorded, never counted.
    NotSent,
    /// Meta answered with a definite error.
    Failed,
    /// It may or may not have happened: counted, and the status is read back.
    Unknown,
}

/// Everything a Graph call can end in other than success.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// Meta answered with its error envelope.
    #[error("{}", graph_error_line(.error, *.http_status))]
    Graph {
        http_status: u16,
        error: Box<GraphError>,
    },
    /// Something answered, but not with JSON we can read: an HTML error page, a cut-off body.
    #[error(
        "the server answered HTTP {http_status} ({content_type}) with a body that is not {expected}: {problem}; it began: ‹{snippet}›"
    )]
    BadResponse {
        http_status: u16,
        content_type: String,
        expected: &'static str,
        problem: String,
        snippet: String,
    },
    /// No answer within the profile's timeout.
    #[error("no answer within {}s (timeout)", .after.as_secs())]
    Timeout { after: Duration },
    /// Nothing left this machine: the connection could not be made (refused, DNS, TLS) or the
    /// request could not be built (a token that is not a valid header value).
    #[error("network failure: {0} (nothing was sent)")]
    NotSent(String),
    /// The connection broke after the request may have gone out (reset, cut-off answer).
    #[error("network failure: {0}")]
    Network(String),
    /// The client refused to do something unsafe (e.g. follow a paging link to another host).
    #[error("{0}")]
    Refused(String),
    /// Nothing was sent: Meta declared a throttle that is still running (in this process or
    /// another one on the machine), and calls made meanwhile push the recovery further out.
    #[error(
        "nothing was sent: Meta is throttling {} {} (the call budget is spent); wareg sends no reads until then, because calls made meanwhile push the recovery further out",
        .0.covers,
        .0.words(chrono::Utc::now())
    )]
    Throttled(super::throttle::Throttle),
    /// A read that failed on every one of its `tries` (2 or more): `last` is how its last try
    /// ended. It says what that try says (`Display`, `short`, the code, whether it is
    /// transient…); `tries()` is the count a screen shows beside it ("✗ 502 (3 tries)").
    /// Match on [`ApiError::last`], never on this variant, to tell the failures apart.
    #[error("{last}")]
    Retried { tries: u32, last: Box<ApiError> },
}

fn graph_error_line(e: &GraphError, status: u16) -> String {
    let mut line = format!("Graph error {} ({}), HTTP {status}", e.code, e.title());
    if let Some(entry) = e.catalogue() {
        line.push_str(&format!(": {}", entry.explanation));
    }
    line.push_str(&format!(
        " Meta says: {}.",
        e.meta_says().trim_end_matches('.')
    ));
    if let Some(entry) = e.catalogue() {
        line.push_str(&format!(" What to do: {}", entry.action));
    }
    match &e.fbtrace_id {
        Some(trace) => line.push_str(&format!(" fbtrace_id: {trace}")),
        None => line.push_str(" (no fbtrace_id)"),
    }
    line
}

impl ApiError {
    /// `last` as the end of a read tried `tries` times: itself after one try, else wrapped
    /// with the count.
    pub fn after_tries(last: ApiError, tries: u32) -> ApiError {
        match last {
            _ if tries <= 1 => last,
            ApiError::Retried { last, .. } => ApiError::Retried { tries, last },
            last => ApiError::Retried {
                tries,
                last: Box::new(last),
            },
        }
    }

    /// How the last try ended: the error itself, unless it is a read tried more than once.
    pub fn last(&self) -> &ApiError {
        match self {
            ApiError::Retried { last, .. } => last.last(),
            other => other,
        }
    }

    /// How many times the failed request was sent (or tried to be): 1 unless a read was
    /// retried.
    pub fn tries(&self) -> u32 {
        match self {
            ApiError::Retried { tries, .. } => *tries,
            _ => 1,
        }
    }

    /// "after 3 tries" for a read that was tried again, nothing otherwise: what a face adds
    /// to the words of a failure ("read failed after 3 tries: …").
    pub fn tries_words(&self) -> Option<String> {
        (self.tries() > 1).then(|| format!("after {} tries", self.tries()))
    }

    /// The short line with how often the read was tried, when more than once:
    /// "unreadable answer (HTTP 502, text/html); tried 3 times".
    pub fn short_with_tries(&self) -> String {
        match self.tries() {
            1 => self.short(),
            n => format!("{}; tried {n} times", self.short()),
        }
    }

    /// The error without the catalogue's explanation and advice, for a face that shows those
    /// on their own lines (the TUI's forms): Meta's words, the HTTP status and the trace id.
    pub fn detail(&self) -> String {
        match self {
            ApiError::Retried { last, .. } => last.detail(),
            ApiError::Graph { error, http_status } if error.catalogue().is_some() => {
                let trace = error
                    .fbtrace_id
                    .as_deref()
                    .map_or(" (no fbtrace_id)".to_owned(), |t| {
                        format!(" fbtrace_id: {t}")
                    });
                format!(
                    "Graph error {}, HTTP {http_status}. Meta says: {}.{trace}",
                    error.code,
                    error.meta_says().trim_end_matches('.')
                )
            }
            other => other.to_string(),
        }
    }

    pub fn graph(&self) -> Option<&GraphError> {
        match self.last() {
            ApiError::Graph { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }

    pub fn code(&self) -> Option<i64> {
        self.graph().map(|e| e.code)
    }

    pub fn trace_id(&self) -> Option<&str> {
        self.graph().and_then(|e| e.fbtrace_id.as_deref())
    }

    /// Whether every other call of the same profile would fail the same way: the token is
    /// refused (190), a permission is missing (200, 10), or the app is throttled. Such an
    /// error stops that profile's other reads and is told once, not once per number.
    pub fn is_systemic(&self) -> bool {
        use super::codes::{APP_PERMISSION, PERMISSION_DENIED, TOKEN_INVALID};
        match self.last() {
            ApiError::Throttled(_) => true,
            _ => self.code().is_some_and(|c| {
                matches!(c, TOKEN_INVALID | PERMISSION_DENIED | APP_PERMISSION)
                    || super::throttle::is_throttle_code(c)
            }),
        }
    }

    /// May a *read* be retried automatically? Mutations never are.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Retried { last, .. } => last.is_transient(),
            ApiError::Graph { http_status, error } => {
                error.is_transient()
                    || (*http_status >= 500
                        && error
                            .catalogue()
                            .is_none_or(|c| c.retry == RetryAdvice::Safe))
            }
            ApiError::BadResponse { http_status, .. } => *http_status >= 500,
            ApiError::Timeout { .. } | ApiError::Network(_) | ApiError::NotSent(_) => true,
            ApiError::Refused(_) | ApiError::Throttled(_) => false,
        }
    }

    /// For a mutation: what this failure says about whether Meta acted on it (docs/graph-api-facts.md §8).
    pub fn mutation_outcome(&self) -> MutationOutcome {
        match self {
            ApiError::Retried { last, .. } => last.mutation_outcome(),
            ApiError::NotSent(_) | ApiError::Refused(_) | ApiError::Throttled(_) => {
                MutationOutcome::NotSent
            }
            // Meta can apply a register and still answer 500; a transient code says the same.
            ApiError::Graph { http_status, error }
                if *http_status >= 500 || error.is_transient() =>
            {
                MutationOutcome::Unknown
            }
            ApiError::Graph { .. } => MutationOutcome::Failed,
            ApiError::BadResponse { .. } | ApiError::Timeout { .. } | ApiError::Network(_) => {
                MutationOutcome::Unknown
            }
        }
    }

    /// For a mutation: did Meta tell us (or could it not have heard) what happened?
    pub fn outcome_known(&self) -> bool {
        self.mutation_outcome() != MutationOutcome::Unknown
    }

    /// The command-line exit code (docs/PRODUCT.md): 1 Meta answered with an error, 2 wareg
    /// refused before sending (a known throttle), 3 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self.last() {
            ApiError::Graph { .. } => 1,
            ApiError::Throttled(_) => 2,
            _ => 3,
        }
    }

    /// One short line for the log pane: the code and title, or the failure kind.
    pub fn short(&self) -> String {
        match self {
            ApiError::Retried { last, .. } => last.short(),
            ApiError::Graph { error, .. } => format!("{} {}", error.code, error.title()),
            ApiError::BadResponse {
                http_status,
                content_type,
                ..
            } => format!("unreadable answer (HTTP {http_status}, {content_type})"),
            ApiError::Timeout { after } => format!("timeout after {}s", after.as_secs()),
            ApiError::Network(why) => format!("network: {why}"),
            ApiError::NotSent(why) => format!("network: {why}"),
            ApiError::Refused(why) => why.clone(),
            ApiError::Throttled(t) => format!(
                "throttled by Meta until {} (nothing sent)",
                crate::clock::words_utc(t.until)
            ),
        }
    }
}

/// The first bytes of an unreadable body, as printable text, for error messages.
pub fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(80)]);
    crate::clean::text(&text, 80).trim().to_owned()
}

impl fmt::Display for RetryAdvice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RetryAdvice::Safe => "safe to retry",
            RetryAdvice::Wait => "wait, then retry",
            RetryAdvice::No => "do not retry",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_error_line_explains_code_and_trace() {
        let body = br#"{"error":{"message":"(#133005) Two step verification PIN Mismatch","type":"OAuthException","code":133005,"error_data":{"messaging_product":"whatsapp","details":"Two step verification PIN incorrect"},"fbtrace_id":"AbCdEf123"}}"#;
        let err = ApiError::Graph {
            http_status: 400,
            error: Box::new(GraphError::from_body(body).unwrap()),
        };
        let text = err.to_string();
        assert!(text.contains("133005"), "{text}");
        assert!(text.contains("Two-step PIN mismatch"), "{text}");
        assert!(
            text.contains("Two step verification PIN incorrect"),
            "{text}"
        );
        assert!(text.contains("fbtrace_id: AbCdEf123"), "{text}");
        assert!(text.contains("What to do:"), "{text}");
        // The detail leaves the catalogue's words to whoever shows them on their own.
        let detail = err.detail();
        assert!(
            detail.contains("133005") && detail.contains("fbtrace_id: AbCdEf123"),
            "{detail}"
        );
        assert!(
            detail.contains("Two step verification PIN incorrect"),
            "{detail}"
        );
        assert!(
            !detail.contains("What to do") && !detail.contains("Two-step PIN mismatch"),
            "{detail}"
        );
        assert_eq!(err.exit_code(), 1);
        assert!(!err.is_transient());
        assert!(err.outcome_known());
    }

    #[test]
    fn transient_codes_and_unknown_outcomes() {
        let e = GraphError {
            message: "x".into(),
            kind: None,
            code: 2,
            error_subcode: None,
            error_user_title: None,
            error_user_msg: None,
            fbtrace_id: None,
            is_transient: None,
            error_data: None,
        };
        let graph = ApiError::Graph {
            http_status: 503,
            error: Box::new(e),
        };
        assert!(graph.is_transient());
        let timeout = ApiError::Timeout {
            after: Duration::from_secs(3),
        };
        assert!(timeout.is_transient() && !timeout.outcome_known());
        assert_eq!(timeout.exit_code(), 3);
        // A 5xx or a transient code after a mutation: Meta may have applied it.
        assert_eq!(graph.mutation_outcome(), MutationOutcome::Unknown);
        let refused = ApiError::NotSent("could not connect".into());
        assert_eq!(refused.mutation_outcome(), MutationOutcome::NotSent);
        assert_eq!(refused.exit_code(), 3);
    }

    #[test]
    fn non_graph_bodies_are_not_graph_errors() {
        assert!(GraphError::from_body(b"<html>502 Bad Gateway</html>").is_none());
        assert!(GraphError::from_body(br#"{"error":{"message":"cut"#).is_none());
        assert_eq!(
            body_snippet(b"<html>\n<body>502</body>"),
            "<html> <body>502</body>"
        );
    }
}
