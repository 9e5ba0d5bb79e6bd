//! The platform's response envelope (`{code, msg, data, error}`) and its decoding into an
//! operation's `data` type, keeping the evidence of any failure.

use crate::error::{ApiError, DecodeError, Error, ErrorDetail, Result};
use serde::de::DeserializeOwned;

/// Keys of the response envelope every operation answers with (`{code, msg, data, error}`):
/// the runtime reads it, the spec does not describe it. The drift shape
/// ([`RESPONSE_ENVELOPE`](crate::drift::RESPONSE_ENVELOPE)) has the same keys (tested).
pub const RESPONSE_ENVELOPE_KEYS: &[&str] = &["code", "msg", "data", "error"];

/// How much of an undecodable body an error keeps.
const MAX_BODY_IN_ERROR: usize = 64 * 1024;

/// The platform's response envelope with `data` left raw, decoded in a second step so a
/// failure can name its JSON path.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    code: i64,
    #[serde(default, borrow)]
    msg: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    data: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    error: Option<ErrorDetail>,
}

/// The envelope with `data` decoded in the same pass: the fast path of a well-formed response.
#[derive(serde::Deserialize)]
#[serde(bound(deserialize = "R: DeserializeOwned"))]
struct TypedEnvelope<R> {
    code: i64,
    #[serde(default)]
    data: Option<R>,
}

/// Decodes a full response body (`{code, msg, data}`) of an operation into its `data` type.
pub fn decode_response<R: DeserializeOwned>(
    operation: &'static str,
    status: u16,
    log_id: Option<String>,
    body: &[u8],
) -> Result<R> {
    let decode_err = |path: String, message: String, code: Option<i64>, msg: Option<String>| {
        let text = String::from_utf8_lossy(&body[..body.len().min(MAX_BODY_IN_ERROR)]).into_owned();
        Error::Decode(Box::new(DecodeError {
            operation,
            status,
            code,
            msg,
            log_id: log_id.clone(),
            path,
            message,
            body: text,
            retry_after: None,
        }))
    };
    // Fast path: one pass over a successful response. Anything else (a business error, a body
    // that does not decode) takes the slow path below, which keeps all the evidence.
    if let Ok(TypedEnvelope { code: 0, data }) = serde_json::from_slice::<TypedEnvelope<R>>(body) {
        match data {
            Some(data) => return Ok(data),
            None => {
                if let Ok(empty) = serde_json::from_str::<R>("{}") {
                    return Ok(empty);
                }
            }
        }
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body)
        .map_err(|e| decode_err(String::new(), e.to_string(), None, None))?;
    if envelope.code != 0 {
        return Err(Error::Api(Box::new(ApiError {
            operation,
            status,
            code: envelope.code,
            msg: envelope.msg.into_owned(),
            log_id: log_id
                .clone()
                .or_else(|| envelope.error.as_ref().and_then(|e| e.log_id.clone())),
            detail: envelope.error,
            retry_after: None,
            required_scopes: &[],
            class: None,
        })));
    }
    let data = envelope.data.map_or("{}", |raw| raw.get());
    serde_json::from_str(data).map_err(|_| {
        // Decode again, slowly, only to name the failing path.
        let de = &mut serde_json::Deserializer::from_str(data);
        let (path, message) = match serde_path_to_error::deserialize::<_, R>(de) {
            Err(e) => (format!("data.{}", e.path()), e.into_inner().to_string()),
            Ok(_) => ("data".to_owned(), "inconsistent decode".to_owned()),
        };
        decode_err(
            path,
            message,
            Some(envelope.code),
            Some(envelope.msg.to_string()),
        )
    })
}

#[cfg(test)]
mod keys_tests {
    #[test]
    fn the_drift_shape_has_the_envelope_keys() {
        let mut keys = super::RESPONSE_ENVELOPE_KEYS.to_vec();
        keys.sort_unstable();
        let shape: Vec<_> = crate::drift::RESPONSE_ENVELOPE
            .fields
            .iter()
            .map(|f| f.wire)
            .collect();
        assert_eq!(shape, keys);
    }
}
