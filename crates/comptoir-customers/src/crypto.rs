//! Sealing personal fields with a per-customer key.
//!
//! The AEAD is ChaCha20-Poly1305 from `ring`. ring is already built for the sync client's and
//! the server's TLS, so this costs no new crate; XChaCha20-Poly1305 would have brought its own
//! cipher stack. Its 96-bit nonce is random per value, which is safe here because a key seals
//! only one customer's values (a few hundred in a lifetime, far below the 2^32 at which random
//! 96-bit nonces start to risk a collision).

use std::fmt;

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::CustomerId;

/// Length of a customer key in bytes (256 bits).
pub const KEY_LEN: usize = 32;

/// One customer's key. Never written into the document; each replica keeps it in its key
/// table, and erasure destroys it everywhere. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomerKey([u8; KEY_LEN]);

impl fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomerKey(..)")
    }
}

/// The operating system's random generator failed.
#[derive(Debug, thiserror::Error)]
#[error("the system random generator failed")]
pub struct RandomFailed;

/// A sealed value did not open: wrong key, wrong customer or field, or altered bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sealed value did not open")]
pub struct OpenFailed;

impl CustomerKey {
    /// A fresh random key.
    pub fn generate() -> Result<CustomerKey, RandomFailed> {
        let mut key = [0u8; KEY_LEN];
        SystemRandom::new().fill(&mut key).map_err(|_| RandomFailed)?;
        Ok(CustomerKey(key))
    }

    /// A key as stored in a key table or carried in a sync batch.
    pub fn from_bytes(bytes: &[u8]) -> Option<CustomerKey> {
        Some(CustomerKey(bytes.try_into().ok()?))
    }

    /// The key's bytes, for the key table and the sync batch only.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// `nonce || ciphertext || tag` of `plain`, bound to this customer and field.
    pub fn seal(
        &self,
        customer: CustomerId,
        field: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>, RandomFailed> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| RandomFailed)?;
        let mut out = plain.to_vec();
        self.aead()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data(customer, field)),
                &mut out,
            )
            .map_err(|_| RandomFailed)?;
        out.splice(0..0, nonce);
        Ok(out)
    }

    /// The plaintext of a value sealed by [`CustomerKey::seal`] for the same customer and field.
    pub fn open(
        &self,
        customer: CustomerId,
        field: &str,
        sealed: &[u8],
    ) -> Result<Vec<u8>, OpenFailed> {
        if sealed.len() < NONCE_LEN {
            return Err(OpenFailed);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenFailed)?;
        let mut body = body.to_vec();
        let plain = self
            .aead()
            .open_in_place(nonce, Aad::from(associated_data(customer, field)), &mut body)
            .map_err(|_| OpenFailed)?;
        Ok(plain.to_vec())
    }

    fn aead(&self) -> LessSafeKey {
        // A 32-byte key is exactly what CHACHA20_POLY1305 takes, so this cannot fail.
        LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &self.0).expect("a 32-byte key"))
    }
}

/// What a sealed value is bound to: a version, the customer and the field (or note) name, so a
/// ciphertext copied to another field or another customer's document no longer opens.
fn associated_data(customer: CustomerId, field: &str) -> Vec<u8> {
    let mut aad = b"comptoir.customer.v1\0".to_vec();
    aad.extend_from_slice(customer.0.as_bytes());
    aad.push(0);
    aad.extend_from_slice(field.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn a_sealed_value_opens_only_for_its_customer_and_field() {
        let key = CustomerKey::generate().unwrap();
        let alice = CustomerId(Uuid::now_v7());
        let bob = CustomerId(Uuid::now_v7());
        let sealed = key.seal(alice, "email", b"alice@example.com").unwrap();

        assert_eq!(key.open(alice, "email", &sealed).unwrap(), b"alice@example.com");
        assert_eq!(key.open(alice, "phone", &sealed), Err(OpenFailed));
        assert_eq!(key.open(bob, "email", &sealed), Err(OpenFailed));
        let other = CustomerKey::generate().unwrap();
        assert_eq!(other.open(alice, "email", &sealed), Err(OpenFailed));
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let key = CustomerKey::generate().unwrap();
        let id = CustomerId(Uuid::now_v7());
        let a = key.seal(id, "name", b"same").unwrap();
        let b = key.seal(id, "name", b"same").unwrap();
        assert_ne!(a, b);
        assert!(!a.windows(4).any(|w| w == b"same"));
    }

    #[test]
    fn debug_hides_the_key() {
        let key = CustomerKey::from_bytes(&[7u8; KEY_LEN]).unwrap();
        assert_eq!(format!("{key:?}"), "CustomerKey(..)");
    }
}
