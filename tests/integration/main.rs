//! One integration-test binary (one link on a 2-core CI), one module per concern.

mod cache;
mod cli;
mod common;
mod config;
mod custom_policies;
mod integrations;
mod mutations;
mod policies;
mod robustness;
mod rules;
mod suppress;
mod totality;
