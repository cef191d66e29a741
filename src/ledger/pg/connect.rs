//! Reaching the team's PostgreSQL: the URL (from the environment or a command, never the
//! config file) parsed into settings that never show its password, TLS required for any host
//! that is not this machine, and a connection with the ledger's schema on its search path.
//!
//! Every call has a deadline (`[ledger] timeout_secs`, 10 s by default): connecting, signing
//! in and each statement, on the client (a server that accepts and never answers is given up
//! on) and on the server (`statement_timeout`, `lock_timeout`), with TCP keepalive on. Whatever
//! the server or the driver says goes through [`PgSettings::words`], which takes the URL's
//! password and user out of it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::error::SqlState;

use super::scrub::Secrets;
use crate::config::DEFAULT_LEDGER_TIMEOUT;
use crate::secret::Token;

/// Why a ledger URL is refused, before any connection is tried. No variant holds the URL, so
/// no password can leak through the words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadUrl {
    /// The parser's words, which never quote the URL.
    #[error(
        "the ledger URL is not a PostgreSQL URL ({0}); expected postgres://user:password@host:5432/database"
    )]
    NotPostgres(String),
    #[error("the ledger URL names no host")]
    NoHost,
    /// TLS turned off for hosts that are not this machine.
    #[error(
        "the ledger URL turns TLS off (sslmode=disable) for {}, which is not this machine: the password and every record would cross the network in clear. Remove sslmode=disable (wareg requires TLS there)",
        .0.join(", ")
    )]
    TlsOff(Vec<String>),
}

/// A parsed ledger URL. `Debug` shows neither its password nor its user.
#[derive(Clone)]
pub struct PgSettings {
    config: tokio_postgres::Config,
    pub schema: String,
    /// The deadline of every call.
    timeout: Duration,
    /// What is taken out of the server's words.
    secrets: Arc<Secrets>,
}

/// An open connection: its client and the runtime its connection task runs on (a runtime of
/// its own, so that dropping it closes the socket whatever the server does).
pub(super) struct Conn {
    pub runtime: tokio::runtime::Runtime,
    pub client: tokio_postgres::Client,
}

/// Why a call did not get its answer. Its `Debug` names the kind only: the server's words in
/// it may hold the password until [`PgSettings::words`] takes it out.
pub(super) enum Failure {
    Pg(tokio_postgres::Error),
    /// The deadline passed: nothing more is waited for.
    TimedOut,
    /// The runtime a connection needs could not be made.
    Io(std::io::Error),
}

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Failure::Pg(_) => "Failure::Pg(..)",
            Failure::TimedOut => "Failure::TimedOut",
            Failure::Io(_) => "Failure::Io(..)",
        })
    }
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        Failure::Pg(e)
    }
}

impl Failure {
    /// The server gave up on our behalf: a statement past `statement_timeout`, or a lock
    /// still held by another desk at `lock_timeout`.
    fn server_deadline(&self) -> Option<&SqlState> {
        match self {
            Failure::Pg(e) => e
                .as_db_error()
                .map(|db| db.code())
                .filter(|c| **c == SqlState::QUERY_CANCELED || **c == SqlState::LOCK_NOT_AVAILABLE),
            _ => None,
        }
    }

    /// Whether a deadline ended the call, here or on the server.
    pub(super) fn is_deadline(&self) -> bool {
        matches!(self, Failure::TimedOut) || self.server_deadline().is_some()
    }
}

impl std::fmt::Debug for PgSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl PgSettings {
    /// Parses the URL and applies the TLS rule: a host that is not this machine gets TLS
    /// required (a URL that turns it off is refused, before any connection is tried).
    pub fn parse(url: &Token, schema: &str) -> Result<PgSettings, BadUrl> {
        let mut config: tokio_postgres::Config = url
            .expose()
            .parse()
            .map_err(|e: tokio_postgres::Error| BadUrl::NotPostgres(e.to_string()))?;
        let remote: Vec<String> = config
            .get_hosts()
            .iter()
            .filter_map(|h| match h {
                Host::Tcp(name) if !is_loopback(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        if config.get_hosts().is_empty() {
            return Err(BadUrl::NoHost);
        }
        if !remote.is_empty() {
            if config.get_ssl_mode() == SslMode::Disable {
                return Err(BadUrl::TlsOff(remote));
            }
            config.ssl_mode(SslMode::Require);
        }
        config.application_name("wareg");
        let secrets = Secrets::of(url.expose(), &config);
        Ok(PgSettings {
            config,
            schema: schema.to_owned(),
            timeout: DEFAULT_LEDGER_TIMEOUT,
            secrets: Arc::new(secrets),
        }
        .with_timeout(DEFAULT_LEDGER_TIMEOUT))
    }

    /// The same settings with every call bounded by `timeout` (a second at least).
    pub fn with_timeout(mut self, timeout: Duration) -> PgSettings {
        let timeout = timeout.max(Duration::from_secs(1));
        self.timeout = timeout;
        self.config
            .connect_timeout(timeout)
            // A peer that vanished (a pulled cable, a dead pgbouncer) is noticed, not waited on.
            .keepalives(true)
            .keepalives_idle(timeout)
            .tcp_user_timeout(timeout);
        self
    }

    /// The deadline of every call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether the connection must be encrypted.
    pub fn tls_required(&self) -> bool {
        self.config.get_ssl_mode() == SslMode::Require
    }

    /// "PostgreSQL ledger db.example:5432/wareg (schema wareg, TLS)": neither the password nor
    /// the user. This name is in every ledger error, in the log and in `audit --json`; the
    /// user is half of what signs in, and the server's words have it taken out too.
    pub fn describe(&self) -> String {
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .zip(
                self.config
                    .get_ports()
                    .iter()
                    .chain(std::iter::repeat(&5432)),
            )
            .map(|(h, port)| match h {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        format!(
            "PostgreSQL ledger {}/{} (schema {}{})",
            hosts.join(","),
            self.config.get_dbname().unwrap_or("?"),
            self.schema,
            if self.tls_required() { ", TLS" } else { "" }
        )
    }

    /// "db.example:5432/wareg", for a title.
    pub fn short(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            Some(Host::Unix(path)) => path.display().to_string(),
            None => "?".into(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        format!("{host}:{port}/{}", self.config.get_dbname().unwrap_or("?"))
    }

    /// A new connection, signed in, with the schema on its search path and the server's own
    /// timeouts set, by `deadline`. Blocking: call it from a thread that is not running async
    /// tasks.
    pub(super) fn connect_by(&self, deadline: Instant) -> Result<Conn, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(Failure::Io)?;
        let (client, connection) =
            runtime.block_on(by(deadline, self.config.connect(tls()?)))??;
        runtime.spawn(connection);
        let millis = self.timeout.as_millis();
        // A transaction left open (a desk killed mid-admission) ends on the server too.
        let setup = format!(
            "SET search_path TO {}; SET statement_timeout = {millis}; SET lock_timeout = {millis}; SET idle_in_transaction_session_timeout = {}",
            self.schema,
            millis * 3
        );
        runtime.block_on(by(deadline, client.batch_execute(&setup)))??;
        Ok(Conn { runtime, client })
    }

    /// A connection for a listener, signed in by `deadline`, driven by a task on the caller's
    /// runtime that hands every notification to the receiver (which ends with the connection).
    pub(super) async fn connect_listening(
        &self,
        deadline: Instant,
    ) -> Result<
        (
            tokio_postgres::Client,
            tokio::sync::mpsc::UnboundedReceiver<tokio_postgres::Notification>,
        ),
        Failure,
    > {
        let (client, mut connection) = by(deadline, self.config.connect(tls()?)).await??;
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            use futures::StreamExt;
            let mut messages = futures::stream::poll_fn(|cx| connection.poll_message(cx));
            while let Some(Ok(message)) = messages.next().await {
                if let tokio_postgres::AsyncMessage::Notification(note) = message
                    && tx.send(note).is_err()
                {
                    break;
                }
            }
        });
        Ok((client, rx))
    }

    /// A failure in words, with the URL's password and user taken out of whatever the server
    /// or the driver said. A deadline is said as such ("did not answer within 10 s").
    pub(super) fn words(&self, failure: &Failure) -> String {
        let secs = self.timeout.as_secs();
        if failure.server_deadline() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
            return format!("another desk's change of this number did not end within {secs} s");
        }
        if failure.is_deadline() {
            return format!("the team ledger did not answer within {secs} s");
        }
        let said = match failure {
            Failure::Pg(e) => match e.as_db_error() {
                Some(db) => format!("{} ({})", db.message(), db.code().code()),
                None => e.to_string(),
            },
            Failure::Io(e) => e.to_string(),
            Failure::TimedOut => unreachable!("said above"),
        };
        crate::clean::text(&self.secrets.scrub(&said), 300)
    }

    /// `text` with the URL's password and user taken out (for words from elsewhere, such as
    /// the migration runner, that may quote the server).
    pub(super) fn scrub(&self, text: &str) -> String {
        crate::clean::text(&self.secrets.scrub(text), 300)
    }
}

/// `work`, given up on at `deadline`.
pub(super) async fn by<T>(deadline: Instant, work: impl Future<Output = T>) -> Result<T, Failure> {
    let left = deadline.saturating_duration_since(Instant::now());
    tokio::time::timeout(left, work)
        .await
        .map_err(|_| Failure::TimedOut)
}

/// rustls with the system's trusted roots, as the HTTP client uses.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, Failure> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let config = rustls::ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        // The provider's defaults are fixed at build time: this fails only if a build of
        // rustls without them is linked, which is said rather than panicked on.
        .map_err(|e| Failure::Io(std::io::Error::other(format!("TLS set-up: {e}"))))?;
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> Result<PgSettings, String> {
        PgSettings::parse(&Token::new(url.to_owned()), "wareg").map_err(|e| e.to_string())
    }

    #[test]
    fn a_remote_host_without_tls_is_refused_and_tls_is_required_by_default() {
        let refused =
            settings("postgres://desk:s3cret@db.example.com/wareg?sslmode=disable").unwrap_err();
        assert!(refused.contains("db.example.com"), "{refused}");
        assert!(!refused.contains("s3cret"), "{refused}");
        let remote = settings("postgres://desk:s3cret@db.example.com/wareg").unwrap();
        assert!(
            remote.tls_required(),
            "prefer becomes require off this machine"
        );
        let shown = format!("{remote:?} {}", remote.describe());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("ledger db.example.com:5432/wareg"),
            "{shown}"
        );
        assert!(!shown.contains("desk"), "no user: {shown}");
        for local in [
            "postgres://desk:pw@127.0.0.1:5433/wareg?sslmode=disable",
            "postgres://desk:pw@localhost/wareg?sslmode=disable",
            "postgres://desk:pw@[::1]:5433/wareg?sslmode=disable",
        ] {
            assert!(!settings(local).unwrap().tls_required(), "{local}");
        }
        let bad = settings("mysql://desk:s3cret@db/wareg").unwrap_err();
        assert!(!bad.contains("s3cret"), "{bad}");
    }
}
