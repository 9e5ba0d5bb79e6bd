//! The server side of `multipart/form-data`, parsed by hand from the bytes a stand-in received:
//! each part's name, file name, content type and bytes, in order.

/// One part as the server received it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedPart {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data; boundary=…` content type.
pub fn boundary(content_type: &str) -> String {
    assert!(
        content_type.starts_with("multipart/form-data"),
        "not a form: {content_type}"
    );
    let (_, b) = content_type.split_once("boundary=").expect("a boundary");
    b.trim_matches('"').to_owned()
}

/// The parts of a form body, in order; panics on anything malformed (a test failure).
pub fn parse(content_type: &str, body: &[u8]) -> Vec<ReceivedPart> {
    let delimiter = format!("--{}", boundary(content_type)).into_bytes();
    let mut parts = Vec::new();
    let mut rest = after(body, &delimiter).expect("a first boundary");
    loop {
        if rest.starts_with(b"--") {
            return parts;
        }
        rest = rest.strip_prefix(b"\r\n").expect("CRLF after a boundary");
        let head_end = find(rest, b"\r\n\r\n").expect("part headers end");
        let head = std::str::from_utf8(&rest[..head_end]).expect("utf-8 headers");
        let body_start = head_end + 4;
        let mut end_marker = b"\r\n".to_vec();
        end_marker.extend_from_slice(&delimiter);
        let len = find(&rest[body_start..], &end_marker).expect("part end");
        parts.push(part(head, rest[body_start..body_start + len].to_vec()));
        rest = &rest[body_start + len + end_marker.len()..];
    }
}

fn part(head: &str, data: Vec<u8>) -> ReceivedPart {
    let mut name = None;
    let mut file_name = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let (key, value) = line.split_once(':').expect("a header");
        match key.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => {
                for param in value.split(';').map(str::trim) {
                    if let Some(v) = param.strip_prefix("name=") {
                        name = Some(v.trim_matches('"').to_owned());
                    }
                    if let Some(v) = param.strip_prefix("filename=") {
                        file_name = Some(v.trim_matches('"').to_owned());
                    }
                }
            }
            "content-type" => content_type = Some(value.trim().to_owned()),
            _ => {}
        }
    }
    ReceivedPart {
        name: name.expect("a part name"),
        file_name,
        content_type,
        data,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn after<'a>(hay: &'a [u8], needle: &[u8]) -> Option<&'a [u8]> {
    find(hay, needle).map(|i| &hay[i + needle.len()..])
}
