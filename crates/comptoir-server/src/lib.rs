//! Comptoir's central server: stores and registers, enrolment, register credentials, and the
//! ledger upload that takes every sale exactly once (see `ARCHITECTURE.md`, "Sync").

pub mod admin;
pub mod api;
pub mod backup;
pub mod db;
pub mod ingest;
pub mod secret;
pub mod tls;

use std::net::SocketAddr;
use std::sync::Arc;

pub use db::Db;

/// What every request handler shares.
#[derive(Clone, Debug)]
pub struct Server {
    pub db: Db,
    /// The certificate registers pin, served at `/v1/ca.pem`.
    pub pin_pem: Arc<String>,
}

impl Server {
    pub fn new(db: Db, pin_pem: String) -> Server {
        Server { db, pin_pem: Arc::new(pin_pem) }
    }

    /// The time now, as the server records it (UTC, milliseconds, always the same width, so
    /// the stored texts sort like the times).
    pub fn now(&self) -> String {
        now()
    }

    /// Records a security event (and logs it); a failure to record is logged, not raised.
    pub async fn security(
        &self,
        kind: &str,
        register_id: Option<&str>,
        detail: &str,
        remote: Option<String>,
    ) {
        tracing::warn!(
            kind,
            register = register_id.unwrap_or("-"),
            remote = remote.as_deref().unwrap_or("-"),
            "{detail}"
        );
        if let Err(e) =
            self.db.log_security(kind, register_id, detail, remote.as_deref(), &self.now()).await
        {
            tracing::error!(error = %e, "could not record a security event");
        }
    }
}

pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Serves the API over TLS on `listener` until the process ends.
pub async fn serve(
    server: Server,
    listener: std::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let config = axum_server::tls_rustls::RustlsConfig::from_config(tls);
    let app = api::router(server);
    axum_server::tls_rustls::from_tcp_rustls(listener, config)?
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
}
