//! Stage 5 of the pipeline: findings → human, JSON (and other) output.
//! Renderers know nothing of evaluation: they read [`Report`] only.

pub mod diagnostic;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod sarif;
mod snippet;

pub use diagnostic::{FileError, Finding, Related, Report};
