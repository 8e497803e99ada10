//! Card payments sent to an integrated terminal. Each is written here, with its amount, before
//! anything reaches the terminal, and its outcome after; so a payment whose answer was lost (a
//! timeout, a crash, a pulled cable) is found at the next start and asked about, never charged
//! again. Only the terminal's reference, the card's brand and masked number are kept.

use rusqlite::{OptionalExtension, Row, params};

use crate::{Store, StoreError, Tx};

/// Where a card payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardPaymentState {
    /// Recorded, maybe sent: the terminal's answer is not known yet.
    Pending,
    /// The terminal approved it; its tender is in the cart or in a recorded sale.
    Approved,
    /// The terminal declined it, or the customer or cashier aborted it: nothing was charged.
    Declined,
    /// A reversal of an approved payment is recorded, maybe sent.
    Reversing,
    /// The terminal reversed it: the customer was charged nothing in the end.
    Reversed,
}

impl CardPaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            CardPaymentState::Pending => "pending",
            CardPaymentState::Approved => "approved",
            CardPaymentState::Declined => "declined",
            CardPaymentState::Reversing => "reversing",
            CardPaymentState::Reversed => "reversed",
        }
    }

    fn parse(text: &str) -> Option<CardPaymentState> {
        Some(match text {
            "pending" => CardPaymentState::Pending,
            "approved" => CardPaymentState::Approved,
            "declined" => CardPaymentState::Declined,
            "reversing" => CardPaymentState::Reversing,
            "reversed" => CardPaymentState::Reversed,
            _ => return None,
        })
    }
}

/// One card payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardPaymentRow {
    /// The register's id for it (a UUID v7), sent to the terminal where the protocol allows.
    pub id: String,
    pub created_at: String,
    pub updated_at: String,
    /// `payment` or `refund`.
    pub kind: String,
    /// The amount as a decimal string in the store's currency.
    pub amount: String,
    pub currency: String,
    pub state: CardPaymentState,
    /// The terminal's reference, once it answered.
    pub reference: Option<String>,
    /// The terminal's slip as the ledger's JSON (`CardSlip`), once approved.
    pub slip: Option<String>,
    /// Why it ended as it did, in the terminal's words (a decline's result code and text).
    pub outcome: Option<String>,
    /// The terminal's receipt number of the last transaction seen to end before this one.
    pub previous_receipt_no: Option<i64>,
    /// This payment's receipt number on the terminal, once known (a reversal names it).
    pub receipt_no: Option<i64>,
    /// A refund's cart (the return it pays back), as the register saves its cart in progress.
    pub cart: Option<String>,
}

const COLUMNS: &str = "id, created_at, updated_at, kind, amount, currency, state, reference, \
                       slip, outcome, previous_receipt_no, receipt_no, cart";

impl CardPaymentRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<CardPaymentRow> {
        let state: String = row.get(6)?;
        Ok(CardPaymentRow {
            id: row.get(0)?,
            created_at: row.get(1)?,
            updated_at: row.get(2)?,
            kind: row.get(3)?,
            amount: row.get(4)?,
            currency: row.get(5)?,
            state: CardPaymentState::parse(&state).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    6,
                    rusqlite::types::Type::Text,
                    format!("unknown card payment state {state:?}").into(),
                )
            })?,
            reference: row.get(7)?,
            slip: row.get(8)?,
            outcome: row.get(9)?,
            previous_receipt_no: row.get(10)?,
            receipt_no: row.get(11)?,
            cart: row.get(12)?,
        })
    }
}

/// What a terminal's answer changes on a payment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardPaymentUpdate<'a> {
    pub state: CardPaymentState,
    pub at: &'a str,
    pub reference: Option<&'a str>,
    pub slip: Option<&'a str>,
    pub outcome: Option<&'a str>,
    pub receipt_no: Option<i64>,
}

impl Store {
    /// Records a payment before it is sent. Durable when this returns.
    pub fn record_card_payment(&mut self, row: &CardPaymentRow) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO card_payment ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        );
        let tx = self.begin()?;
        tx.tx.execute(
            &sql,
            params![
                row.id,
                row.created_at,
                row.updated_at,
                row.kind,
                row.amount,
                row.currency,
                row.state.as_str(),
                row.reference,
                row.slip,
                row.outcome,
                row.previous_receipt_no,
                row.receipt_no,
                row.cart
            ],
        )?;
        tx.commit()
    }

    pub fn card_payment(&self, id: &str) -> Result<Option<CardPaymentRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM card_payment WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], CardPaymentRow::from_row).optional()?)
    }

    /// The approved payment the terminal gave this reference.
    pub fn approved_card_payment(
        &self,
        reference: &str,
    ) -> Result<Option<CardPaymentRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM card_payment WHERE reference = ?1 AND state = 'approved' \
             ORDER BY created_at DESC LIMIT 1"
        );
        Ok(self.conn().query_row(&sql, [reference], CardPaymentRow::from_row).optional()?)
    }

    /// The payments whose outcome the terminal has not given yet (pending or reversing),
    /// oldest first.
    pub fn unsettled_card_payments(&self) -> Result<Vec<CardPaymentRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM card_payment WHERE state IN ('pending', 'reversing') \
             ORDER BY created_at, id"
        );
        let mut statement = self.conn().prepare(&sql)?;
        let rows = statement.query_map([], CardPaymentRow::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the terminal's answer and, in the same transaction, the cart it changes (the
    /// approved tender added, a reversed one taken off), so an approved payment is never
    /// without its tender nor a tender without its payment.
    pub fn settle_card_payment(
        &mut self,
        id: &str,
        update: &CardPaymentUpdate<'_>,
        cart: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin()?;
        tx.settle_card_payment(id, update)?;
        if let Some(cart) = cart {
            tx.tx.execute(
                "INSERT INTO current_cart (id, payload) VALUES (1, ?1) \
                 ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
                [cart],
            )?;
        }
        tx.commit()
    }
}

impl Tx<'_> {
    /// Records the terminal's answer inside a larger transaction (a card refund's approval
    /// with the return it pays back).
    pub fn settle_card_payment(
        &mut self,
        id: &str,
        update: &CardPaymentUpdate<'_>,
    ) -> Result<(), StoreError> {
        let changed = self.tx.execute(
            "UPDATE card_payment SET state = ?2, updated_at = ?3, \
             reference = coalesce(?4, reference), slip = coalesce(?5, slip), \
             outcome = coalesce(?6, outcome), receipt_no = coalesce(?7, receipt_no) \
             WHERE id = ?1",
            params![
                id,
                update.state.as_str(),
                update.at,
                update.reference,
                update.slip,
                update.outcome,
                update.receipt_no
            ],
        )?;
        if changed != 1 {
            return Err(StoreError::Corrupt(format!("no card payment {id}")));
        }
        Ok(())
    }
}
