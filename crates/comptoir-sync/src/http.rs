//! HTTPS to the server with reqwest (rustls), trusting the pinned certificate only.

use std::time::Duration;

use comptoir_protocol::LedgerEntry;
use comptoir_protocol::wire::{
    ApiError, BatchAck, CreditLookup, LedgerBatch, LedgerPage, LedgerStatus, SaleLookup, codes,
};
use comptoir_store::SyncServer;
use reqwest::blocking::{Client, RequestBuilder};

use crate::{SyncError, Transport};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A client that trusts only `pin_pem` (no system roots).
pub(crate) fn pinned_client(pin_pem: &str) -> Result<Client, SyncError> {
    let certificate = reqwest::Certificate::from_pem(pin_pem.as_bytes())
        .map_err(|e| SyncError::new("bad_certificate", format!("the pinned certificate: {e}")))?;
    Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(certificate)
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| SyncError::new("tls_setup", e.to_string()))
}

/// Fetches the server's CA certificate without checking it: the caller checks it against the
/// fingerprint the administrator gave before trusting it for anything.
pub(crate) fn fetch_ca_unverified(url: &str) -> Result<String, SyncError> {
    let client = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .danger_accept_invalid_certs(true)
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| SyncError::new("tls_setup", e.to_string()))?;
    let response = client.get(format!("{url}/v1/ca.pem")).send().map_err(transport_error)?;
    if !response.status().is_success() {
        return Err(SyncError::new(
            "server_error",
            format!("{url}/v1/ca.pem answered {}", response.status()),
        ));
    }
    response.text().map_err(transport_error)
}

fn transport_error(e: reqwest::Error) -> SyncError {
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    // rustls says "invalid peer certificate: UnknownIssuer" (or NotValidForName…); a
    // connection cut in the middle of the handshake is a network problem, not this.
    if chain.contains("invalid peer certificate") {
        return SyncError::new(
            "tls_untrusted",
            format!("the server's certificate is not the one this register trusts ({chain})"),
        );
    }
    if e.is_timeout() {
        return SyncError::new("offline", format!("the server did not answer in time ({chain})"));
    }
    SyncError::new("offline", format!("cannot reach the server ({chain})"))
}

/// Sends a request and reads a JSON answer, or the server's error.
pub(crate) fn send<T: serde::de::DeserializeOwned>(
    request: RequestBuilder,
) -> Result<T, SyncError> {
    let response = request.send().map_err(transport_error)?;
    let status = response.status();
    if status.is_success() {
        return response.json::<T>().map_err(|e| {
            if e.is_decode() {
                SyncError::new("bad_answer", format!("the server's answer does not parse: {e}"))
            } else {
                transport_error(e)
            }
        });
    }
    let body = response.text().unwrap_or_default();
    let error: Option<ApiError> = serde_json::from_str(&body).ok();
    let (server_code, message) = match error {
        Some(e) => (e.code, e.message),
        None => (
            String::new(),
            format!("HTTP {status}: {}", body.chars().take(200).collect::<String>()),
        ),
    };
    let code = match status.as_u16() {
        401 | 403 if server_code == "enrolment_refused" => "enrolment_refused",
        409 if server_code == "ledger_conflict" => "ledger_conflict",
        // A sale looked up for a return: the register branches on why there is none.
        404 if server_code == codes::NO_SUCH_SALE => codes::NO_SUCH_SALE,
        404 if server_code == codes::NO_SUCH_CREDIT => codes::NO_SUCH_CREDIT,
        422 if server_code == codes::WRONG_CURRENCY => codes::WRONG_CURRENCY,
        409 if server_code == codes::AMBIGUOUS_RECEIPT => codes::AMBIGUOUS_RECEIPT,
        401 | 403 => "refused",
        400..=499 => "rejected",
        _ => "server_error",
    };
    Err(SyncError::new(
        code,
        if server_code.is_empty() { message } else { format!("{message} ({server_code})") },
    ))
}

/// The enrolled register's connection to its server.
#[derive(Debug)]
pub struct HttpTransport {
    client: Client,
    url: String,
    register_id: String,
    store_id: String,
    credential: String,
}

impl HttpTransport {
    pub fn new(server: &SyncServer) -> Result<HttpTransport, SyncError> {
        Ok(HttpTransport {
            client: pinned_client(&server.pin_pem)?,
            url: server.url.clone(),
            register_id: server.register_id.clone(),
            store_id: server.store_id.clone(),
            credential: server.credential.clone(),
        })
    }

    pub fn ledger_status(&self) -> Result<LedgerStatus, SyncError> {
        send(
            self.client
                .get(format!("{}/v1/registers/{}/ledger:status", self.url, self.register_id))
                .bearer_auth(&self.credential),
        )
    }
}

impl HttpTransport {
    /// This register's entries of `epoch` after `after`, as the server holds them.
    pub fn ledger_entries(
        &self,
        epoch: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<LedgerEntry>, SyncError> {
        let page: LedgerPage = send(
            self.client
                .get(format!("{}/v1/registers/{}/ledger", self.url, self.register_id))
                .query(&[("epoch", epoch), ("after", after), ("limit", limit)])
                .bearer_auth(&self.credential),
        )?;
        Ok(page.entries)
    }
}

impl HttpTransport {
    /// The store's catalog changes after version `since`.
    pub fn catalog_page(
        &self,
        since: i64,
        limit: i64,
    ) -> Result<comptoir_protocol::catalog::CatalogPage, SyncError> {
        send(
            self.client
                .get(format!("{}/v1/stores/{}/catalog", self.url, self.store_id))
                .query(&[("since", since), ("limit", limit)])
                .bearer_auth(&self.credential),
        )
    }
}

impl HttpTransport {
    /// The store's stock levels changed at or after `since` (server time; all from `""`).
    pub fn stock_page(&self, since: &str) -> Result<comptoir_protocol::wire::StockPage, SyncError> {
        send(
            self.client
                .get(format!("{}/v1/stores/{}/stock", self.url, self.store_id))
                .query(&[("since", since)])
                .bearer_auth(&self.credential),
        )
    }

    /// A SKU's on-hand in every store of the chain.
    pub fn stock_anywhere(
        &self,
        sku: &str,
    ) -> Result<comptoir_protocol::wire::StockPage, SyncError> {
        let url = reqwest::Url::parse(&format!("{}/v1/stock/", self.url))
            .and_then(|base| base.join(&urlencode(sku)))
            .map_err(|e| SyncError::new("bad_url", e.to_string()))?;
        send(self.client.get(url).bearer_auth(&self.credential))
    }
}

/// How long a cashier waits for a sale looked up for a return before being told the server
/// cannot be reached (the customer is at the counter; a sync round may take longer).
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

impl HttpTransport {
    /// A sale of any register of the chain by its receipt number, with the returns of it the
    /// server holds: `no_such_sale`, `wrong_currency` (sold in another currency than this
    /// register's store) or `ambiguous_receipt` when there is none to give.
    pub fn find_sale(&self, receipt_no: &str) -> Result<SaleLookup, SyncError> {
        let url = reqwest::Url::parse(&format!("{}/v1/sales/", self.url))
            .and_then(|base| base.join(&urlencode(receipt_no)))
            .map_err(|e| SyncError::new("bad_url", e.to_string()))?;
        send(self.client.get(url).timeout(LOOKUP_TIMEOUT).bearer_auth(&self.credential))
    }

    /// A credit note's entries at every register of the chain: `no_such_credit` when the
    /// server holds none.
    pub fn find_credit(&self, reference: &str) -> Result<CreditLookup, SyncError> {
        let url = reqwest::Url::parse(&format!("{}/v1/credits/", self.url))
            .and_then(|base| base.join(&urlencode(reference)))
            .map_err(|e| SyncError::new("bad_url", e.to_string()))?;
        send(self.client.get(url).timeout(LOOKUP_TIMEOUT).bearer_auth(&self.credential))
    }
}

/// A path segment with everything but unreserved characters percent-encoded.
fn urlencode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Transport for HttpTransport {
    fn post_batch(&self, batch: &LedgerBatch) -> Result<BatchAck, SyncError> {
        send(
            self.client
                .post(format!("{}/v1/registers/{}/ledger:batch", self.url, self.register_id))
                .bearer_auth(&self.credential)
                .json(batch),
        )
    }
}

impl HttpTransport {
    /// Pushes customer chunks and pulls the chain's customer log.
    pub fn post_customers(
        &self,
        request: &comptoir_protocol::wire::CustomerSync,
    ) -> Result<comptoir_protocol::wire::CustomerSyncAnswer, SyncError> {
        send(
            self.client
                .post(format!("{}/v1/customers:sync", self.url))
                .bearer_auth(&self.credential)
                .json(request),
        )
    }
}
