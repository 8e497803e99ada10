//! Customer profiles on the register: created, found, edited, erased and exported offline, kept
//! in the register's database by `comptoir-customers` (automerge documents, personal fields
//! only as ciphertext under a per-customer key). The sync task pushes them to the server and
//! pulls the chain's (`comptoir_sync::sync_customers`); a customer made on another register
//! is here after this register's next sync.

use comptoir_customers::{Customer, CustomerError, CustomerId, Edit, Replica, ReplicaId};
use serde::{Deserialize, Serialize};

use crate::{AppError, AppResult, Register};

const REPLICA_KEY: &str = "customers.replica";

/// What the cashier typed for a customer; every field is optional (`Some("")` clears it).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CustomerInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub language: Option<String>,
    /// The store's segment for promotions (`staff`, `wholesale`).
    pub segment: Option<String>,
    /// Marketing consent given (`true`) or withdrawn (`false`) now, at this register.
    pub consent: Option<bool>,
    pub note: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A customer as a search lists them.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CustomerSummary {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: &'static str,
}

fn customer_error(e: CustomerError) -> AppError {
    AppError::new(e.code(), e.to_string())
}

fn edits(input: &CustomerInput) -> Vec<Edit> {
    let text = |v: &Option<String>| {
        v.as_ref().map(|s| Some(s.trim().to_owned()).filter(|s| !s.is_empty()))
    };
    let mut edits = Vec::new();
    if let Some(v) = text(&input.name) {
        edits.push(Edit::Name(v));
    }
    if let Some(v) = text(&input.email) {
        edits.push(Edit::Email(v));
    }
    if let Some(v) = text(&input.phone) {
        edits.push(Edit::Phone(v));
    }
    if let Some(v) = text(&input.language) {
        edits.push(Edit::Language(v));
    }
    if let Some(v) = text(&input.segment) {
        edits.push(Edit::Segment(v));
    }
    if let Some(granted) = input.consent {
        edits.push(Edit::Consent { granted, source: "register".to_owned() });
    }
    if let Some(note) = input.note.as_ref().filter(|n| !n.trim().is_empty()) {
        edits.push(Edit::Note(note.trim().to_owned()));
    }
    edits.extend(input.tags.iter().map(|t| Edit::Tag(t.clone())));
    edits
}

fn summary(customer: &Customer) -> CustomerSummary {
    let text =
        |v: &Option<comptoir_customers::Personal<String>>| v.as_ref().map(|p| p.expose().clone());
    CustomerSummary {
        id: customer.id.to_string(),
        name: text(&customer.name),
        email: text(&customer.email),
        phone: text(&customer.phone),
        status: match customer.status {
            comptoir_customers::Status::Active => "active",
            comptoir_customers::Status::Inactive => "inactive",
            comptoir_customers::Status::Erased(_) => "erased",
        },
    }
}

fn parse_id(id: &str) -> AppResult<CustomerId> {
    id.trim().parse().map_err(|_| {
        AppError::new(
            "customer_unknown",
            format!("{id:?} is not a customer's id (as `customer find` lists them)"),
        )
    })
}

impl Register {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.clock.now().timestamp_millis()).unwrap_or(0)
    }

    /// The register's customers, read from its database the first time they are needed, and
    /// again after the sync task (another connection) changed them.
    pub(crate) fn customers(&mut self) -> AppResult<&mut Replica> {
        let generation = self.db.setting(comptoir_sync::CUSTOMERS_GENERATION)?;
        if self.customers_generation != generation {
            self.customers = None;
            self.customers_generation = generation;
        }
        if self.customers.is_none() {
            let replica = match self.db.setting(REPLICA_KEY)? {
                Some(id) => id.parse().map_err(|_| {
                    AppError::new("storage_failed", "the customers' replica id is damaged")
                })?,
                None => {
                    let id = uuid::Uuid::now_v7();
                    self.db.set_setting(REPLICA_KEY, &id.to_string())?;
                    id
                }
            };
            let opened = Replica::open(self.db.customers_connection(), ReplicaId(replica))
                .map_err(customer_error)?;
            self.customers = Some(opened);
        }
        Ok(self.customers.as_mut().expect("opened above"))
    }

    /// Writes what changed, or forgets it (the next use reads the database again) if the
    /// write fails, so what is shown is always what is stored.
    fn persist_customers(&mut self) -> AppResult<()> {
        let Some(replica) = self.customers.as_mut() else { return Ok(()) };
        if let Err(e) = replica.persist(self.db.customers_connection()) {
            self.customers = None;
            return Err(customer_error(e));
        }
        Ok(())
    }

    /// Creates a customer (any cashier, offline too) and answers with their record.
    pub fn add_customer(&mut self, input: &CustomerInput) -> AppResult<serde_json::Value> {
        self.cashier()?;
        if input.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(AppError::new("customer_name_required", "a customer needs a name"));
        }
        let now = self.now_ms();
        let edits = edits(input);
        let id = self.customers()?.create(now, &edits).map_err(customer_error)?;
        self.persist_customers()?;
        tracing::info!(customer = %id, "customer created");
        self.customer(&id.to_string())
    }

    /// Changes what is given; the rest stays.
    pub fn edit_customer(
        &mut self,
        id: &str,
        input: &CustomerInput,
    ) -> AppResult<serde_json::Value> {
        self.cashier()?;
        let id = parse_id(id)?;
        let now = self.now_ms();
        let edits = edits(input);
        self.customers()?.edit(id, now, &edits).map_err(customer_error)?;
        self.persist_customers()?;
        self.customer(&id.to_string())
    }

    /// Everything the register holds about a customer, readable (the data-access export).
    pub fn customer(&mut self, id: &str) -> AppResult<serde_json::Value> {
        self.cashier()?;
        let id = parse_id(id)?;
        self.customers()?.export(id).map_err(customer_error)
    }

    /// Customers whose name, email or phone contains the query (accents and case ignored).
    pub fn find_customers(&mut self, query: &str) -> AppResult<Vec<CustomerSummary>> {
        self.cashier()?;
        let digits: String = query.chars().filter(char::is_ascii_digit).collect();
        // A phone number as a cashier types it (5145550199, 514-555-0199): its digits.
        let phone_like =
            digits.len() >= 4 && query.chars().all(|c| c.is_ascii_digit() || " -.()+".contains(c));
        let query = comptoir_core::text::fold(query);
        let replica = self.customers()?;
        let ids: Vec<CustomerId> = replica.customer_ids().collect();
        let mut found = Vec::new();
        for id in ids {
            let Some(customer) = replica.customer(id) else { continue };
            let found_in = |v: &Option<comptoir_customers::Personal<String>>| {
                v.as_ref().is_some_and(|p| comptoir_core::text::fold(p.expose()).contains(&query))
            };
            let phone_digits = || {
                customer.phone.as_ref().is_some_and(|p| {
                    let held: String = p.expose().chars().filter(char::is_ascii_digit).collect();
                    held.contains(&digits)
                })
            };
            if !query.is_empty()
                && (found_in(&customer.name)
                    || found_in(&customer.email)
                    || found_in(&customer.phone)
                    || (phone_like && phone_digits()))
            {
                found.push(summary(&customer));
            }
        }
        Ok(found)
    }

    /// Erases a customer on request (a manager): their key is destroyed, so what was stored
    /// of them can no longer be read on this register; the erasure itself is kept.
    pub fn erase_customer(&mut self, id: &str) -> AppResult<serde_json::Value> {
        self.require("erase_customer")?;
        let id = parse_id(id)?;
        let now = self.now_ms();
        let erasure = self.customers()?.erase(id, now).map_err(customer_error)?;
        self.persist_customers()?;
        tracing::info!(customer = %id, "customer erased");
        Ok(serde_json::json!({ "erased": id.to_string(), "at_ms": erasure.at_ms }))
    }
}
