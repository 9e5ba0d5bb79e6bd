//! Cursor pagination as `Stream`s, with guards against pages that would loop forever.
//!
//! A listing ends only when the platform says `has_more: false`. A page that claims more but
//! carries no cursor, or repeats a cursor already seen, is yielded and then followed by an error
//! that ends the stream, instead of looping or silently returning a short listing.

use crate::auth::TokenKind;
use crate::client::Ctx;
use crate::error::{Error, Result};
use crate::http::ApiRequest;
use futures::stream::{self, Stream, StreamExt};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

/// One page of a paginated response.
pub trait Page: DeserializeOwned + Send + 'static {
    /// The listed item type.
    type Item: Send + 'static;

    /// Whether more pages follow, and the cursor of the next one.
    fn cursor(&self) -> (Option<bool>, Option<&str>);

    /// The items of this page.
    fn into_items(self) -> Vec<Self::Item>;
}

/// A request that can be repeated page after page.
pub trait Paginated: Clone + Send + Sync + 'static {
    /// Token kind of the handle that made it.
    type Token: TokenKind;
    /// Response of one page.
    type Page: Page;

    /// Client context to send with.
    fn ctx(&self) -> &Ctx<Self::Token>;

    /// Sets the cursor of the next page (`None` for the first).
    fn set_page_token(&mut self, token: Option<String>);

    /// Describes the request for the current cursor.
    fn to_request(&self) -> Result<ApiRequest>;
}

enum State<P> {
    Next {
        req: P,
        seen: HashSet<u64>,
    },
    /// The last page was yielded; its cursor was unusable.
    Fail(Error),
    Done,
}

fn fingerprint(token: &str) -> u64 {
    let mut h = DefaultHasher::new();
    token.hash(&mut h);
    h.finish()
}

/// All pages, in order; the stream ends after the last page or the first error.
pub fn pages<P: Paginated>(first: P) -> impl Stream<Item = Result<P::Page>> + Send {
    let start = State::Next {
        req: first,
        seen: HashSet::new(),
    };
    stream::unfold(start, |state| async move {
        let (mut req, mut seen) = match state {
            State::Next { req, seen } => (req, seen),
            State::Fail(e) => return Some((Err(e), State::Done)),
            State::Done => return None,
        };
        let result = match req.to_request() {
            Ok(r) => req.ctx().send::<P::Page>(r).await,
            Err(e) => Err(e),
        };
        let page = match result {
            Ok(page) => page,
            Err(e) => return Some((Err(e), State::Done)),
        };
        let (has_more, token) = page.cursor();
        if has_more != Some(true) {
            return Some((Ok(page), State::Done));
        }
        let broken = |reason: &str| Error::Pagination {
            operation: req
                .to_request()
                .map_or("paginated operation", |r| r.meta.id),
            reason: reason.to_owned(),
        };
        let Some(token) = token.filter(|t| !t.is_empty()).map(str::to_owned) else {
            let err = broken("has_more is true but the page carries no page_token");
            return Some((Ok(page), State::Fail(err)));
        };
        if !seen.insert(fingerprint(&token)) {
            let err = broken("the platform repeated a page_token already seen");
            return Some((Ok(page), State::Fail(err)));
        }
        req.set_page_token(Some(token));
        Some((Ok(page), State::Next { req, seen }))
    })
}

/// All items of all pages, one page in memory at a time. Stop early with `StreamExt::take`:
/// no page is fetched past the last item taken.
pub fn items<P: Paginated>(first: P) -> impl Stream<Item = Result<<P::Page as Page>::Item>> + Send {
    pages(first).flat_map(|page| match page {
        Ok(page) => stream::iter(page.into_items().into_iter().map(Ok)).left_stream(),
        Err(e) => stream::iter(std::iter::once(Err(e))).right_stream(),
    })
}
