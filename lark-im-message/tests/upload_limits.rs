//! Upload limits from the spec, checked before any request: `image.create` takes at most
//! 10 MB (10,485,760 bytes), `file.create` 30 MB (31,457,280); one byte more, from bytes, a file
//! or a reader of declared length, is `Error::UploadTooLarge` with the limit and the size, and
//! the stand-in on 127.0.0.1 receives no request at all (not even for a token). Exactly the
//! limit is sent. Empty files are refused the same way. A reader of unknown length is cut off
//! as it passes the limit.

#[path = "support/multipart.rs"]
mod multipart;
#[path = "support/stand_in.rs"]
mod stand_in;

use lark_im_message::http::FilePart;
use lark_im_message::prelude::*;
use lark_im_message::types::{FileCreateBody, FileType, ImageCreateBody, ImageType};
use lark_im_message::Error;
use serde_json::json;
use stand_in::{all_requests, api_requests, client, header, platform};
use tokio::io::AsyncReadExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const IMAGE_LIMIT: u64 = 10_485_760;
const FILE_LIMIT: u64 = 31_457_280;

async fn accepting(at: &str) -> MockServer {
    let server = platform().await;
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success", "data": {"image_key": "img_1", "file_key": "file_1"}
        })))
        .mount(&server)
        .await;
    server
}

fn image(part: FilePart) -> ImageCreateBody {
    ImageCreateBody::new(ImageType::Message, part)
}

#[track_caller]
fn assert_too_large(err: &Error, want_part: &str, want_limit: u64, want_actual: u64) {
    match err {
        Error::UploadTooLarge {
            part,
            limit,
            actual,
            streamed: false,
            ..
        } => {
            assert_eq!(
                (*part, *limit, *actual),
                (want_part, want_limit, want_actual)
            );
        }
        other => panic!("expected UploadTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn one_byte_over_the_image_limit_sends_nothing() {
    let server = accepting("/open-apis/im/v1/images").await;
    let client = client(&server);
    let over = FilePart::bytes(vec![0u8; IMAGE_LIMIT as usize + 1]);
    let err = client
        .images()
        .create(image(over))
        .send()
        .await
        .unwrap_err();
    assert_too_large(&err, "image", IMAGE_LIMIT, IMAGE_LIMIT + 1);
    let declared = FilePart::reader(
        tokio::io::repeat(0).take(IMAGE_LIMIT + 1),
        Some(IMAGE_LIMIT + 1),
    );
    let err = client
        .images()
        .create(image(declared))
        .send()
        .await
        .unwrap_err();
    assert_too_large(&err, "image", IMAGE_LIMIT, IMAGE_LIMIT + 1);
    let sent = all_requests(&server).await.len();
    eprintln!("limit+1 image uploads (bytes, declared reader): {sent} requests reached the server");
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn one_byte_over_the_file_limit_on_disk_sends_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("big.bin");
    // Sparse: the size is what counts, not the bytes.
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(FILE_LIMIT + 1))
        .expect("sparse file");
    let server = accepting("/open-apis/im/v1/files").await;
    let body = FileCreateBody::new(FileType::Stream, "big.bin", FilePart::path(&big));
    let err = client(&server)
        .files()
        .create(body)
        .send()
        .await
        .unwrap_err();
    assert_too_large(&err, "file", FILE_LIMIT, FILE_LIMIT + 1);
    assert!(err.to_string().contains("nothing was uploaded"), "{err}");
    assert_eq!(all_requests(&server).await.len(), 0);
}

#[tokio::test]
async fn exactly_the_image_limit_is_sent() {
    let server = accepting("/open-apis/im/v1/images").await;
    let at_limit = FilePart::bytes(vec![7u8; IMAGE_LIMIT as usize]).file_name("max.png");
    client(&server)
        .images()
        .create(image(at_limit))
        .send()
        .await
        .expect("exactly 10 MB is accepted");
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 1);
    let parts = multipart::parse(&header(&requests[0], "content-type"), &requests[0].body);
    eprintln!(
        "at-limit image part received: {} bytes",
        parts[1].data.len()
    );
    assert_eq!(parts[1].data.len() as u64, IMAGE_LIMIT);
}

#[tokio::test]
async fn empty_files_are_refused_before_sending() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, b"").expect("write");
    let server = accepting("/open-apis/im/v1/images").await;
    let client = client(&server);
    let refused = |err: Error| match &err {
        Error::Validation { field, reason } => {
            assert_eq!(field, "body.image");
            assert!(reason.contains("empty"), "{reason}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    };
    for part in [
        FilePart::bytes(Vec::new()),
        FilePart::path(&empty),
        FilePart::reader(tokio::io::empty(), Some(0)),
    ] {
        refused(
            client
                .images()
                .create(image(part))
                .send()
                .await
                .unwrap_err(),
        );
    }
    assert_eq!(
        all_requests(&server).await.len(),
        0,
        "measured sizes: nothing sent"
    );
    // A reader of unknown length is only found empty while it is sent: that request is aborted.
    let unknown = FilePart::reader(tokio::io::empty(), None);
    refused(
        client
            .images()
            .create(image(unknown))
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(api_requests(&server).await.len(), 0, "no upload completed");
}

#[tokio::test]
async fn a_reader_of_unknown_length_is_cut_off_past_the_limit() {
    let server = accepting("/open-apis/im/v1/images").await;
    let endless = FilePart::reader(tokio::io::repeat(1).take(IMAGE_LIMIT * 2), None);
    let err = client(&server)
        .images()
        .create(image(endless))
        .send()
        .await
        .unwrap_err();
    match err {
        Error::UploadTooLarge {
            part,
            limit,
            actual,
            streamed: true,
            ..
        } => {
            eprintln!("unknown-length reader cut off after reading {actual} bytes (limit {limit})");
            assert_eq!((part, limit), ("image", IMAGE_LIMIT));
            assert!(actual > limit && actual <= limit + 64 * 1024, "{actual}");
        }
        other => panic!("expected a streamed UploadTooLarge, got {other:?}"),
    }
}
