//! Reaching the team's PostgreSQL: the URL (from the environment or a command, never the
//! config file) parsed into settings that never show its password, TLS required for any host
//! that is not this machine, and a connection with the ledger's schema on its search path.

use std::time::Duration;

use postgres::config::{Host, SslMode};

use crate::secret::Token;

/// How long connecting may take before the ledger counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

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

/// A parsed ledger URL. `Debug` shows no password.
#[derive(Clone)]
pub struct PgSettings {
    config: postgres::Config,
    pub schema: String,
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
        let mut config: postgres::Config = url
            .expose()
            .parse()
            .map_err(|e: postgres::Error| BadUrl::NotPostgres(e.to_string()))?;
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
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .application_name("wareg");
        Ok(PgSettings {
            config,
            schema: schema.to_owned(),
        })
    }

    /// Whether the connection must be encrypted.
    pub fn tls_required(&self) -> bool {
        self.config.get_ssl_mode() == SslMode::Require
    }

    /// "PostgreSQL ledger support@db.example:5432/wareg (schema wareg, TLS)": no password.
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
            "PostgreSQL ledger {}@{}/{} (schema {}{})",
            self.config.get_user().unwrap_or("?"),
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

    /// A new connection with the schema on its search path. Blocking: call it from a thread
    /// that is not running async tasks.
    pub fn connect(&self) -> Result<postgres::Client, postgres::Error> {
        let mut client = self.config.connect(tls()?)?;
        client.batch_execute(&format!("SET search_path TO {}", self.schema))?;
        Ok(client)
    }
}

/// rustls with the system's trusted roots, as the HTTP client uses.
#[allow(
    clippy::expect_used,
    reason = "the provider's defaults are fixed at build time"
)]
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, postgres::Error> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let config = rustls::ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        // The provider's defaults are fixed at build time: failing here is a bug.
        .expect("ring supports the default TLS versions");
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A database error in words, without anything from the URL.
pub fn words(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => crate::clean::text(&e.to_string(), 300),
    }
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
        assert!(shown.contains("desk@db.example.com:5432/wareg"), "{shown}");
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
