//! Cashier PINs: argon2id hashes, never the PIN itself, and a wrapper that keeps PINs out of logs.

use std::fmt;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

/// A PIN typed by a cashier. Its `Debug` prints nothing of it.
#[derive(Clone)]
pub struct Pin(String);

impl Pin {
    pub fn new(pin: impl Into<String>) -> Pin {
        Pin(pin.into())
    }

    pub fn is_well_formed(&self) -> bool {
        (4..=8).contains(&self.0.len()) && self.0.bytes().all(|b| b.is_ascii_digit())
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// argon2id with OWASP's minimum (19 MiB, 2 passes): tens of milliseconds per check, so a PIN
/// pad cannot be brute-forced from a stolen database in any useful time at 4 to 8 digits
/// together with the lockout.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(pin: &Pin) -> Result<String, AppError> {
    if !pin.is_well_formed() {
        return Err(AppError::new("invalid_pin", "a PIN has 4 to 8 digits"));
    }
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(pin.0.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::new("internal", format!("hashing a PIN: {e}")))
}

pub fn verify(pin: &Pin, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    argon2().verify_password(pin.0.as_bytes(), &parsed).is_ok()
}
