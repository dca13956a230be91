//! What a parsed runbook is: its identity, its matchers and its steps.

use std::fmt;

use super::matcher::Matcher;
use super::provenance::Provenance;

/// A parsed runbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Runbook {
    /// Stable id incidents refer to, e.g. `high-error-rate`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Label matchers that select this runbook for an incident.
    pub matchers: Vec<Matcher>,
    /// Where it came from: a file path, or `embedded:<name>` for the shipped examples.
    pub origin: String,
    /// Markdown between the front matter and the first step.
    pub intro: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Where it came from, which version, and whether its steps may run.
    pub provenance: Provenance,
}

/// One step of a runbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Heading or first line of the list item.
    pub title: String,
    /// The step's Markdown body (without its title).
    pub body: String,
    /// Line in the file where the step starts (1-based).
    pub line: usize,
    /// Fenced code blocks in the body, in order.
    pub blocks: Vec<CodeBlock>,
}

impl Step {
    /// The first block that can be executed, if any.
    pub fn command(&self) -> Option<&CodeBlock> {
        self.blocks.iter().find(|b| b.executable)
    }
}

/// A fenced code block.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlock {
    /// The info string's first word (`sh`, `text`, …), empty when none.
    pub lang: String,
    /// The code, without the fences.
    pub code: String,
    /// True for `sh`, `bash` and `shell` blocks.
    pub executable: bool,
    /// Line of the opening fence (1-based).
    pub line: usize,
}

/// Why a runbook could not be read, pointing at the line that breaks it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RunbookError {
    /// File path or embedded name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RunbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}
