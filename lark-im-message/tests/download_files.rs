//! Downloads against stand-ins on 127.0.0.1: `file.get`, `image.get` and `message_resource.get`
//! return a `Download` with content type, file name (both `Content-Disposition` forms) and
//! length; the body is bounded by `max_bytes` (declared, received, no length, lying length); an
//! error envelope on a download endpoint is the usual `ApiError`; a JSON file is a file.

#[path = "support/stand_in.rs"]
mod stand_in;

use lark_im_message::prelude::*;
use lark_im_message::types::ResourceType;
use lark_im_message::Error;
use serde_json::json;
use stand_in::{api_requests, client, header, platform};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PDF: &[u8] = b"%PDF-1.7 a small document";

async fn serving(at: &str, response: ResponseTemplate) -> MockServer {
    let server = platform().await;
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_file_with_its_type_and_utf8_name() {
    let server = serving(
        "/open-apis/im/v1/files/file_v2_1",
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/pdf")
            .insert_header(
                "content-disposition",
                "attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%E4%BC%9A%E8%AE%AE.pdf",
            )
            .insert_header("x-tt-logid", "log-1")
            .set_body_bytes(PDF),
    )
    .await;
    let download = client(&server)
        .file("file_v2_1")
        .get()
        .send()
        .await
        .expect("download");
    assert_eq!(download.content_type(), Some("application/pdf"));
    assert_eq!(download.file_name(), Some("会议.pdf"));
    assert_eq!(download.content_length(), Some(PDF.len() as u64));
    assert_eq!(download.log_id(), Some("log-1"));
    assert_eq!(download.max_bytes(), 104_857_600, "file.get's spec limit");
    assert_eq!(download.bytes().await.expect("body"), PDF);
    let requests = api_requests(&server).await;
    assert_eq!(
        header(&requests[0], "content-type"),
        "application/json",
        "asks for the file name"
    );
    assert_eq!(
        header(&requests[0], "authorization"),
        "Bearer t-tenant-token"
    );
    coverage_record::record_operation("file.get");
}

#[tokio::test]
async fn an_image_saved_to_a_file_and_a_message_resource_written_to_a_writer() {
    let png = b"\x89PNG\r\n\x1a\n pixels".to_vec();
    let server = serving(
        "/open-apis/im/v1/images/img_v2_1",
        ResponseTemplate::new(200)
            .insert_header("content-type", "image/png")
            .insert_header("content-disposition", "attachment; filename=\"dot.png\"")
            .set_body_bytes(png.clone()),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/open-apis/im/v1/messages/om_1/resources/file_v2_2"))
        .and(query_param("type", "file"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(PDF))
        .mount(&server)
        .await;
    let client = client(&server);
    let download = client.image("img_v2_1").get().send().await.expect("image");
    assert_eq!(download.file_name(), Some("dot.png"));
    assert_eq!(
        download.max_bytes(),
        lark_im_message::http::DEFAULT_MAX_DOWNLOAD
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let saved = dir.path().join("dot.png");
    assert_eq!(
        download.save_to(&saved).await.expect("saved"),
        png.len() as u64
    );
    assert_eq!(std::fs::read(&saved).expect("read"), png);
    let resource = client
        .message("om_1")
        .resource("file_v2_2")
        .get(ResourceType::File)
        .send()
        .await
        .expect("resource");
    assert_eq!(resource.file_name(), None);
    let mut out = Vec::new();
    assert_eq!(
        resource.write_to(&mut out).await.expect("written"),
        PDF.len() as u64
    );
    assert_eq!(out, PDF);
    assert_eq!(api_requests(&server).await.len(), 2);
    coverage_record::record_operation("image.get");
    coverage_record::record_operation("message_resource.get");
}

#[tokio::test]
async fn a_declared_length_over_max_bytes_reads_nothing() {
    let body = vec![b'x'; 100];
    let server = serving(
        "/open-apis/im/v1/files/f",
        ResponseTemplate::new(200).set_body_bytes(body),
    )
    .await;
    let download = client(&server)
        .file("f")
        .get()
        .max_bytes(10)
        .send()
        .await
        .expect("head");
    let err = download.bytes().await.unwrap_err();
    match err {
        Error::DownloadTooLarge {
            limit,
            declared,
            received,
            ..
        } => {
            assert_eq!((limit, declared, received), (10, Some(100), 0));
        }
        other => panic!("expected DownloadTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn error_envelopes_on_a_download_endpoint_are_api_errors() {
    for status in [400, 200] {
        let server = serving(
            "/open-apis/im/v1/files/gone",
            ResponseTemplate::new(status)
                .insert_header("x-tt-logid", "log-err")
                .set_body_json(
                    json!({"code": 234008, "msg": "The app is not the resource sender."}),
                ),
        )
        .await;
        let err = client(&server).file("gone").get().send().await.unwrap_err();
        match &err {
            Error::Api(api) => {
                assert_eq!(api.status, status);
                assert_eq!(api.code, 234008);
                assert_eq!(api.msg, "The app is not the resource sender.");
                assert_eq!(api.log_id.as_deref(), Some("log-err"));
                assert_eq!(api.operation, "file.get");
            }
            other => panic!("HTTP {status}: expected an ApiError, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_json_file_is_a_file_and_a_bare_500_is_an_error() {
    let doc = br#"{"code":0,"name":"settings export"}"#;
    let server = serving(
        "/open-apis/im/v1/files/json",
        ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_bytes(doc.to_vec()),
    )
    .await;
    let download = client(&server)
        .file("json")
        .get()
        .send()
        .await
        .expect("a file");
    assert_eq!(download.bytes().await.expect("body"), &doc[..]);
    let server = serving(
        "/open-apis/im/v1/files/x",
        ResponseTemplate::new(500).set_body_string("oops"),
    )
    .await;
    let err = client(&server).file("x").get().send().await.unwrap_err();
    assert_eq!(err.status(), Some(500), "{err}");
}

/// A raw HTTP/1.1 server: the token endpoint, then for any GET the given head and body bytes.
async fn raw(head: &'static str, body: Vec<u8>) -> String {
    #[path = "../../lark-im-chat/tests/support/http1.rs"]
    mod http1;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut reader = tokio::io::BufReader::new(socket);
                while let Some(line) = http1::next_request(&mut reader).await {
                    let socket = reader.get_mut();
                    if line.starts_with("POST") {
                        http1::write_json(socket, http1::TOKEN_BODY).await;
                        continue;
                    }
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                    let _ = socket.shutdown().await;
                    return;
                }
            });
        }
    });
    format!("http://{addr}")
}

fn raw_client(base: &str) -> lark_im_message::Client {
    lark_im_message::Client::builder("cli_test", "secret-value")
        .base_url(base)
        .build()
        .expect("client")
}

#[tokio::test]
async fn no_length_and_more_than_max_bytes_is_cut_off() {
    let mut chunked = Vec::new();
    for _ in 0..40 {
        chunked.extend_from_slice(b"100\r\n");
        chunked.extend_from_slice(&[b'z'; 256]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let base = raw(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
        chunked,
    )
    .await;
    let download = raw_client(&base)
        .file("f")
        .get()
        .max_bytes(4096)
        .send()
        .await
        .expect("head");
    assert_eq!(download.content_length(), None);
    match download.bytes().await.unwrap_err() {
        Error::DownloadTooLarge {
            limit,
            declared: None,
            received,
            ..
        } => {
            eprintln!("unbounded chunked download cut off at {received} bytes (limit {limit})");
            assert_eq!(limit, 4096);
            assert!(received > 4096 && received <= 4096 + 256, "{received}");
        }
        other => panic!("expected DownloadTooLarge, got {other:?}"),
    }
}

/// The head of a `file.get` of at most 1000 bytes from a raw server sending `head` and `body`.
async fn raw_download(head: &'static str, body: Vec<u8>) -> lark_im_message::http::Download {
    let base = raw(head, body).await;
    raw_client(&base)
        .file("f")
        .get()
        .max_bytes(1000)
        .send()
        .await
        .expect("head")
}

#[tokio::test]
async fn a_lying_content_length_never_yields_more_than_declared() {
    // Declares 5 bytes, sends 5000: only the declared 5 are taken.
    let download = raw_download(
        "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n",
        vec![b'a'; 5000],
    )
    .await;
    let body = download.bytes().await.expect("the declared bytes");
    eprintln!("declared 5, sent 5000: received {}", body.len());
    assert_eq!(body.len(), 5);
    // Declares more than the limit, sends little: refused on the declaration.
    let download = raw_download(
        "HTTP/1.1 200 OK\r\ncontent-length: 2000\r\n\r\n",
        vec![b'a'; 10],
    )
    .await;
    let err = download.bytes().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::DownloadTooLarge {
                declared: Some(2000),
                received: 0,
                ..
            }
        ),
        "{err:?}"
    );
    // Declares 100 under the limit, sends 10 and closes: a transport error, not a short file.
    let download = raw_download(
        "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n",
        vec![b'a'; 10],
    )
    .await;
    let err = download.bytes().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}
