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

use std::borrow::Cow;

/// Text from the scanned repository (file names, messages quoting its values) with
/// control characters other than line breaks and tabs written as escapes (`\u{1b}`):
/// no file name can drive the terminal or forge an annotation.
pub(crate) fn printable(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| c.is_control() && !matches!(c, '\n' | '\t');
    if !text.contains(hidden) {
        return Cow::Borrowed(text);
    }
    (text.chars())
        .map(|c| {
            if hidden(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
