//! Stage 1 of the pipeline: find the config files worth reading.

mod format;
mod walk;

pub use format::format_of;
pub use walk::{discover, Discovered, SourceFile};
