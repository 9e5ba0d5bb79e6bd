//! The state every clone of a client and every handle made from it share: what the request
//! path ([`Ctx`](super::Ctx)) and the answer readers both read.

use crate::auth::TokenProvider;
use crate::client::rate_budget::RateBudget;
use crate::http::{RetryPolicy, Transport};
use std::sync::Arc;

/// State shared by every clone of a client and every handle made from it.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) rate_budget: Arc<dyn RateBudget>,
    pub(crate) transport: Arc<Transport>,
    pub(crate) retry: RetryPolicy,
    pub(crate) tokens: Arc<TokenProvider>,
    /// Notes unknown response fields and values, when set.
    pub(crate) drift: Option<crate::drift::DriftLog>,
}
