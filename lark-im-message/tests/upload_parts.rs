//! Uploads as the server receives them: `image.create` and `file.create` send
//! `multipart/form-data` with the spec's parts in the spec's order, text parts as text, the file
//! part with its file name and content type, from bytes, a file and a reader. Retries (uploads are
//! POSTs without an idempotency key, so only rate limits are retried): a bytes upload answered
//! 429 then 200 arrives twice, identical; a reader upload is sent once.

#[path = "support/multipart.rs"]
mod multipart;
#[path = "support/stand_in.rs"]
mod stand_in;

use lark_im_message::http::FilePart;
use lark_im_message::prelude::*;
use lark_im_message::types::{FileCreateBody, FileType, ImageCreateBody, ImageType};
use multipart::{parse, ReceivedPart};
use serde_json::json;
use stand_in::{api_requests, client, header, platform};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const IMAGES: &str = "/open-apis/im/v1/images";
const FILES: &str = "/open-apis/im/v1/files";
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";

async fn answer(server: &MockServer, at: &str, data: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "code": 0, "msg": "success", "data": data
        })))
        .mount(server)
        .await;
}

/// The parts of the one API request the stand-in received.
async fn only_form(server: &MockServer) -> (Request, Vec<ReceivedPart>) {
    let requests = api_requests(server).await;
    assert_eq!(requests.len(), 1, "exactly one upload request");
    let request = requests.into_iter().next().expect("one");
    let parts = parse(&header(&request, "content-type"), &request.body);
    (request, parts)
}

fn text(name: &str, value: &str) -> ReceivedPart {
    ReceivedPart {
        name: name.into(),
        file_name: None,
        content_type: None,
        data: value.as_bytes().to_vec(),
    }
}

fn file(name: &str, file_name: Option<&str>, content_type: &str, data: &[u8]) -> ReceivedPart {
    ReceivedPart {
        name: name.into(),
        file_name: file_name.map(str::to_owned),
        content_type: Some(content_type.into()),
        data: data.to_vec(),
    }
}

#[tokio::test]
async fn image_from_bytes_is_a_text_part_then_the_file_part() {
    let server = platform().await;
    answer(&server, IMAGES, json!({"image_key": "img_v2_1"})).await;
    let part = FilePart::bytes(GIF)
        .file_name("dot.gif")
        .content_type("image/gif");
    let uploaded = client(&server)
        .images()
        .create(ImageCreateBody::new(ImageType::Message, part))
        .send()
        .await
        .expect("uploaded");
    assert_eq!(uploaded.image_key.as_deref(), Some("img_v2_1"));
    let (request, parts) = only_form(&server).await;
    assert_eq!(request.method.as_str(), "POST");
    assert_eq!(header(&request, "authorization"), "Bearer t-tenant-token");
    assert_eq!(
        parts,
        [
            text("image_type", "message"),
            file("image", Some("dot.gif"), "image/gif", GIF),
        ]
    );
    coverage_record::record_operation("image.create");
}

#[tokio::test]
async fn file_from_a_path_sends_every_part_in_spec_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let on_disk = dir.path().join("minutes.pdf");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&on_disk, &data).expect("write");
    let server = platform().await;
    answer(&server, FILES, json!({"file_key": "file_v2_1"})).await;
    let body =
        FileCreateBody::new(FileType::Pdf, "minutes.pdf", FilePart::path(&on_disk)).duration(1500);
    let uploaded = client(&server)
        .files()
        .create(body)
        .send()
        .await
        .expect("uploaded");
    assert_eq!(uploaded.file_key.as_deref(), Some("file_v2_1"));
    let (request, parts) = only_form(&server).await;
    assert_eq!(
        header(&request, "content-length"),
        request.body.len().to_string(),
        "a file of known size is sent with a Content-Length"
    );
    assert_eq!(
        parts,
        [
            text("file_type", "pdf"),
            text("file_name", "minutes.pdf"),
            text("duration", "1500"),
            file(
                "file",
                Some("minutes.pdf"),
                "application/octet-stream",
                &data
            ),
        ]
    );
    coverage_record::record_operation("file.create");
}

#[tokio::test]
async fn file_from_readers_with_and_without_a_declared_length() {
    let data = b"OpusHead and then some audio".to_vec();
    for declared in [Some(data.len() as u64), None] {
        let server = platform().await;
        answer(&server, FILES, json!({"file_key": "file_v2_2"})).await;
        let reader = std::io::Cursor::new(data.clone());
        let part = FilePart::reader(reader, declared)
            .file_name("voice.opus")
            .content_type("audio/opus");
        client(&server)
            .files()
            .create(FileCreateBody::new(FileType::Opus, "voice.opus", part))
            .send()
            .await
            .expect("uploaded");
        let (_, parts) = only_form(&server).await;
        assert_eq!(
            parts,
            [
                text("file_type", "opus"),
                text("file_name", "voice.opus"),
                file("file", Some("voice.opus"), "audio/opus", &data),
            ],
            "declared length {declared:?}"
        );
    }
}

/// A stand-in answering `429` (wait 0 s) once, then `200`.
async fn flaky(at: &str) -> MockServer {
    let server = platform().await;
    Mock::given(method("POST"))
        .and(path(at))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ogw-ratelimit-reset", "0")
                .set_body_json(json!({"code": 99991400, "msg": "too many requests"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    answer(&server, at, json!({"image_key": "img_v2_3"})).await;
    server
}

#[tokio::test]
async fn a_bytes_upload_is_retried_with_the_same_parts() {
    let server = flaky(IMAGES).await;
    let part = FilePart::bytes(GIF).file_name("dot.gif");
    client(&server)
        .images()
        .create(ImageCreateBody::new(ImageType::Avatar, part))
        .send()
        .await
        .expect("uploaded on the second attempt");
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 2, "429 then 200");
    let parsed: Vec<_> = requests
        .iter()
        .map(|r| parse(&header(r, "content-type"), &r.body))
        .collect();
    assert_eq!(parsed[0], parsed[1]);
    assert_eq!(parsed[0][1].data, GIF);
}

#[tokio::test]
async fn a_reader_upload_is_sent_once_and_not_retried() {
    let server = flaky(IMAGES).await;
    let part = FilePart::reader(std::io::Cursor::new(GIF.to_vec()), Some(GIF.len() as u64));
    let err = client(&server)
        .images()
        .create(ImageCreateBody::new(ImageType::Message, part))
        .send()
        .await
        .expect_err("the 429 is returned: the reader cannot be read again");
    assert_eq!(err.status(), Some(429), "{err}");
    assert_eq!(api_requests(&server).await.len(), 1);
}
