//! The built-in sandbox: a stateful stand-in for the Graph API's phone-number endpoints, served
//! over real HTTP on loopback (`wareg sandbox`, `wareg demo`, the tests).

mod demo_config;
mod seed;
mod server;
pub mod world;

pub use demo_config::demo_config;
pub use seed::{Certificate, Misbehaviour, Seed, SeedNumber};
pub use server::{CallBudget, NoticeSink, RunningSandbox, SandboxOptions, start};
pub use world::{Received, World};

/// The token the sandbox treats as expired (190, subcode 463), to practise that error.
pub const EXPIRED_TOKEN: &str = "expired-token";
