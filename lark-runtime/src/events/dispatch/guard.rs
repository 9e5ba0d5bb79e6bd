//! Running a handler: panics caught, the deadline enforced, and the de-duplication mark
//! released when the dispatch is abandoned half-way.

use super::outcome::{HandlerPanicked, HandlerTimedOut};
use super::{Decoded, Erased, HandlerError, Reply};
use crate::events::webhook::DedupStore;
use futures::FutureExt as _;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

/// Forgets a freshly marked key when the dispatch future is dropped before its handler
/// completed (for example when the HTTP connection is closed): the platform then redelivers
/// the event, which must not be taken for a duplicate.
pub(super) struct ForgetOnDrop {
    store: Arc<dyn DedupStore>,
    /// `None` once disarmed.
    key: Option<String>,
}

impl ForgetOnDrop {
    pub(super) fn new(store: &Arc<dyn DedupStore>, key: String) -> Self {
        Self {
            store: Arc::clone(store),
            key: Some(key),
        }
    }

    /// Drops the guard without forgetting the key, and hands the key back.
    pub(super) fn disarm(mut self) -> String {
        self.key.take().unwrap_or_default()
    }
}

impl Drop for ForgetOnDrop {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let store = Arc::clone(&self.store);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(error) = store.forget(&key).await {
                        tracing::error!(
                            dedup_key = %key,
                            %error,
                            "de-duplication store could not forget a cancelled event; \
                             its redelivery will be dropped"
                        );
                    }
                });
            }
            Err(_) => tracing::error!(
                dedup_key = %key,
                "event dispatch cancelled outside a tokio runtime; its redelivery will be \
                 taken for a duplicate"
            ),
        }
    }
}

/// Runs a handler within `deadline`, turning a panic (while creating or polling its future)
/// or the deadline into an error. At the deadline the handler's future is dropped.
pub(super) async fn call(
    handler: &Erased,
    event: Decoded,
    deadline: Duration,
) -> Result<Reply, HandlerError> {
    let future = std::panic::catch_unwind(AssertUnwindSafe(|| handler(event)))
        .map_err(|_| HandlerError::from(HandlerPanicked))?;
    let guarded = AssertUnwindSafe(future)
        .catch_unwind()
        .map(|result| result.unwrap_or_else(|_| Err(HandlerError::from(HandlerPanicked))));
    let mut guarded = std::pin::pin!(guarded);
    // Most handlers finish without waiting on anything: they need no timer. (A handler that
    // blocks inside one poll cannot be interrupted by a timer anyway.)
    if let std::task::Poll::Ready(result) = futures::poll!(guarded.as_mut()) {
        return result;
    }
    match tokio::time::timeout(deadline, guarded).await {
        Ok(result) => result,
        Err(_) => Err(HandlerError::from(HandlerTimedOut { deadline })),
    }
}
