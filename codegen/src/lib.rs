//! The generator behind `lark-im-chat`.
