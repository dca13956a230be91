//! Runbooks: Markdown files parsed into steps, matched to incidents, and executed off the UI
//! task. Parsing, matching and progress are plain data; only [`exec`] and the file helpers in
//! [`library`] and [`progress`] touch the system.

pub mod env;
pub mod exec;
pub mod fetch;
mod frontmatter;
pub mod library;
pub mod markdown;
pub mod matcher;
pub mod model;
mod parse;
pub mod perform;
pub mod progress;
pub mod provenance;

pub use library::{Library, check_dir};
pub use matcher::{MatchOp, Matcher};
pub use model::{CodeBlock, Runbook, RunbookError, Step};
pub use parse::{parse, parse_fetched};
pub use provenance::{Provenance, Version};
