//! wareg: list, inspect, register and deregister WhatsApp Business phone numbers on Meta's
//! Cloud API. The library holds the engine (config, Graph client, audit trail, sandbox) so
//! that the command line, the TUI and the tests all drive the same code.

// A panic on input or on a server's answer is a bug: `unwrap`/`expect` only where a failure is
// one, each allowed where it stands with its reason. Unit tests may unwrap.
#![deny(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod audit;
pub mod bulk;
pub mod clean;
pub mod cli;
pub mod clock;
pub mod config;
pub mod engine;
pub mod fleet;
pub mod flock;
pub mod graph;
pub mod ledger;
pub mod logging;
pub mod paths;
pub mod plural;
pub mod private_file;
pub mod sandbox;
pub mod secret;
pub mod tls;
pub mod tui;
pub mod width;
