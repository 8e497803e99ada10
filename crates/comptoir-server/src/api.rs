//! The HTTP API (`/v1`): enrolment, and every other request authenticated as one register.

use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use comptoir_protocol::wire::{
    self, ApiError, BatchAck, EnrolRequest, EnrolResponse, LedgerBatch, LedgerPage, LedgerQuery,
    LedgerStatus, codes,
};

use comptoir_protocol::catalog::{CatalogPage, MAX_CATALOG_PAGE, TaxConfig};

use crate::db::{Authenticated, DbError, EnrolAttempt, Enrolment};
use crate::{Server, secret};

/// An error answer: a status, a stable code and words.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Failure {
        Failure { status, code, message: message.into() }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = ApiError { code: self.code.to_owned(), message: self.message };
        (self.status, Json(body)).into_response()
    }
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Failure {
        match e {
            DbError::NotFound(m) => Failure::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, m),
            DbError::Conflict(m) => Failure::new(StatusCode::CONFLICT, "conflict", m),
            DbError::Invalid(m) => {
                Failure::new(StatusCode::UNPROCESSABLE_ENTITY, codes::INVALID, m)
            }
            DbError::Backend(m) => {
                tracing::error!(error = %m, "database error");
                Failure::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    codes::UNAVAILABLE,
                    "the server cannot reach its database; retry later",
                )
            }
        }
    }
}

fn json_failure(rejection: JsonRejection) -> Failure {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::TOO_LARGE,
            format!("the request is larger than {} bytes", wire::MAX_BODY_BYTES),
        );
    }
    Failure::new(StatusCode::BAD_REQUEST, codes::MALFORMED, rejection.body_text())
}

type ApiResult<T> = Result<Json<T>, Failure>;

/// The register a request is authenticated as.
pub struct Caller(pub Authenticated);

fn remote(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

impl FromRequestParts<Server> for Caller {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, server: &Server) -> Result<Caller, Failure> {
        let remote = remote(parts);
        let Some(token) = bearer(&parts.headers) else {
            return Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHENTICATED,
                "this request needs the register's credential (Authorization: Bearer)",
            ));
        };
        match server.db.authenticate(&secret::hash(token)).await? {
            None => {
                server
                    .security(
                        "unknown_credential",
                        None,
                        "a credential the server does not know",
                        remote,
                    )
                    .await;
                Err(Failure::new(
                    StatusCode::UNAUTHORIZED,
                    codes::UNAUTHENTICATED,
                    "the server does not know this credential: enrol the register again",
                ))
            }
            Some(register) if register.revoked => {
                server
                    .security(
                        "revoked_credential",
                        Some(&register.register_id),
                        "a request from a revoked register",
                        remote,
                    )
                    .await;
                Err(Failure::new(
                    StatusCode::UNAUTHORIZED,
                    codes::REVOKED,
                    "this register was revoked by an administrator",
                ))
            }
            Some(register) => Ok(Caller(register)),
        }
    }
}

/// The token of `Authorization: Bearer <token>`, if the request has one.
fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// An administrator, authenticated by an API token (`comptoir-server admin-token create`).
pub struct Admin(pub String);

impl FromRequestParts<Server> for Admin {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, server: &Server) -> Result<Admin, Failure> {
        admin(server, &parts.headers, remote(parts)).await
    }
}

/// The administrator a request's token belongs to, or the refusal (logged).
async fn admin(
    server: &Server,
    headers: &axum::http::HeaderMap,
    remote: Option<String>,
) -> Result<Admin, Failure> {
    let Some(token) = bearer(headers) else {
        return Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHENTICATED,
            "this request needs an administrator token (Authorization: Bearer); \
             comptoir-server admin-token create makes one",
        ));
    };
    match server.db.admin_by_token(&secret::hash(token)).await? {
        Some(name) => Ok(Admin(name)),
        None => {
            server
                .security(
                    "unknown_admin_token",
                    None,
                    "an administrator request with a token the server does not know or revoked",
                    remote,
                )
                .await;
            Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                codes::UNAUTHENTICATED,
                "the server does not know this administrator token, or it was revoked",
            ))
        }
    }
}

impl Caller {
    /// Refuses a request about another store than the caller's.
    async fn only_store(&self, server: &Server, store_id: &str) -> Result<(), Failure> {
        if self.0.store_id == store_id {
            return Ok(());
        }
        self.forbidden(
            server,
            &format!("asked for store {store_id}"),
            "a register reads only its own store",
        )
        .await
    }

    /// Records that the caller asked for what is not its own, and refuses it.
    async fn forbidden(&self, server: &Server, asked: &str, message: &str) -> Result<(), Failure> {
        server.security("forbidden", Some(&self.0.register_id), asked, None).await;
        Err(Failure::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, message))
    }

    /// Refuses a request about another register than the caller.
    async fn only(&self, server: &Server, register_id: &str) -> Result<(), Failure> {
        if self.0.register_id == register_id {
            return Ok(());
        }
        self.forbidden(
            server,
            &format!("asked for register {register_id}"),
            "a register reads and writes only its own ledger",
        )
        .await
    }
}

pub fn router(server: Server) -> Router {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/ca.pem", get(ca_pem))
        .route("/v1/enrol", post(enrol))
        .route("/v1/registers/{id}/ledger:batch", post(ledger_batch))
        .route("/v1/registers/{id}/ledger:status", get(ledger_status))
        .route("/v1/registers/{id}/ledger", get(ledger_entries))
        .route("/v1/stores/{id}/catalog", get(catalog_changes))
        .route("/v1/stores/{id}/stock", get(store_stock))
        .route("/v1/stock/{sku}", get(stock_anywhere))
        .route("/v1/sales/{receipt_no}", get(sale_for_return))
        .route("/v1/credits/{reference}", get(credit_note))
        .route("/v1/customers:sync", post(customers_sync))
        .route("/v1/admin/stock", post(admin_stock))
        .route("/v1/admin/catalog/drafts", post(admin_import).get(admin_drafts))
        .route("/v1/admin/catalog/drafts/{id}/publish", post(admin_publish))
        .route("/v1/admin/stores/{code}/taxes", axum::routing::put(admin_taxes))
        .route("/v1/admin/stores/{code}/catalog/retire", post(admin_retire))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(wire::MAX_BODY_BYTES))
        .with_state(server)
}

/// `POST /v1/customers:sync`: the register's customer chunks and keys in, the chain's customer
/// log after its cursor out (see [`crate::customers`]).
async fn customers_sync(
    State(server): State<Server>,
    caller: Caller,
    body: Result<Json<wire::CustomerSync>, JsonRejection>,
) -> ApiResult<wire::CustomerSyncAnswer> {
    let Json(request) = body.map_err(json_failure)?;
    let Some(customers) = server.customers.as_ref() else {
        return Err(Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::UNAVAILABLE,
            "this server was started without a customer key store",
        ));
    };
    let request = crate::customers::decode(request).map_err(|(too_large, message)| {
        if too_large {
            Failure::new(StatusCode::PAYLOAD_TOO_LARGE, codes::TOO_LARGE, message)
        } else {
            Failure::new(StatusCode::UNPROCESSABLE_ENTITY, codes::BAD_CUSTOMER_SYNC, message)
        }
    })?;
    let answer =
        crate::customers::sync(&server.db, customers, &caller.0.register_id, request).await?;
    Ok(Json(answer))
}

async fn not_found() -> Failure {
    Failure::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such endpoint")
}

async fn method_not_allowed() -> Failure {
    Failure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint takes another method",
    )
}

async fn health(State(server): State<Server>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "database": server.db.backend() }))
}

async fn ca_pem(State(server): State<Server>) -> Response {
    ([(header::CONTENT_TYPE, "application/x-pem-file")], server.pin_pem.as_ref().clone())
        .into_response()
}

async fn enrol(
    State(server): State<Server>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Json<EnrolRequest>, JsonRejection>,
) -> ApiResult<EnrolResponse> {
    let Json(request) = body.map_err(json_failure)?;
    let credential = secret::credential();
    let code_hash = secret::hash(&secret::canonical_code(&request.code));
    let now = server.now();
    let outcome = server
        .db
        .enrol(EnrolAttempt {
            code_hash,
            store_code: request.store_code.clone(),
            device_id: request.device_id.clone(),
            register_number: request.register_number,
            tip: request.tip.clone(),
            acked: request.acked.clone(),
            credential_hash: secret::hash(&credential),
            now,
        })
        .await?;
    match outcome {
        Enrolment::Enrolled(register) => {
            tracing::info!(register = %register.id, store = %register.store_code, "register enrolled");
            server
                .security(
                    "enrolled",
                    Some(&register.id),
                    "register enrolled",
                    Some(addr.ip().to_string()),
                )
                .await;
            Ok(Json(EnrolResponse {
                register_id: register.id,
                store_id: register.store_id,
                store_code: register.store_code,
                register_number: register.number,
                credential,
            }))
        }
        Enrolment::Conflict(reason) => {
            server.security("enrolment_conflict", None, &reason, Some(addr.ip().to_string())).await;
            Err(Failure::new(
                StatusCode::CONFLICT,
                codes::LEDGER_CONFLICT,
                "the server already holds another till's ledger under this register: this till \
                 cannot take its place; nothing was changed. Ask the administrator for a \
                 register of its own (comptoir-server register add), or enrol this till before \
                 it records anything (not even a shift) to take the register back",
            ))
        }
        Enrolment::Refused(reason) => {
            server.security("enrolment_refused", None, &reason, Some(addr.ip().to_string())).await;
            Err(Failure::new(
                StatusCode::FORBIDDEN,
                codes::ENROLMENT_REFUSED,
                "the enrolment code is unknown, used, expired, or for another store: ask an \
                 administrator for a new code",
            ))
        }
    }
}

async fn ledger_batch(
    State(server): State<Server>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<LedgerBatch>, JsonRejection>,
) -> ApiResult<BatchAck> {
    caller.only(&server, &id).await?;
    let Json(mut batch) = body.map_err(json_failure)?;
    if batch.entries.len() > wire::MAX_BATCH_ENTRIES {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            codes::TOO_LARGE,
            format!("at most {} entries per batch", wire::MAX_BATCH_ENTRIES),
        ));
    }
    if batch.entries.is_empty() {
        let held = server.db.ledger_status(&id).await?;
        let high_water = held.iter().find(|m| m.epoch == batch.epoch).map_or(0, |m| m.high_water);
        return Ok(Json(BatchAck {
            epoch: batch.epoch,
            high_water,
            accepted: 0,
            duplicates: 0,
            quarantined: vec![],
            clock_skew_seconds: None,
        }));
    }
    if batch.epoch < 1 {
        return Err(Failure::new(StatusCode::BAD_REQUEST, codes::MALFORMED, "epoch starts at 1"));
    }
    batch.entries.sort_by_key(|e| e.seq);
    if let Some(e) = batch.entries.iter().find(|e| e.epoch != batch.epoch || e.seq < 1) {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            codes::MALFORMED,
            format!("entry ({}, {}) is not of epoch {}", e.epoch, e.seq, batch.epoch),
        ));
    }
    if batch.entries.windows(2).any(|w| w[0].seq == w[1].seq) {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            codes::MALFORMED,
            "the batch holds a sequence number twice",
        ));
    }
    let epoch = batch.epoch;
    // The register's clock against the server's: off by more than the tolerance, its
    // entries count in the business day they really fell on, and the register is told.
    let skew = batch
        .sent_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| (t.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds())
        .filter(|s| s.abs() > wire::CLOCK_TOLERANCE_SECONDS);
    if let Some(seconds) = skew {
        server.clock_off(&caller.0.register_id, seconds).await;
    }
    let plan = server.db.ingest(&caller.0, batch, &server.now(), skew.unwrap_or(0)).await?;
    let ack = BatchAck {
        epoch,
        high_water: plan.high_water,
        accepted: plan.accept.len() as u32,
        duplicates: plan.duplicates,
        quarantined: plan.rejected(),
        clock_skew_seconds: skew,
    };
    if !ack.quarantined.is_empty() {
        tracing::warn!(register = %id, epoch, count = ack.quarantined.len(), "entries quarantined");
    }
    Ok(Json(ack))
}

async fn ledger_status(
    State(server): State<Server>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<LedgerStatus> {
    caller.only(&server, &id).await?;
    let epochs = server.db.ledger_status(&id).await?;
    Ok(Json(LedgerStatus { register_id: id, epochs }))
}

async fn ledger_entries(
    State(server): State<Server>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<axum::extract::Query<LedgerQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<LedgerPage> {
    caller.only(&server, &id).await?;
    let axum::extract::Query(query) = query
        .map_err(|e| Failure::new(StatusCode::BAD_REQUEST, codes::MALFORMED, e.body_text()))?;
    let limit = query.limit.unwrap_or(500).clamp(1, wire::MAX_BATCH_ENTRIES as i64);
    let entries = server.db.ledger_entries(&id, query.epoch, query.after, limit).await?;
    Ok(Json(LedgerPage { entries }))
}

fn query_failure(e: axum::extract::rejection::QueryRejection) -> Failure {
    Failure::new(StatusCode::BAD_REQUEST, codes::MALFORMED, e.body_text())
}

#[derive(Debug, serde::Deserialize)]
struct CatalogQuery {
    #[serde(default)]
    since: i64,
    limit: Option<i64>,
}

async fn catalog_changes(
    State(server): State<Server>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<axum::extract::Query<CatalogQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<CatalogPage> {
    caller.only_store(&server, &id).await?;
    let axum::extract::Query(query) = query.map_err(query_failure)?;
    let limit = query.limit.unwrap_or(MAX_CATALOG_PAGE).clamp(1, MAX_CATALOG_PAGE);
    Ok(Json(server.db.catalog_page(&caller.0.store_id, query.since.max(0), limit).await?))
}

#[derive(Debug, serde::Deserialize)]
struct ImportQuery {
    source: Option<String>,
    /// When the prices apply, in each store's local time (`YYYY-MM-DDTHH:MM`).
    from: Option<String>,
    #[serde(default)]
    skip_bad_rows: bool,
}

/// `POST /v1/admin/catalog/drafts`: a catalog file (CSV) as the body. A file with bad rows
/// makes no draft (422, every bad row listed) unless `skip_bad_rows=true`.
async fn admin_import(
    State(server): State<Server>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    query: Result<axum::extract::Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, Failure> {
    // The token is checked once the file is read: a refusal before would cut the upload of a
    // large file mid-way, and the client would see a broken connection, not the refusal.
    let admin = admin(&server, &headers, Some(addr.ip().to_string())).await?;
    let axum::extract::Query(query) = query.map_err(query_failure)?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                codes::TOO_LARGE,
                format!("the file is larger than {} bytes", wire::MAX_BODY_BYTES),
            )
        } else {
            Failure::new(StatusCode::BAD_REQUEST, codes::MALFORMED, e.body_text())
        }
    })?;
    let body = String::from_utf8(body.to_vec()).map_err(|_| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::INVALID_CATALOG,
            "the file is not UTF-8 text: save it as CSV UTF-8",
        )
    })?;
    let source = query.source.unwrap_or_else(|| "api".to_owned());
    let imported = crate::catalog::import(
        &server.db,
        &body,
        &source,
        query.from.as_deref(),
        query.skip_bad_rows,
    )
    .await
    .map_err(|e| match e {
        crate::catalog::ImportError::Invalid(m) => {
            Failure::new(StatusCode::UNPROCESSABLE_ENTITY, codes::INVALID_CATALOG, m)
        }
        crate::catalog::ImportError::Db(e) => e.into(),
    })?;
    tracing::info!(admin = %admin.0, source, rows = imported.draft.as_ref().map_or(0, |d| d.items), errors = imported.errors.len(), "catalog imported");
    let status =
        if imported.draft.is_some() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(imported)).into_response())
}

async fn admin_drafts(
    State(server): State<Server>,
    _admin: Admin,
) -> ApiResult<Vec<crate::catalog::DraftRow>> {
    Ok(Json(server.db.drafts().await?))
}

#[derive(Debug, serde::Deserialize)]
struct PublishRequest {
    #[serde(default)]
    stores: Vec<String>,
    /// Every store the server has.
    #[serde(default)]
    all: bool,
}

async fn admin_publish(
    State(server): State<Server>,
    admin: Admin,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    body: Result<Json<PublishRequest>, JsonRejection>,
) -> ApiResult<Vec<crate::catalog::Published>> {
    let Path(id) = id.map_err(|_| {
        Failure::new(StatusCode::BAD_REQUEST, codes::MALFORMED, "a draft is a number")
    })?;
    let Json(request) = body.map_err(json_failure)?;
    if request.all && !request.stores.is_empty() {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            codes::MALFORMED,
            "give either the stores or all, not both",
        ));
    }
    let stores = if request.all {
        server.db.stores().await?.into_iter().map(|s| s.code).collect()
    } else {
        request.stores
    };
    if stores.is_empty() {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            codes::MALFORMED,
            "name the stores to publish to ({\"stores\": [\"montreal\"]}) or {\"all\": true}",
        ));
    }
    let published = crate::catalog::publish_draft(&server.db, id, &stores).await?;
    tracing::info!(admin = %admin.0, draft = id, stores = ?stores, "catalog published");
    Ok(Json(published))
}

#[derive(Debug, serde::Deserialize)]
struct TaxesQuery {
    /// The list leaves out a tax the store charges now, on purpose.
    #[serde(default)]
    removing: bool,
}

async fn admin_taxes(
    State(server): State<Server>,
    admin: Admin,
    Path(code): Path<String>,
    query: Result<axum::extract::Query<TaxesQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Json<Vec<TaxConfig>>, JsonRejection>,
) -> ApiResult<crate::catalog::Published> {
    let axum::extract::Query(query) = query.map_err(query_failure)?;
    let Json(taxes) = body.map_err(json_failure)?;
    let published = crate::catalog::publish_taxes(&server.db, &code, taxes, query.removing).await?;
    tracing::info!(admin = %admin.0, store = %code, "taxes published");
    Ok(Json(published))
}

#[derive(Debug, serde::Deserialize)]
struct RetireRequest {
    skus: Vec<String>,
}

async fn admin_retire(
    State(server): State<Server>,
    admin: Admin,
    Path(code): Path<String>,
    body: Result<Json<RetireRequest>, JsonRejection>,
) -> ApiResult<crate::catalog::Published> {
    let Json(request) = body.map_err(json_failure)?;
    let published = crate::catalog::retire(&server.db, &code, request.skus).await?;
    tracing::info!(admin = %admin.0, store = %code, "items retired");
    Ok(Json(published))
}

#[derive(Debug, serde::Deserialize)]
struct StockQuery {
    /// Levels changed at or after this server time (all of them without it).
    #[serde(default)]
    since: String,
}

/// `GET /v1/stores/{id}/stock?since=T`: the register's own store's levels changed since `T`
/// (a register asks again from a minute before the last `as_of`, so a level written by a
/// transaction that committed late is not missed).
async fn store_stock(
    State(server): State<Server>,
    caller: Caller,
    Path(id): Path<String>,
    query: Result<axum::extract::Query<StockQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<comptoir_protocol::wire::StockPage> {
    caller.only_store(&server, &id).await?;
    let axum::extract::Query(query) = query.map_err(query_failure)?;
    let as_of = server.now();
    let levels = server.db.stock_levels(&id, &query.since).await?;
    Ok(Json(comptoir_protocol::wire::StockPage {
        as_of,
        levels: levels.into_iter().map(wire_level).collect(),
    }))
}

/// `GET /v1/stock/{sku}`: "stock anywhere", the SKU's on-hand in every store of the chain.
async fn stock_anywhere(
    State(server): State<Server>,
    _caller: Caller,
    Path(sku): Path<String>,
) -> ApiResult<comptoir_protocol::wire::StockPage> {
    let as_of = server.now();
    let levels = server.db.stock_anywhere(&sku).await?;
    Ok(Json(comptoir_protocol::wire::StockPage {
        as_of,
        levels: levels.into_iter().map(wire_level).collect(),
    }))
}

fn wire_level(level: crate::stock::Level) -> comptoir_protocol::wire::StockLevel {
    comptoir_protocol::wire::StockLevel {
        store: level.store,
        sku: level.sku,
        on_hand: level.on_hand,
        updated_at: level.updated_at,
    }
}

async fn admin_stock(
    State(server): State<Server>,
    admin: Admin,
    body: Result<Json<crate::stock::Recorded>, JsonRejection>,
) -> ApiResult<Vec<crate::stock::Level>> {
    let Json(recorded) = body.map_err(json_failure)?;
    tracing::info!(admin = %admin.0, movement = ?recorded, "stock movement");
    Ok(Json(crate::stock::record(&server.db, recorded).await?))
}

#[derive(Debug, serde::Deserialize)]
struct SaleQuery {
    /// The store that printed the receipt, when stores share a receipt prefix.
    store: Option<String>,
}

/// `GET /v1/sales/{receipt_no}`: a sale of any register of the chain, for a return, with the
/// returns of it held (see [`crate::sales`]). A sale in another currency than the caller's
/// store is refused (`wrong_currency`).
async fn sale_for_return(
    State(server): State<Server>,
    caller: Caller,
    Path(receipt_no): Path<String>,
    query: Result<axum::extract::Query<SaleQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<wire::SaleLookup> {
    let axum::extract::Query(query) = query.map_err(query_failure)?;
    let found =
        crate::sales::find(&server.db, &caller.0, receipt_no.trim(), query.store.as_deref()).await;
    let lookup = found?;
    tracing::debug!(register = %caller.0.register_id, receipt = %receipt_no, from = %lookup.register_id, returns = lookup.returns.len(), "sale found for a return");
    Ok(Json(lookup))
}

/// `GET /v1/credits/{reference}`: every entry held with a leg on a credit note, from any
/// register of the chain, so the asking register reads what it holds.
async fn credit_note(
    State(server): State<Server>,
    caller: Caller,
    Path(reference): Path<String>,
) -> ApiResult<wire::CreditLookup> {
    let lookup = crate::sales::find_credit(&server.db, reference.trim()).await?;
    tracing::debug!(register = %caller.0.register_id, reference = %reference, entries = lookup.entries.len(), "credit note read");
    Ok(Json(lookup))
}

impl From<crate::sales::LookupError> for Failure {
    fn from(e: crate::sales::LookupError) -> Failure {
        use crate::sales::LookupError;
        let code = e.code();
        match e {
            LookupError::NoSuchSale(m) | LookupError::NoSuchCredit(m) => {
                Failure::new(StatusCode::NOT_FOUND, code, m)
            }
            LookupError::WrongCurrency(m) => {
                Failure::new(StatusCode::UNPROCESSABLE_ENTITY, code, m)
            }
            LookupError::Ambiguous(m) => Failure::new(StatusCode::CONFLICT, code, m),
            LookupError::Db(e) => e.into(),
        }
    }
}
