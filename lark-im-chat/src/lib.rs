//! Typed client for the Feishu/Lark group-chat API.
