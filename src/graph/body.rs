//! A request's body, serialized once before it is sent. A body that carries a secret (a PIN, a
//! verification code) is written straight from the secret into a buffer that is zeroed when
//! its last holder lets go of it (this client, or reqwest while it sends): the secret never
//! sits in a `serde_json::Value` or a plain `String` that outlives the request.

use bytes::Bytes;
use serde::Serialize;
use zeroize::Zeroizing;

use super::errors::ApiError;

/// The bytes of a body, shared without copying, with their content type.
#[derive(Clone)]
pub struct Body {
    bytes: Bytes,
    form: bool,
    /// How many reads a batch request carries (0: not a batch), for the log.
    batch_of: usize,
}

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// Room for any body that carries a secret: writing past a buffer's capacity would move it
/// and leave the old, unzeroed bytes behind.
const SECRET_ROOM: usize = 1024;

impl Body {
    /// A body with nothing secret in it.
    pub fn json(value: &impl Serialize) -> Result<Body, ApiError> {
        serde_json::to_vec(value)
            .map(|bytes| Body::plain(Bytes::from(bytes)))
            .map_err(unwritable)
    }

    fn plain(bytes: Bytes) -> Body {
        Body {
            bytes,
            form: false,
            batch_of: 0,
        }
    }

    /// A form body (`key=value&…`, percent-encoded) carrying `reads` reads of a batch
    /// request, which Graph documents as form parameters. Nothing secret goes in one.
    pub fn batch_form(pairs: &[(&str, &str)], reads: usize) -> Body {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.extend_pairs(pairs);
        Body {
            bytes: Bytes::from(form.finish()),
            form: true,
            batch_of: reads,
        }
    }

    /// A body with a secret in it: its buffer is zeroed when dropped.
    pub fn secret(value: &impl Serialize) -> Result<Body, ApiError> {
        let mut buffer = Zeroizing::new(Vec::with_capacity(SECRET_ROOM));
        serde_json::to_writer(&mut *buffer, value).map_err(unwritable)?;
        if buffer.len() > SECRET_ROOM {
            // It moved while it grew: what it left behind cannot be zeroed. Not for a PIN.
            return Err(ApiError::NotSent(
                "a request with a secret in it was too long to write safely".into(),
            ));
        }
        Ok(Body::plain(Bytes::from_owner(Zeroed(buffer))))
    }

    /// The bytes to send (the same buffer, counted once more).
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone()
    }

    pub fn content_type(&self) -> &'static str {
        if self.form { FORM } else { JSON }
    }

    /// How many reads this body batches (0: it is not a batch request).
    pub fn batch_of(&self) -> usize {
        self.batch_of
    }
}

/// Never the bytes: a body may hold a PIN.
impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Body({} bytes)", self.bytes.len())
    }
}

/// A zeroizing buffer as bytes that `Bytes` can own.
struct Zeroed(Zeroizing<Vec<u8>>);

impl AsRef<[u8]> for Zeroed {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn unwritable(e: serde_json::Error) -> ApiError {
    ApiError::NotSent(format!("the request could not be written: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_body_is_the_json_and_never_shows_in_debug() {
        let body = Body::secret(&serde_json::json!({"pin": "918273"})).unwrap();
        assert_eq!(&body.bytes()[..], br#"{"pin":"918273"}"#);
        assert!(!format!("{body:?}").contains("918273"));
    }

    #[test]
    fn a_secret_body_too_long_to_keep_in_place_is_not_written() {
        let long = "x".repeat(SECRET_ROOM * 2);
        assert!(Body::secret(&serde_json::json!({ "pin": long })).is_err());
    }
}
