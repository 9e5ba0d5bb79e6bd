//! Proc-macro front end over `lark-codegen`.
