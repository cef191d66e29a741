//! A TLS front on a loopback port for the plain test servers (the sandbox, the PostgreSQL
//! cluster): it completes the handshake with a certificate for `localhost` signed by the test
//! CA in tests/fixtures/tls, then passes the decrypted bytes on. The wareg under test is run
//! with `SSL_CERT_FILE` naming the CA the "system" trusts, so the real client code (reqwest's
//! platform verifier, the ledger's root store) and the one crypto provider are exercised.
//!
//! The fixtures are test-only and valid until 2126: the CA's key was thrown away when the
//! server certificate was signed, and the server key protects nothing but these tests.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the client sends before the handshake.
#[derive(Clone, Copy)]
pub enum Preamble {
    /// HTTPS: the handshake comes first.
    None,
    /// PostgreSQL: an 8-byte SSLRequest, answered with `S`.
    PostgresSslRequest,
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls")).join(name)
}

/// The CA that signed the front's certificate.
pub fn trusted_ca() -> String {
    fixture("ca.pem").display().to_string()
}

/// A CA that signed nothing the front shows.
pub fn unknown_ca() -> String {
    fixture("unknown-ca.pem").display().to_string()
}

pub struct TlsFront {
    pub port: u16,
    handshakes: Arc<AtomicUsize>,
    // Dropped last: stops the accept loop and every connection.
    _runtime: tokio::runtime::Runtime,
}

impl TlsFront {
    pub fn start(backend: SocketAddr, preamble: Preamble) -> TlsFront {
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(fixture("server.pem"))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(wareg::tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let done = handshakes.clone();
        runtime.spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let done = done.clone();
                tokio::spawn(async move {
                    if let Preamble::PostgresSslRequest = preamble {
                        let mut request = [0u8; 8];
                        if client.read_exact(&mut request).await.is_err()
                            || client.write_all(b"S").await.is_err()
                        {
                            return;
                        }
                    }
                    // A refused certificate ends here: nothing reaches the backend.
                    let Ok(mut tls) = acceptor.accept(client).await else {
                        return;
                    };
                    done.fetch_add(1, Ordering::SeqCst);
                    if let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
        TlsFront {
            port,
            handshakes,
            _runtime: runtime,
        }
    }

    /// Connections whose handshake completed (the client accepted the certificate).
    pub fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}
