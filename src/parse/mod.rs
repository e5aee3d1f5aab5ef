//! Stage 2 of the pipeline: text → span-preserving [`Node`] trees.

pub mod error;
pub mod groovy;
pub mod hcl;
pub mod json;
pub mod lines;
pub mod make;
pub mod node;
pub mod shell;
pub mod toml;
pub mod yaml;

use serde::Serialize;

pub use error::ParseError;
pub use node::{Node, PathSeg, Span};

/// How a file's bytes are read. Decided from the file name by `discover`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Yaml,
    Json,
    Hcl,
    Dotenv,
    Ini,
    Shell,
    Toml,
    Make,
    /// A Jenkinsfile (the Groovy subset pipelines are written in).
    Groovy,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Hcl => "hcl",
            Format::Dotenv => "dotenv",
            Format::Ini => "ini",
            Format::Shell => "shell",
            Format::Toml => "toml",
            Format::Make => "make",
            Format::Groovy => "groovy",
        }
    }
}

/// Parses `text` as `format`. A file may hold several documents (multi-document YAML).
pub fn parse(format: Format, text: &str) -> Result<Vec<Node>, ParseError> {
    match format {
        Format::Yaml => yaml::parse_yaml(text),
        Format::Json => Ok(json::parse_json(text)?.into_iter().collect()),
        Format::Hcl => hcl::parse_hcl(text).map(|n| vec![n]),
        Format::Dotenv => Ok(vec![lines::parse_dotenv(text)]),
        Format::Ini => Ok(vec![lines::parse_ini(text)]),
        Format::Toml => toml::parse_toml(text).map(|n| vec![n]),
        // The script itself is the document; `model` tokenizes it.
        Format::Shell => Ok(vec![Node::str(text, Span::new(0, text.len()))]),
        // Likewise the Makefile; parsing here only reports malformed ones.
        Format::Make => {
            make::parse_makefile(text).map(|_| vec![Node::str(text, Span::new(0, text.len()))])
        }
        Format::Groovy => groovy::parse_jenkinsfile(text).map(|n| vec![n]),
    }
}
