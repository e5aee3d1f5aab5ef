//! Stage 5 of the pipeline: findings → human, JSON (and other) output.
//! Renderers know nothing of evaluation: they read [`Report`] only.

pub mod diagnostic;
pub mod human;
pub mod json;

pub use diagnostic::{FileError, Finding, Related, Report};
