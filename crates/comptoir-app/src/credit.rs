//! Store credit: a credit note a refund issued (`CR-MTL01-000001`, printed with its barcode on
//! the refund's receipt), spent as a tender at any register of the chain.
//!
//! A note's balance is what its refunds put on it less what sales took off it, read from the
//! entries with a leg on it: this register's (the `credit_leg` index), and when the register
//! is enrolled, the server's of every register, each entry counted once. A note this register
//! never saw cannot be spent offline: nothing here says what it holds.

use comptoir_core::{Money, Tender};
use comptoir_protocol::payload::kind;
use comptoir_protocol::wire::codes;
use serde::Serialize;

use crate::entry;
use crate::error::{AppError, AppResult};
use crate::register::{Committed, Register, parse_payload};

/// What a credit note holds.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CreditBalance {
    pub reference: String,
    /// What refunds put on it.
    pub issued: String,
    /// What sales took off it (the cart in progress included).
    pub spent: String,
    pub balance: String,
    /// Whether the server's entries were counted (false: this register's only).
    pub chain_wide: bool,
}

/// Whether a scanned or typed code has a credit note's shape (`CR-…`).
pub fn looks_like_credit(code: &str) -> bool {
    code.trim().get(..3).is_some_and(|p| p.eq_ignore_ascii_case("CR-"))
}

impl Register {
    /// What the credit note `reference` holds now.
    pub fn store_credit(&mut self, reference: &str) -> AppResult<CreditBalance> {
        self.cashier()?;
        let reference = reference.trim().to_ascii_uppercase();
        if reference.is_empty() {
            return Err(AppError::new("credit_required", "scan or type the credit note's number"));
        }
        let (legs, chain_wide) = self.credit_legs(&reference)?;
        let issued: Money = legs.iter().filter(|a| a.is_negative()).map(|a| -*a).sum();
        let mut spent: Money = legs.iter().filter(|a| !a.is_negative()).copied().sum();
        spent += self
            .tenders()
            .iter()
            .filter_map(|t| match t {
                Tender::StoreCredit { amount, reference: r } if *r == reference => Some(*amount),
                _ => None,
            })
            .sum::<Money>();
        let money = |m: Money| self.store.money(m);
        Ok(CreditBalance {
            reference,
            issued: money(issued),
            spent: money(spent),
            balance: money(issued - spent),
            chain_wide,
        })
    }

    /// Pays `amount` of the sale with the credit note `reference`, at most what it holds.
    pub fn tender_store_credit(
        &mut self,
        amount: &str,
        reference: &str,
    ) -> AppResult<Option<Committed>> {
        self.require_shift()?;
        let amount = self.parse_amount(amount)?;
        let balance = self.store_credit(reference)?;
        let held = self.parse_money(&balance.balance)?;
        if amount > held {
            return Err(AppError::new(
                "credit_short",
                format!(
                    "{} holds {}: take at most that from it, and the rest another way",
                    balance.reference, balance.balance
                ),
            ));
        }
        self.add_tender(Tender::StoreCredit { amount, reference: balance.reference })
    }

    /// The amounts of every leg on the note (negative: issued), and whether the server's
    /// entries are among them.
    fn credit_legs(&self, reference: &str) -> AppResult<(Vec<Money>, bool)> {
        let mut entries: Vec<(String, String)> = self
            .db
            .entries_with_credit(reference)?
            .into_iter()
            .map(|e| (e.entry_id, e.payload))
            .collect();
        let mut chain_wide = false;
        if let Some(server) = self.db.sync_server()? {
            let asked =
                comptoir_sync::HttpTransport::new(&server).and_then(|t| t.find_credit(reference));
            match asked {
                Ok(lookup) => {
                    if lookup.currency != self.store.currency.code {
                        return Err(AppError::new(
                            "wrong_currency",
                            format!(
                                "{reference} was issued in {}: it is spent in a store that sells \
                                 in {}",
                                lookup.currency, lookup.currency
                            ),
                        ));
                    }
                    for held in lookup.entries {
                        if kind::is_sale_like(&held.kind)
                            && entries.iter().all(|(id, _)| *id != held.entry_id)
                        {
                            entries.push((held.entry_id, held.payload));
                        }
                    }
                    chain_wide = true;
                }
                Err(e) if e.code == codes::NO_SUCH_CREDIT => chain_wide = true,
                Err(e) if entries.is_empty() && e.is_transient() => {
                    return Err(AppError::new(
                        "credit_not_here_offline",
                        format!("{reference}: {e}"),
                    ));
                }
                Err(e) if entries.is_empty() => return Err(AppError::new(e.code, e.message)),
                Err(e) => {
                    tracing::warn!(
                        reference,
                        code = e.code,
                        "the server's legs of a credit note issued here are not known: {e}"
                    );
                }
            }
        }
        if entries.is_empty() {
            return Err(AppError::new(
                "unknown_credit",
                format!("no credit note {reference} in this chain"),
            ));
        }
        let mut legs = Vec::new();
        for (_, payload) in entries {
            let sale: entry::Sale = parse_payload(&payload)?;
            for tender in sale.tenders {
                if let entry::SaleTender::StoreCredit { amount, reference: r } = tender
                    && r == reference
                {
                    legs.push(self.parse_money(&amount)?);
                }
            }
        }
        Ok((legs, chain_wide))
    }
}
