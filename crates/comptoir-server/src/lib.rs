//! Comptoir's central server: stores and registers, enrolment, register credentials, and the
//! ledger upload that takes every sale exactly once (see `ARCHITECTURE.md`, "Sync").

pub mod admin;
pub mod api;
pub mod backup;
pub mod catalog;
pub mod customers;
pub mod db;
pub mod ingest;
pub mod keys;
pub mod promotions;
pub mod sales;
pub mod secret;
pub mod stock;
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
    /// Customer profiles and their key store (`None`: this server keeps no customers).
    pub customers: Option<Arc<customers::Customers>>,
    /// The last clock offset recorded per register, so a register whose clock is off is
    /// recorded when it changes, not at every batch.
    clock_offsets: Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>,
}

impl Server {
    pub fn new(db: Db, pin_pem: String) -> Server {
        Server { db, pin_pem: Arc::new(pin_pem), customers: None, clock_offsets: Arc::default() }
    }

    /// The server with its customer key store.
    pub fn with_customers(mut self, keys: keys::KeyStore) -> Server {
        self.customers = Some(Arc::new(customers::Customers::new(keys)));
        self
    }

    /// The time now, as the server records it (UTC, milliseconds, always the same width, so
    /// the stored texts sort like the times).
    pub fn now(&self) -> String {
        now()
    }

    /// Records that a register's clock is `seconds` off the server's, when that is new (or
    /// changed by more than a minute).
    pub async fn clock_off(&self, register_id: &str, seconds: i64) {
        let changed = {
            let mut offsets = self.clock_offsets.lock().unwrap_or_else(|p| p.into_inner());
            let previous = offsets.insert(register_id.to_owned(), seconds);
            previous.is_none_or(|p| (p - seconds).abs() > 60)
        };
        if changed {
            let detail = format!(
                "the register's clock is {} {} the server's ({seconds} s): its sales are counted in the business day they fell on",
                human_duration(seconds.abs()),
                if seconds > 0 { "ahead of" } else { "behind" }
            );
            self.security("clock_skew", Some(register_id), &detail, None).await;
        }
    }

    /// Records a security event (and logs it); a failure to record is logged, not raised.
    pub async fn security(
        &self,
        kind: &str,
        register_id: Option<&str>,
        detail: &str,
        remote: Option<String>,
    ) {
        let (register, from) = (register_id.unwrap_or("-"), remote.as_deref().unwrap_or("-"));
        if kind == "enrolled" {
            tracing::info!(kind, register, remote = from, "{detail}");
        } else {
            tracing::warn!(kind, register, remote = from, "{detail}");
        }
        if let Err(e) =
            self.db.log_security(kind, register_id, detail, remote.as_deref(), &self.now()).await
        {
            tracing::error!(error = %e, "could not record a security event");
        }
    }
}

fn human_duration(seconds: i64) -> String {
    let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60);
    match (days, hours) {
        (0, 0) => format!("{minutes} min"),
        (0, h) => format!("{h} h {minutes} min"),
        (d, h) => format!("{d} d {h} h"),
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
