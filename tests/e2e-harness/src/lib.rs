//! End-to-end cases, shared by the family crates' `e2e_*` test files (one file per group of
//! operations): every operation of a family's `meta::OPERATIONS` sent to a real HTTP server on
//! 127.0.0.1.
//!
//! Each case states the exact request the platform must receive (method, path, query, headers and
//! JSON body) and answers a realistic response (extra unknown fields, unknown enum values), which
//! the case then checks field by field after decoding. Each case records its operation in the
//! coverage record; an operation of the spec without a case is a gap that `cargo xtask coverage
//! --check` (the one completeness gate) names. These tests only name it on stderr, so that coverage
//! can still be measured and show the gap as ✗.

use futures::future::BoxFuture;
use lark_runtime::meta::OperationMeta;
use lark_runtime::Client;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub const APP_ID: &str = "cli_a5f3c9e7d2b4100d";
pub const APP_SECRET: &str = "Kq3vT9xLmN2pR7sW4yZ8aB1cD6eF0gHj";
pub const TENANT_TOKEN: &str = "t-g1044qeGEDXTB6NDJOGV4JQCYDGHRBARFTGT1234";
pub const USER_TOKEN: &str = "u-0o1X8Dkq5c8VrUaOHmgkfz1kg2hx4hVrXMG0g4w00a0i";
pub const CHAT: &str = "oc_a0553eda9014c201e6969b478895c230";

/// The request one case must produce, and the `data` the server answers.
#[derive(Debug)]
pub struct Case {
    pub op: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub query: &'static [(&'static str, &'static str)],
    /// Expected JSON body; `None`: the request must carry no body.
    pub body: Option<Value>,
    /// Which bearer token must be sent.
    pub token: &'static str,
    /// The response `data`.
    pub data: Value,
    /// Sends the request and checks the decoded response.
    pub call: fn(Client) -> BoxFuture<'static, ()>,
}

/// The tests of an `e2e_*` file, over its `const FILE`, `fn cases()` and the family's
/// `SUITE` in scope.
#[macro_export]
macro_rules! e2e_tests {
    () => {
        #[test]
        fn every_case_names_one_operation_of_the_spec_once() {
            SUITE.check_cases(FILE, &cases());
        }

        #[tokio::test]
        async fn every_operation_end_to_end() {
            SUITE.run_cases(FILE, cases()).await;
        }
    };
}

/// One family's operations and which test file holds the cases of which operation groups (an
/// operation id's part before the dot): a case lives in its group's file, so no operation has
/// cases in two files. A new group goes into one of the files (or a new one).
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    /// The family's operations (`meta::OPERATIONS`).
    pub operations: &'static [&'static OperationMeta],
    /// Test file name → the operation groups whose cases it holds; the first file also owns the
    /// groups no file names.
    pub files: &'static [(&'static str, &'static [&'static str])],
}

/// The test file that holds the cases of operation `op`'s group.
fn file_of(suite: &Suite, op: &str) -> Option<&'static str> {
    let group = op.split_once('.').map_or(op, |(group, _)| group);
    suite
        .files
        .iter()
        .find(|(_, groups)| groups.contains(&group))
        .map(|(file, _)| *file)
}

/// Matches `/a/:b/c` templates against concrete paths.
fn path_matches_template(template: &str, concrete: &str) -> bool {
    let t: Vec<_> = template.split('/').collect();
    let c: Vec<_> = concrete.split('/').collect();
    t.len() == c.len() && t.iter().zip(&c).all(|(t, c)| t.starts_with(':') || t == c)
}

/// Sends `case` to a fresh server on 127.0.0.1 and checks the request it received.
pub async fn run_case(operations: &[&'static OperationMeta], case: &Case) {
    let op = operations
        .iter()
        .find(|m| m.id == case.op)
        .unwrap_or_else(|| panic!("{}: not an operation of the spec", case.op));
    assert_eq!(
        op.method.as_str(),
        case.method,
        "{}: method differs from the spec",
        case.op
    );
    assert!(
        path_matches_template(op.path, case.path),
        "{}: {} does not match the spec's {}",
        case.op,
        case.path,
        op.path
    );

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "ok", "tenant_access_token": TENANT_TOKEN, "expire": 7200
        })))
        .mount(&server)
        .await;
    Mock::given(method(case.method))
        .and(path(case.path))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("X-Tt-Logid", "20241125103045EC1B3D7E1A2F4B6C8D9E")
                .insert_header("content-type", "application/json; charset=utf-8")
                .set_body_json(json!({"code": 0, "msg": "success", "data": case.data})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::builder(APP_ID, APP_SECRET)
        .base_url(server.uri())
        .build()
        .expect("client");
    (case.call)(client).await;

    let received: Vec<Request> = server.received_requests().await.expect("recording");
    let calls: Vec<&Request> = received
        .iter()
        .filter(|r| !r.url.path().starts_with("/open-apis/auth/"))
        .collect();
    assert_eq!(
        calls.len(),
        1,
        "{}: expected exactly one API request",
        case.op
    );
    let req = calls[0];
    coverage_record::record_request(req.method.as_str(), req.url.path());
    assert_eq!(req.method.as_str(), case.method, "{}: method", case.op);
    assert_eq!(req.url.path(), case.path, "{}: path", case.op);
    let mut got_query: Vec<(String, String)> = req
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut want_query: Vec<(String, String)> = case
        .query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    got_query.sort();
    want_query.sort();
    assert_eq!(got_query, want_query, "{}: query", case.op);
    let auth = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    assert_eq!(
        auth,
        Some(format!("Bearer {}", case.token).as_str()),
        "{}: authorization",
        case.op
    );
    let content_type = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    match &case.body {
        Some(want) => {
            assert_eq!(
                content_type,
                Some("application/json; charset=utf-8"),
                "{}: content-type",
                case.op
            );
            let got: Value = serde_json::from_slice(&req.body)
                .unwrap_or_else(|e| panic!("{}: body is not JSON ({e})", case.op));
            assert_eq!(&got, want, "{}: body", case.op);
        }
        None => {
            assert!(
                req.body.is_empty(),
                "{}: expected no body, got {:?}",
                case.op,
                String::from_utf8_lossy(&req.body)
            );
            assert_eq!(
                content_type, None,
                "{}: content-type without a body",
                case.op
            );
        }
    }
    record(case.op);
}

/// Reports each operation sent, once its request was checked, to the workspace coverage record.
fn record(op: &str) {
    coverage_record::record_operation(op);
}

/// Operations of the spec without a case in `file`, by id (a gap, not a failure of this test
/// run): those of its groups, and for the first file those of groups no file holds.
fn operations_without_a_case(
    suite: &Suite,
    file: &str,
    covered: &BTreeSet<&str>,
) -> Vec<&'static str> {
    suite
        .operations
        .iter()
        .map(|m| m.id)
        .filter(|id| !covered.contains(id))
        .filter(|id| file_of(suite, id).or(suite.files.first().map(|f| f.0)) == Some(file))
        .collect()
}

impl Suite {
    /// Every case of `file` names one operation of the spec, once, of a group this file holds.
    pub fn check_cases(&self, file: &str, cases: &[Case]) {
        let mut seen = BTreeSet::new();
        for case in cases {
            assert!(
                self.operations.iter().any(|m| m.id == case.op),
                "case for {:?}, which is not an operation of the spec",
                case.op
            );
            assert!(seen.insert(case.op), "two cases for {:?}", case.op);
            assert_eq!(
                file_of(self, case.op),
                Some(file),
                "case for {:?} in {file}: its group's cases belong in the file the suite names",
                case.op
            );
        }
    }

    /// Runs every case of `file`, then names the operations of its groups without a case.
    pub async fn run_cases(&self, file: &str, cases: Vec<Case>) {
        let mut done = BTreeSet::new();
        for case in cases {
            run_case(self.operations, &case).await;
            done.insert(case.op);
        }
        for id in operations_without_a_case(self, file, &done) {
            eprintln!("operation without an end-to-end case: {id} (`cargo xtask coverage --check` fails on it)");
        }
    }
}
