//! What an administrator does, for the `comptoir-server` CLI (and the tests).

use chrono::{Duration, Utc};
use serde::Serialize;

use crate::db::{Db, DbError, DbResult, NewEnrolment, RegisterRow, StoreRow};
use crate::secret;

/// A register and the one-time code it enrols with.
#[derive(Clone, Debug, Serialize)]
pub struct IssuedCode {
    pub register: RegisterRow,
    /// Shown once; only its hash is stored.
    pub code: String,
    pub expires_at: String,
}

pub async fn add_store(
    db: &Db,
    code: &str,
    name: &str,
    currency: &str,
    time_zone: &str,
) -> DbResult<StoreRow> {
    let valid_code = !code.is_empty()
        && code.len() <= 32
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_code {
        return Err(DbError::Conflict(format!(
            "store code {code:?}: 1 to 32 lower-case letters, digits or dashes, as the \
             registers' store configuration names it (montreal, london)"
        )));
    }
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(DbError::Conflict(format!("currency {currency:?} is not an ISO 4217 code")));
    }
    db.create_store(StoreRow {
        id: uuid::Uuid::now_v7().to_string(),
        code: code.to_owned(),
        name: name.to_owned(),
        currency: currency.to_owned(),
        time_zone: time_zone.to_owned(),
        created_at: crate::now(),
    })
    .await
}

/// Creates a register of a store (numbered after the last one unless `number` is given) and
/// its enrolment code.
pub async fn add_register(
    db: &Db,
    store_code: &str,
    number: Option<i64>,
    name: Option<&str>,
    valid_for: Duration,
) -> DbResult<IssuedCode> {
    let id = uuid::Uuid::now_v7().to_string();
    let default_name;
    let name = match name {
        Some(n) => n,
        None => {
            default_name = format!("{store_code} register");
            &default_name
        }
    };
    let register = db.create_register(store_code, number, name, &id, &crate::now()).await?;
    issue_code(db, register, valid_for).await
}

/// A new enrolment code for a register (replacing any unused one): to enrol it again after a
/// reinstall. The register's old credential stops working when the new code is used.
pub async fn new_code(db: &Db, register_id: &str, valid_for: Duration) -> DbResult<IssuedCode> {
    let register = db
        .register(register_id)
        .await?
        .ok_or_else(|| DbError::NotFound(format!("no register {register_id}")))?;
    if register.revoked_at.is_some() {
        return Err(DbError::Conflict(format!("register {register_id} is revoked")));
    }
    issue_code(db, register, valid_for).await
}

async fn issue_code(db: &Db, register: RegisterRow, valid_for: Duration) -> DbResult<IssuedCode> {
    let code = secret::enrolment_code();
    let now = Utc::now();
    let expires_at = (now + valid_for).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    db.issue_enrolment(NewEnrolment {
        register_id: register.id.clone(),
        code_hash: secret::hash(&secret::canonical_code(&code)),
        created_at: crate::now(),
        expires_at: expires_at.clone(),
    })
    .await?;
    Ok(IssuedCode { register, code, expires_at })
}
