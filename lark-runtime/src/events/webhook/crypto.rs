//! The Encrypt Key and the AES-256-CBC envelope of encrypted event bodies.
//!
//! With an Encrypt Key configured in the developer console, every callback body is
//! `{"encrypt":"<base64>"}` where the base64 text decodes to a 16-byte IV followed by the
//! AES-256-CBC ciphertext of the JSON payload, PKCS#7-padded. The AES key is the SHA-256 digest
//! of the UTF-8 bytes of the Encrypt Key.

use std::fmt;

use aes::cipher::block_padding::{NoPadding, Pkcs7};
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit, KeyIvInit};
use aes::{Aes256Dec, Aes256Enc};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use subtle::{ConstantTimeEq, ConstantTimeGreater, ConstantTimeLess};

use super::WebhookError;

/// Size of an AES block, of the IV and the upper bound of PKCS#7 padding.
const BLOCK: usize = 16;

/// The Encrypt Key of an app (developer console, "Events and callbacks" > "Encryption strategy").
///
/// Holds the key text, needed by the request signature, and the AES-256 decryption key schedule
/// derived from it once at construction, so that decrypting an event costs no key derivation.
///
/// Its [`Debug`] output is a fixed redaction; the key cannot be read back through the public
/// API. The key text is not zeroed on drop.
#[derive(Clone)]
pub struct EncryptKey {
    text: Box<str>,
    aes_key: [u8; 32],
    decrypt: Aes256Dec,
}

impl EncryptKey {
    /// Wraps the Encrypt Key as shown in the developer console and derives the AES key
    /// (`SHA-256` of its UTF-8 bytes).
    pub fn new(key: impl Into<String>) -> Self {
        let text: Box<str> = key.into().into_boxed_str();
        let digest = Sha256::digest(text.as_bytes());
        let decrypt = Aes256Dec::new(&digest);
        Self {
            text,
            aes_key: digest.into(),
            decrypt,
        }
    }

    /// `true` when the key text is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The UTF-8 bytes of the key text, as they enter the request signature.
    pub(crate) fn signing_bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// Decrypts the value of the `encrypt` field of a callback body and returns the plaintext
    /// bytes (normally UTF-8 JSON; not checked here).
    ///
    /// Steps: strict standard base64 (padded) → 16-byte IV + ciphertext → the ciphertext must be
    /// a non-zero multiple of 16 bytes → AES-256-CBC → strict PKCS#7 (1 to 16 bytes, all equal
    /// to the pad length; checked without data-dependent branches).
    ///
    /// # Errors
    ///
    /// [`WebhookError::InvalidBase64`], [`WebhookError::CiphertextLength`] or
    /// [`WebhookError::BadPadding`].
    pub fn decrypt(&self, encrypted: &str) -> Result<Vec<u8>, WebhookError> {
        let mut buf = STANDARD
            .decode(encrypted.as_bytes())
            .map_err(|_| WebhookError::InvalidBase64)?;
        let ct_len = buf.len().saturating_sub(BLOCK);
        if buf.len() <= BLOCK || ct_len % BLOCK != 0 {
            return Err(WebhookError::CiphertextLength { len: ct_len });
        }
        let (iv, ct) = buf.split_at_mut(BLOCK);
        let cipher = cbc::Decryptor::<Aes256Dec>::inner_iv_init(
            self.decrypt.clone(),
            aes::cipher::generic_array::GenericArray::from_slice(iv),
        );
        // The length is a whole number of blocks, so unpadded decryption cannot fail; padding is
        // checked below, in constant time.
        let plain_len = cipher
            .decrypt_padded_mut::<NoPadding>(ct)
            .map_err(|_| WebhookError::CiphertextLength { len: ct_len })?
            .len();
        let len = pkcs7_unpadded_len(&ct[..plain_len])?;
        buf.copy_within(BLOCK..BLOCK + len, 0);
        buf.truncate(len);
        Ok(buf)
    }

    /// Encrypts `plaintext` the way the platform does, with the given IV, and returns the
    /// base64 text to put in `{"encrypt": ...}`.
    ///
    /// Meant for tests, benchmarks and local simulators that need reproducible encrypted
    /// bodies. Real senders must use a fresh random IV per message: see [`EncryptKey::encrypt`].
    pub fn encrypt_with_iv(&self, plaintext: &[u8], iv: [u8; 16]) -> String {
        let padded_len = (plaintext.len() / BLOCK + 1) * BLOCK;
        let mut buf = Vec::with_capacity(BLOCK + padded_len);
        buf.extend_from_slice(&iv);
        buf.extend_from_slice(plaintext);
        buf.resize(BLOCK + padded_len, 0);
        let cipher = cbc::Encryptor::<Aes256Enc>::new(&self.aes_key.into(), &iv.into());
        let written = cipher
            .encrypt_padded_mut::<Pkcs7>(&mut buf[BLOCK..], plaintext.len())
            .map_or(0, <[u8]>::len);
        debug_assert_eq!(written, padded_len);
        STANDARD.encode(&buf)
    }

    /// Encrypts `plaintext` with a random IV and returns the base64 text to put in
    /// `{"encrypt": ...}`.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        self.encrypt_with_iv(plaintext, rand::random())
    }
}

impl fmt::Debug for EncryptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptKey(<redacted>)")
    }
}

/// Length of `data` without its PKCS#7 padding, which must be 1 to 16 bytes, each equal to the
/// padding length. The last block is inspected without branching on its contents, so the time
/// taken does not tell how much of the padding was right.
fn pkcs7_unpadded_len(data: &[u8]) -> Result<usize, WebhookError> {
    let Some(start) = data.len().checked_sub(BLOCK) else {
        return Err(WebhookError::BadPadding);
    };
    let last = &data[start..];
    let pad = last[BLOCK - 1];
    let mut ok = pad.ct_gt(&0) & pad.ct_lt(&17);
    for (distance, byte) in (0u8..).zip(last.iter().rev()) {
        let in_padding = distance.ct_lt(&pad);
        ok &= !in_padding | byte.ct_eq(&pad);
    }
    if bool::from(ok) {
        Ok(data.len() - usize::from(pad))
    } else {
        Err(WebhookError::BadPadding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(tail: &[u8]) -> Vec<u8> {
        let mut block = vec![b'x'; BLOCK * 2 - tail.len()];
        block.extend_from_slice(tail);
        block
    }

    #[test]
    fn pkcs7_accepts_every_valid_length() {
        for pad in 1..=16u8 {
            let data = padded(&vec![pad; usize::from(pad)]);
            assert_eq!(pkcs7_unpadded_len(&data), Ok(32 - usize::from(pad)));
        }
    }

    #[test]
    fn pkcs7_rejects_zero_oversized_and_inconsistent_padding() {
        assert_eq!(
            pkcs7_unpadded_len(&padded(&[0])),
            Err(WebhookError::BadPadding)
        );
        assert_eq!(
            pkcs7_unpadded_len(&padded(&[17])),
            Err(WebhookError::BadPadding)
        );
        assert_eq!(
            pkcs7_unpadded_len(&padded(&[3, 2, 3])),
            Err(WebhookError::BadPadding)
        );
        assert_eq!(pkcs7_unpadded_len(&padded(&[2, 3, 3, 3])), Ok(29));
        assert_eq!(pkcs7_unpadded_len(&[]), Err(WebhookError::BadPadding));
    }
}
