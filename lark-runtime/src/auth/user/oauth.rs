//! The OAuth side of user tokens: the authorization URL (with `state` and PKCE S256) and the
//! v2 token endpoint, for the code exchange and for refreshes.

use super::{UserToken, MAX_USER_TOKEN_LIFETIME};
use crate::auth::endpoints::{lifetime_within, post_json, MAX_TOKEN_LIFETIME};
use crate::auth::Secret;
use crate::error::{ApiError, Error, Result};
use crate::http::Transport;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::RngCore as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::time::Duration;

/// Path of the OAuth 2.0 token endpoint (code exchange and refresh).
pub(crate) const OAUTH_TOKEN_PATH: &str = "/open-apis/authen/v2/oauth/token";
/// Path of the page that asks the user to authorize the app.
pub(crate) const AUTHORIZE_PATH: &str = "/open-apis/authen/v1/authorize";

/// Operation name of token endpoint calls, in spans and errors.
const OP: &str = "authen.oauth_token";

/// Characters left as they are in a query value (RFC 3986 unreserved).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The app's credentials and where the OAuth endpoints are.
#[derive(Debug)]
pub(crate) struct OAuthEndpoints {
    /// The client's transport with the OAuth base URL.
    pub(crate) transport: Transport,
    /// Full URL of the authorization page.
    pub(crate) authorize_url: String,
    pub(crate) app_id: String,
    pub(crate) app_secret: Secret,
}

/// Where to send the user to authorize the app, and what to keep until the callback.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The authorization page, with `client_id`, `redirect_uri`, `scope`, `state` and the PKCE
    /// `code_challenge`.
    pub url: String,
    /// The `state` the callback must carry back: compare it before exchanging the code (CSRF).
    pub state: String,
    /// The PKCE verifier to pass to the code exchange. Keep it server-side.
    pub code_verifier: Secret,
}

/// The PKCE S256 challenge of a verifier: `BASE64URL(SHA-256(verifier))` without padding
/// (RFC 7636 §4.2).
pub fn pkce_challenge(code_verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(code_verifier.as_bytes()))
}

/// 32 random bytes, base64url: 43 characters, as RFC 7636 recommends for a verifier.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Lifetime assumed for an access token whose `expires_in` is missing, zero, negative or not a
/// number: short, so that the token is replaced soon, yet used for half of it rather than
/// refreshed on every call.
pub(crate) const UNKNOWN_ACCESS_LIFETIME: Duration = Duration::from_secs(60);

/// The field `name` of an answer as text, if it is text.
fn text(answer: &Value, name: &str) -> Option<String> {
    answer.get(name)?.as_str().map(str::to_owned)
}

/// A user token from a success answer, read leniently: the platform has spent the refresh
/// token it was given, so the new one must be kept whatever else looks odd. The access
/// lifetime is clamped like the tenant path's `expire` ([`UNKNOWN_ACCESS_LIFETIME`] when it
/// cannot be read); without an access token the token is stored already expired, so that the
/// next call refreshes with the new refresh token.
fn token_of(answer: &Value) -> Option<UserToken> {
    let refresh = text(answer, "refresh_token").map(Secret::new);
    let access = text(answer, "access_token").filter(|a| !a.is_empty());
    if access.is_none() && refresh.is_none() {
        return None;
    }
    let lifetime = match (&access, answer.get("expires_in")) {
        (None, _) => Duration::ZERO,
        (Some(_), Some(v)) => lifetime_within(v, MAX_TOKEN_LIFETIME)
            .filter(|l| !l.is_zero())
            .unwrap_or(UNKNOWN_ACCESS_LIFETIME),
        (Some(_), None) => UNKNOWN_ACCESS_LIFETIME,
    };
    let refresh_lifetime = answer
        .get("refresh_token_expires_in")
        .and_then(|v| lifetime_within(v, MAX_USER_TOKEN_LIFETIME));
    let scopes = text(answer, "scope")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    Some(UserToken::new(
        access.unwrap_or_default(),
        lifetime,
        refresh,
        refresh_lifetime,
        scopes,
    ))
}

impl OAuthEndpoints {
    /// A new authorization request: fresh `state` and PKCE verifier each time.
    pub(crate) fn authorization(
        &self,
        redirect_uri: &str,
        scopes: &[&str],
    ) -> AuthorizationRequest {
        let state = random_token();
        let verifier = random_token();
        let mut url = self.authorize_url.clone();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        let scope = scopes.join(" ");
        let challenge = pkce_challenge(&verifier);
        let params = [
            ("client_id", self.app_id.as_str()),
            ("response_type", "code"),
            ("redirect_uri", redirect_uri),
            ("scope", scope.as_str()),
            ("state", state.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        for (name, value) in params {
            if name == "scope" && value.is_empty() {
                continue;
            }
            url.push(sep);
            url.push_str(name);
            url.push('=');
            url.extend(utf8_percent_encode(value, QUERY_VALUE));
            sep = '&';
        }
        AuthorizationRequest {
            url,
            state,
            code_verifier: Secret::new(verifier),
        }
    }

    /// Exchanges an authorization code (valid 5 minutes, single use) for the user's token.
    pub(crate) async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&Secret>,
    ) -> Result<UserToken> {
        let mut body = serde_json::json!({
            "grant_type": "authorization_code",
            "client_id": self.app_id,
            "client_secret": self.app_secret.expose(),
            "code": code,
            "redirect_uri": redirect_uri,
        });
        if let Some(verifier) = code_verifier {
            body["code_verifier"] = verifier.expose().into();
        }
        self.request(&body).await
    }

    /// Spends a refresh token for a new token pair (one attempt; the caller judges errors).
    pub(crate) async fn refresh(&self, refresh_token: &Secret) -> Result<UserToken> {
        let body = serde_json::json!({
            "grant_type": "refresh_token",
            "client_id": self.app_id,
            "client_secret": self.app_secret.expose(),
            "refresh_token": refresh_token.expose(),
        });
        self.request(&body).await
    }

    async fn request(&self, body: &Value) -> Result<UserToken> {
        let answer = post_json::<Value>(&self.transport, OP, OAUTH_TOKEN_PATH, body).await?;
        let r = &answer.body;
        // Read leniently: a missing or odd `code` is judged by the token in the answer.
        let code = r.get("code").and_then(Value::as_i64).unwrap_or(0);
        match (code, token_of(r)) {
            (0, Some(token)) => Ok(token),
            (0, None) => Err(Error::Auth(format!(
                "the OAuth token endpoint answered HTTP {} without a token{}",
                answer.status,
                text(r, "error")
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ))),
            (code, _) => Err(Error::Api(Box::new(ApiError {
                operation: OP,
                status: answer.status,
                code,
                msg: [
                    text(r, "error"),
                    text(r, "error_description").or_else(|| text(r, "msg")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": "),
                log_id: answer.log_id,
                detail: None,
                retry_after: answer.retry_after,
                required_scopes: &[],
                class: None,
            }))),
        }
    }
}

/// The accounts host of the two official Open API hosts; any other base URL serves the
/// authorization page itself (a private deployment or a local test server).
pub(crate) fn default_authorize_base(open_api_base: &str) -> String {
    for (open, accounts) in [
        ("https://open.feishu.cn", "https://accounts.feishu.cn"),
        (
            "https://open.larksuite.com",
            "https://accounts.larksuite.com",
        ),
    ] {
        if open_api_base == open {
            return accounts.to_owned();
        }
    }
    open_api_base.to_owned()
}
