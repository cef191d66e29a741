//! The one TLS crypto provider (ring) for every TLS user: the Graph API client (reqwest) and
//! the team ledger's PostgreSQL connection. One provider means one C/asm crypto build instead
//! of two (aws-lc-sys alone took a minute of a fresh build). Which certificates are trusted is
//! decided by each client as before (the platform verifier, the system's roots); this only
//! says which code does the signatures and ciphers.

use std::sync::{Arc, Once};

use rustls::crypto::CryptoProvider;

/// The provider, for a client that names it (the ledger's).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Makes ring the process's default provider, for clients that look it up (reqwest built
/// without one, which panics when none is installed). Call before building such a client;
/// calling it again does nothing.
pub fn install_default_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // Err means another provider was installed first: that one stays, as rustls intends.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installing_makes_ring_the_default_and_twice_is_harmless() {
        install_default_provider();
        install_default_provider();
        let installed = CryptoProvider::get_default().expect("a default provider");
        let ring = provider();
        let suites =
            |p: &CryptoProvider| -> Vec<_> { p.cipher_suites.iter().map(|s| s.suite()).collect() };
        assert_eq!(suites(installed), suites(&ring));
        assert!(!installed.cipher_suites.is_empty());
    }
}
