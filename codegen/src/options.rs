//! Choices a front end makes about the generated text.

/// How doc examples of operation methods are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocExamples {
    /// ```` ```no_run ```` examples calling the family crate (its `crate` in `api.yaml`):
    /// compiled by that crate's doctests. What `cargo xtask codegen` writes.
    #[default]
    Compiled,
    /// ```` ```text ```` examples: shown, never compiled. For a client expanded in another crate
    /// (the proc-macro front end), whose doctests would otherwise compile examples written for
    /// the shipped client against its own spec.
    Text,
}

/// The runtime crate generated code names by default.
pub const DEFAULT_RUNTIME_PATH: &str = "::lark_runtime";

/// Options of [`generate_with`](crate::generate_with).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GenerateOptions {
    /// How doc examples are written.
    pub doc_examples: DocExamples,
    /// Path of the runtime crate (default [`DEFAULT_RUNTIME_PATH`]): the generated root
    /// imports `<runtime>::rt`, and every other file reaches it through that one import. A
    /// crate that depends on the runtime only through a family crate can name its re-export,
    /// e.g. `::lark_im_chat::runtime`.
    pub runtime_path: String,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            doc_examples: DocExamples::default(),
            runtime_path: DEFAULT_RUNTIME_PATH.to_owned(),
        }
    }
}

impl GenerateOptions {
    /// Options naming the runtime at `path` (e.g. `::lark_runtime`).
    pub fn runtime_path(mut self, path: impl Into<String>) -> Self {
        self.runtime_path = path.into();
        self
    }

    /// Options with doc examples written as `doc_examples` says.
    pub fn doc_examples(mut self, doc_examples: DocExamples) -> Self {
        self.doc_examples = doc_examples;
        self
    }
}
