//! Faults against real HTTP servers on 127.0.0.1, pagination: ten thousand members over a hundred
//! pages, repeated or missing page tokens.

mod runtime_faults_support;

use futures::{StreamExt, TryStreamExt};
use lark_im_chat::prelude::*;
use lark_im_chat::Error;
use runtime_faults_support::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// Serves `pages` pages of 100 members, keyed by `page_token`.
struct MemberPages {
    pages: usize,
    calls: Arc<AtomicUsize>,
}

impl Respond for MemberPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let get = |k: &str| query.iter().find(|(q, _)| q == k).map(|(_, v)| v.clone());
        assert_eq!(
            get("page_size").as_deref(),
            Some("100"),
            "query kept on every page"
        );
        assert_eq!(
            get("member_id_type").as_deref(),
            Some("open_id"),
            "query kept on every page"
        );
        let page: usize = get("page_token").map_or(0, |t| {
            t.trim_start_matches("cursor-").parse().expect("token")
        });
        let items: Vec<Value> = (page * 100..page * 100 + 100)
            .map(|i| json!({"member_id_type": "open_id", "member_id": format!("ou_{i:05}"), "name": format!("user {i}"), "tenant_key": "736588c9260f175d"}))
            .collect();
        let more = page + 1 < self.pages;
        let mut data = json!({"items": items, "has_more": more, "member_total": self.pages * 100});
        if more {
            data["page_token"] = json!(format!("cursor-{}", page + 1));
        }
        ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": data}))
    }
}

#[tokio::test]
async fn ten_thousand_members_over_one_hundred_pages() {
    let server = server().await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(method("GET"))
        .and(path(format!("{CHAT_PATH}/members")))
        .respond_with(MemberPages {
            pages: 100,
            calls: calls.clone(),
        })
        .mount(&server)
        .await;
    let client = client_with(&server, fast_policy());
    let members: Vec<_> = client
        .chat(CHAT)
        .members()
        .get()
        .page_size(100)
        .member_id_type("open_id")
        .items()
        .try_collect()
        .await
        .expect("all pages");
    assert_eq!(members.len(), 10_000);
    assert_eq!(calls.load(Ordering::SeqCst), 100);
    for (i, m) in members.iter().enumerate() {
        assert_eq!(m.member_id.as_deref(), Some(format!("ou_{i:05}").as_str()));
    }
    // Stopping early fetches no page past the last item taken.
    calls.store(0, Ordering::SeqCst);
    let first: Vec<_> = client
        .chat(CHAT)
        .members()
        .get()
        .page_size(100)
        .member_id_type("open_id")
        .items()
        .take(150)
        .try_collect()
        .await
        .expect("first 150");
    assert_eq!(first.len(), 150);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

fn member_page(ids: &[&str], has_more: bool, token: Option<&str>) -> ResponseTemplate {
    let items: Vec<Value> = ids
        .iter()
        .map(|id| json!({"member_id": id, "member_id_type": "open_id"}))
        .collect();
    let mut data = json!({"items": items, "has_more": has_more});
    if let Some(t) = token {
        data["page_token"] = json!(t);
    }
    ok(data)
}

#[tokio::test]
async fn a_repeated_page_token_yields_the_pages_then_a_pagination_error() {
    let server = server().await;
    let members = format!("{CHAT_PATH}/members");
    Mock::given(method("GET"))
        .and(path(members.as_str()))
        .and(query_param("page_token", "p2"))
        .respond_with(member_page(&["ou_3", "ou_4"], true, Some("p2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(members.as_str()))
        .respond_with(member_page(&["ou_1", "ou_2"], true, Some("p2")))
        .mount(&server)
        .await;
    let results: Vec<_> = client_with(&server, fast_policy())
        .chat(CHAT)
        .members()
        .get()
        .items()
        .collect()
        .await;
    let ids: Vec<_> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter_map(|m| m.member_id.clone())
        .collect();
    assert_eq!(ids, ["ou_1", "ou_2", "ou_3", "ou_4"]);
    let last = results.last().expect("an error ends the stream");
    assert!(
        matches!(last, Err(Error::Pagination { operation: "chat_members.get", reason }) if reason.contains("repeated")),
        "{last:?}"
    );
    assert_eq!(api_requests(&server).await.len(), 2, "no loop");
}

#[tokio::test]
async fn has_more_without_a_page_token_yields_the_page_then_a_pagination_error() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(format!("{CHAT_PATH}/members")))
        .respond_with(member_page(&["ou_1"], true, None))
        .mount(&server)
        .await;
    let pages: Vec<_> = client_with(&server, fast_policy())
        .chat(CHAT)
        .members()
        .get()
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 2);
    assert_eq!(
        pages[0]
            .as_ref()
            .expect("first page")
            .items
            .as_ref()
            .map(Vec::len),
        Some(1)
    );
    let err = pages[1].as_ref().unwrap_err();
    assert!(
        matches!(err, Error::Pagination { reason, .. } if reason.contains("no page_token")),
        "{err}"
    );
    assert_eq!(api_requests(&server).await.len(), 1);
}
