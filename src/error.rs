//! Errors: a failed run is a list of diagnostics (errors as data, see
//! [`crate::diagnostics`]) and the kind of failure, which decides the exit
//! code. Every stage reports through [`Failure`]; it lives here, below every
//! stage, so that importers and authoring tools report errors without importing
//! the pipeline.

use crate::diagnostics::{Diagnostic, Diagnostics};

/// Why a run failed, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Content, template or write errors (exit code 1).
    Content,
    /// Bad configuration or unsafe usage (exit code 2).
    Config,
}

/// A failed run: every diagnostic found, and what kind of failure it was.
#[derive(Debug)]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// All the problems, sorted.
    pub diagnostics: Diagnostics,
}

impl Failure {
    /// A configuration or usage failure (exit code 2) with one diagnostic.
    pub fn config(d: Diagnostic) -> Failure {
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(d);
        Failure {
            kind: FailureKind::Config,
            diagnostics,
        }
    }

    /// A content, template or write failure (exit code 1) with one diagnostic.
    pub fn content(d: Diagnostic) -> Failure {
        Failure {
            kind: FailureKind::Content,
            ..Failure::config(d)
        }
    }

    /// The process exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            FailureKind::Content => 1,
            FailureKind::Config => 2,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.diagnostics.render(crate::diagnostics::Format::Human, false))
    }
}

impl std::error::Error for Failure {}
