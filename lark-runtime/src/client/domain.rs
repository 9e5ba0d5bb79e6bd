//! Where the client connects: the Feishu or Lark Open Platform, or a base URL of your own.

/// Feishu (China) Open Platform host.
pub const FEISHU_BASE_URL: &str = "https://open.feishu.cn";
/// Lark (international) Open Platform host.
pub const LARK_BASE_URL: &str = "https://open.larksuite.com";

/// The platform an app belongs to. Feishu and Lark are separate data planes: an app, its tokens
/// and its chat ids belong to one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Domain {
    /// Feishu, `https://open.feishu.cn` (the default).
    #[default]
    Feishu,
    /// Lark, `https://open.larksuite.com`.
    Lark,
}

impl Domain {
    /// The Open API base URL of the platform.
    pub const fn base_url(self) -> &'static str {
        match self {
            Self::Feishu => FEISHU_BASE_URL,
            Self::Lark => LARK_BASE_URL,
        }
    }
}
