//! What one attempt of a call reads from its response: the JSON envelope's `data`, or a
//! download. Both judge an error answer the same way.

use crate::client::shared::Shared;
use crate::error::{Error, Result};
use crate::http::download::{self, Download};
use crate::http::{decode_response, ApiRequest, Incoming, Opened};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::Duration;

/// The result of one attempt, read from its opened response.
pub(crate) trait Answer: Sized {
    /// What the caller passes for every attempt (a download's size limit).
    type Params: Copy + Send + Sync;
    /// Whether the answer is a file (the transfer timeout applies).
    const TRANSFER: bool;

    fn receive(
        shared: &Shared,
        req: &ApiRequest,
        opened: Opened,
        params: Self::Params,
    ) -> impl Future<Output = Result<Self>> + Send;
}

/// The decoded `data` of the JSON envelope.
pub(crate) struct Json<R>(pub(crate) R);

impl<R: DeserializeOwned> Answer for Json<R> {
    type Params = ();
    const TRANSFER: bool = false;

    async fn receive(shared: &Shared, req: &ApiRequest, opened: Opened, _: ()) -> Result<Self> {
        let Incoming {
            status,
            log_id,
            retry_after,
            body,
        } = shared.transport.read_all(opened).await?;
        let decoded = decode_response(req.meta.id, status, log_id, &body)
            .map_err(|e| judged(e, retry_after, req));
        if let (Ok(_), Some(drift)) = (&decoded, &shared.drift) {
            drift.note_response(req.meta.shape, &body);
        }
        decoded.map(Json)
    }
}

impl Answer for Download {
    type Params = u64;
    const TRANSFER: bool = true;

    async fn receive(
        shared: &Shared,
        req: &ApiRequest,
        opened: Opened,
        max_bytes: u64,
    ) -> Result<Self> {
        let retry_after = opened.retry_after;
        download::receive(&shared.transport, opened, max_bytes)
            .await
            .map_err(|e| judged(e, retry_after, req))
    }
}

/// An error answer with what the response head and the spec add: the wait the platform asked
/// for, the operation's scopes, the class of its code.
fn judged(err: Error, retry_after: Option<Duration>, req: &ApiRequest) -> Error {
    match err {
        Error::Api(mut api) => {
            api.retry_after = retry_after;
            api.required_scopes = req.meta.scopes;
            api.classify(req.meta.error_classes);
            Error::Api(api)
        }
        Error::Decode(mut d) => {
            d.retry_after = retry_after;
            Error::Decode(d)
        }
        other => other,
    }
}
