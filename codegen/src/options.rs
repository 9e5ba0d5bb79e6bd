//! Choices a front end makes about the generated text.

/// How doc examples of operation methods are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocExamples {
    /// ```` ```no_run ```` examples calling `lark_im_chat::Client`: compiled by the client crate's
    /// doctests, so they must name the shipped client. What `cargo xtask codegen` writes.
    #[default]
    Compiled,
    /// ```` ```text ```` examples: shown, never compiled. For a client expanded in another crate
    /// (the proc-macro front end), whose doctests would otherwise compile examples written for
    /// the shipped client against its own spec.
    Text,
}

/// Options of [`generate_with`](crate::generate_with).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GenerateOptions {
    /// How doc examples are written.
    pub doc_examples: DocExamples,
}

impl GenerateOptions {
    /// Options with doc examples written as `doc_examples` says.
    pub fn doc_examples(mut self, doc_examples: DocExamples) -> Self {
        self.doc_examples = doc_examples;
        self
    }
}
