//! blastwall: a policy-as-code linter for deploy configs.
//!
//! The pipeline, one module per stage:
//! [`discover`] → [`parse`] → [`model`] → [`engine`] → [`report`],
//! driven by [`lint`]. The binary (`main.rs`, [`cli`], [`commands`]) only
//! parses flags and picks the exit code.

pub mod baseline;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod fix;
pub mod hash;
pub mod kinds;
pub mod lint;
pub mod model;
pub mod parse;
pub mod report;
pub mod suppress;
