//! The card terminal (ZVT over TCP or serial) as the register drives it: its setting, its
//! device thread, and a card payment's steps around the register (see `card.rs`): the payment
//! is recorded, then sent; the answer is recorded; a lost answer is recovered from the
//! terminal, and an approval whose sale is gone is reversed. The terminal is called outside
//! the register's lock, so the screen stays live while the customer types their PIN.

use std::cell::{RefCell, RefMut};
use std::ops::DerefMut;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use comptoir_device::{Device, DeviceError, DeviceEvent, ErrorCode, Health};
pub use comptoir_zvt::AbortHandle;
use comptoir_zvt::{
    ClientConfig, Endpoint, Intent, Outcome, Password, Recovery, Reply, Request, Verdict,
    ZvtDriver, ZvtStatus,
};

use crate::card::{CardRequest, TerminalAnswer};
use crate::entry::CardSlip;
use crate::error::{AppError, AppResult};
use crate::pin::Pin;
use crate::register::{Committed, Register};
use crate::returns::RefundTo;

/// The longest a payment may take on the terminal (card, PIN, the bank's answer).
const PAY_TIMEOUT: Duration = Duration::from_secs(240);
/// The longest an administrative request may take (status, diagnosis, end of day).
const ADMIN_TIMEOUT: Duration = Duration::from_secs(120);
const CLAIM_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the terminal is: `zvt+tcp://HOST[:PORT]` or `zvt+serial:/dev/ttyS0@9600`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalSetting {
    pub endpoint: Endpoint,
}

impl TerminalSetting {
    /// Reads the `terminal` setting; `none` (or empty) is no terminal.
    pub fn parse(text: &str) -> AppResult<Option<TerminalSetting>> {
        let text = text.trim();
        if text.is_empty() || text == "none" {
            return Ok(None);
        }
        // Each refusal gives its own hint once: the form of the part that is wrong.
        let refused =
            |why: String| AppError::new("invalid_setting", format!("terminal {text:?}: {why}"));
        let endpoint = match (text.strip_prefix("zvt+tcp://"), text.strip_prefix("zvt+serial:")) {
            (Some(address), _) => {
                crate::printing::network_address(address, 20007).map(Endpoint::Tcp).ok_or_else(
                    || {
                        "a host name or IPv4 address, and a port from 1 to 65535, like \
                         zvt+tcp://10.0.0.7:20007"
                            .to_owned()
                    },
                )
            }
            (_, Some(port)) if port.starts_with("/dev/") => Endpoint::parse(port),
            (_, Some(_)) => {
                Err("a serial port is a /dev path, like zvt+serial:/dev/ttyUSB0@9600".to_owned())
            }
            _ => Err("the protocol is zvt; use none, zvt+tcp://HOST[:PORT] or zvt+serial:/dev/ttyS0@9600"
                .to_owned()),
        }
        .map_err(refused)?;
        Ok(Some(TerminalSetting { endpoint }))
    }
}

/// The ISO 4217 number a terminal is sent for the store's currency.
fn currency_number(code: &str) -> AppResult<u16> {
    Ok(match code {
        "EUR" => 978,
        "CHF" => 756,
        "GBP" => 826,
        "CAD" => 124,
        "USD" => 840,
        "SEK" => 752,
        "DKK" => 208,
        "NOK" => 578,
        "PLN" => 985,
        "CZK" => 203,
        other => {
            return Err(AppError::new(
                "terminal_currency",
                format!("the card terminal cannot be used for {other}: no ISO number known"),
            ));
        }
    })
}

/// The register's card terminal, on its own device thread.
pub struct CardTerminal {
    device: Device<ZvtDriver>,
    abort: AbortHandle,
    /// The store's currency as its ISO 4217 number, sent with every payment and refund.
    currency: u16,
}

impl std::fmt::Debug for CardTerminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardTerminal").field("device", &self.device.name()).finish()
    }
}

/// What the terminal is doing, for the screen.
pub type Progress<'a> = &'a mut dyn FnMut(&str);

impl CardTerminal {
    /// The terminal the register's settings name, if any. Its link opens at the first use.
    pub fn from_register(register: &Register) -> AppResult<Option<CardTerminal>> {
        let db = register.database();
        let Some(setting) = TerminalSetting::parse(&db.setting("terminal")?.unwrap_or_default())?
        else {
            return Ok(None);
        };
        let mut config = ClientConfig {
            currency: currency_number(&register.store_config().currency.code)?,
            ..ClientConfig::default()
        };
        if let Some(password) = db.setting("terminal.password")? {
            config.password = Password::parse(&password).ok_or_else(|| {
                AppError::new("invalid_setting", "terminal.password is the terminal's 6 digits")
            })?;
        }
        Ok(Some(CardTerminal::new(setting, config)))
    }

    pub fn new(setting: TerminalSetting, config: ClientConfig) -> CardTerminal {
        let currency = config.currency;
        let driver = ZvtDriver::new(setting.endpoint, config);
        let abort = driver.abort_handle();
        CardTerminal { device: Device::open(driver), abort, currency }
    }

    /// Asks the terminal to abort the payment in progress (the customer walked away).
    pub fn abort(&self) {
        self.abort.abort();
    }

    /// A handle that aborts the payment in progress from another thread, while the terminal
    /// itself is busy paying (the desktop app's Abort button).
    pub fn abort_handle(&self) -> AbortHandle {
        self.abort.clone()
    }

    /// Runs an administrative request named as the setup screen names it (`diagnosis`,
    /// `status`, `end_of_day`) and returns what to show.
    pub fn admin_action(&self, action: &str, progress: Progress<'_>) -> AppResult<AdminResult> {
        let request = match action {
            "diagnosis" => Request::Diagnosis,
            "status" => Request::Status,
            "end_of_day" => Request::EndOfDay,
            other => {
                return Err(AppError::new(
                    "invalid_input",
                    format!("terminal action {other:?}: diagnosis, status or end_of_day"),
                ));
            }
        };
        let outcome = self.admin(request, progress)?;
        let (result, message) = match &outcome.verdict {
            Verdict::Approved => ("card_approved", "done".to_owned()),
            Verdict::Declined(code) | Verdict::Aborted(code) => {
                (code.code(), code.message().to_owned())
            }
            Verdict::Unknown(why) => ("unknown", why.clone()),
        };
        Ok(AdminResult {
            action: action.to_owned(),
            result,
            message,
            software: outcome.software,
            receipt: outcome.receipt,
        })
    }

    pub fn health(&self) -> AppResult<Health> {
        self.ready()?;
        self.device.health(ADMIN_TIMEOUT).map_err(device_error)
    }

    /// Runs an administrative request (status, diagnosis, end of day, repeat receipt) and
    /// returns the terminal's outcome.
    pub fn admin(&self, request: Request, progress: Progress<'_>) -> AppResult<Outcome> {
        match self.run(request, ADMIN_TIMEOUT, progress)? {
            Ran::Reply(Reply::Outcome(outcome)) => Ok(outcome),
            Ran::Reply(Reply::Recovery(_)) => {
                Err(AppError::new("internal", "the terminal answered another request"))
            }
            Ran::NoAnswer(why) => Err(AppError::new("terminal_offline", why)),
        }
    }

    fn ready(&self) -> AppResult<()> {
        if !self.device.claimed() {
            self.device.claim(CLAIM_TIMEOUT).map_err(device_error)?;
        }
        if !self.device.enabled() {
            self.device.enable(CLAIM_TIMEOUT).map_err(device_error)?;
        }
        Ok(())
    }

    /// Sends a request and waits for its end, passing on what the terminal shows.
    fn run(&self, request: Request, timeout: Duration, progress: Progress<'_>) -> AppResult<Ran> {
        self.ready()?;
        let id = self.device.submit(request).map_err(device_error)?;
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(Ran::NoAnswer("the terminal did not answer in time".to_owned()));
            }
            let Ok(event) = self.device.events().recv_timeout(left) else { continue };
            match event {
                DeviceEvent::Status(ZvtStatus::Display(text)) => progress(&text),
                DeviceEvent::OutputComplete { id: done, reply } if done == id => {
                    return Ok(Ran::Reply(reply));
                }
                DeviceEvent::OutputError { id: done, error } if done == id => {
                    return Err(device_error(error));
                }
                _ => {}
            }
        }
    }
}

/// What an administrative request ended with, for the setup screen.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AdminResult {
    pub action: String,
    /// `card_approved` when the terminal did it, else its result code (`terminal_error` ...).
    pub result: &'static str,
    pub message: String,
    /// The software version and status a status enquiry or diagnosis reports.
    pub software: Option<String>,
    /// The terminal's receipt lines (an end of day's totals, a diagnosis).
    pub receipt: Vec<String>,
}

enum Ran {
    Reply(Reply),
    /// No answer came in time: whatever was asked may or may not have happened.
    NoAnswer(String),
}

fn device_error(error: DeviceError) -> AppError {
    let code = match error.kind {
        ErrorCode::Timeout | ErrorCode::Offline | ErrorCode::NoHardware | ErrorCode::NoExist => {
            "terminal_offline"
        }
        _ => "terminal_error",
    };
    tracing::warn!(%error, "card terminal");
    // The cashier's words for an unreachable terminal say what to check; the detail says
    // only what failed (where, and why), so the hint is not given twice.
    let detail = match (code, error.detail.is_empty()) {
        ("terminal_offline", false) => error.detail,
        _ => error.message,
    };
    AppError::new(code, detail)
}

/// How the card steps reach the register between terminal calls: the app's shared register
/// (a mutex, released while the terminal works) or the CLI's own.
pub trait Hold {
    fn hold(&self) -> Box<dyn DerefMut<Target = Register> + '_>;
}

impl Hold for Mutex<Register> {
    fn hold(&self) -> Box<dyn DerefMut<Target = Register> + '_> {
        Box::new(self.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Hold for RefCell<&mut Register> {
    fn hold(&self) -> Box<dyn DerefMut<Target = Register> + '_> {
        Box::new(RefMut::map(self.borrow_mut(), |r| &mut **r))
    }
}

fn lock(register: &dyn Hold) -> Box<dyn DerefMut<Target = Register> + '_> {
    register.hold()
}

/// Pays `amount` of the sale in progress on the terminal: records the payment, sends it,
/// records the answer (and the sale, when the card pays it). A lost answer is recovered at
/// once; if the terminal cannot say, the payment stays pending and nothing else can pay the
/// sale until it is recovered ([`recover_card_payments`]).
pub fn pay_by_card(
    register: &dyn Hold,
    terminal: &CardTerminal,
    amount: &str,
    progress: Progress<'_>,
) -> AppResult<Option<Committed>> {
    let request = lock(register).begin_card_payment(amount)?;
    let pay = Request::Pay {
        amount: request.amount_minor.unsigned_abs(),
        currency: Some(terminal.currency),
        intent_id: request.id.clone(),
    };
    send_and_settle(register, terminal, &request, pay, progress)
}

/// Gives back the money of the return or exchange in progress. With `to` the original
/// tenders and cards of the returned sales that this terminal took, their part goes through
/// the terminal the way a payment does: the refund is recorded (with the return) before it is
/// sent, the terminal is called outside the register's lock, and its approval is recorded
/// with the return in one transaction. A lost answer is recovered from the terminal, never
/// refunded again; a declined refund leaves the return unrecorded, to be refunded in cash
/// (a manager approves it) or on store credit. Anything else (no terminal, cash, store
/// credit, a card typed from a standalone terminal) is [`Register::refund_with`].
pub fn refund_return(
    register: &dyn Hold,
    terminal: Option<&CardTerminal>,
    to: RefundTo,
    approval: Option<&Pin>,
    progress: Progress<'_>,
) -> AppResult<Committed> {
    let request = match (terminal, to) {
        (Some(_), RefundTo::Original) => lock(register).begin_card_refund()?,
        _ => None,
    };
    let (Some(terminal), Some(request)) = (terminal, request) else {
        return lock(register).refund_with(to, approval);
    };
    let refund = Request::Refund {
        amount: request.amount_minor.unsigned_abs(),
        currency: Some(terminal.currency),
    };
    send_and_settle(register, terminal, &request, refund, progress)?
        .ok_or_else(|| AppError::new("card_payment_unknown", "the card refund was answered before"))
}

/// Sends a payment or refund already recorded as pending, and records what became of it: the
/// answer, or what the terminal says when asked after a lost answer. A request the terminal
/// refused, or could not be reached for, moved no money and is recorded as declined.
fn send_and_settle(
    register: &dyn Hold,
    terminal: &CardTerminal,
    request: &CardRequest,
    command: Request,
    progress: Progress<'_>,
) -> AppResult<Option<Committed>> {
    match terminal.run(command, PAY_TIMEOUT, progress) {
        Ok(Ran::Reply(Reply::Outcome(outcome))) => {
            settle_outcome(register, terminal, request, outcome, progress)
        }
        Ok(Ran::Reply(Reply::Recovery(_)) | Ran::NoAnswer(_)) => {
            recover_one(register, terminal, request, progress)
        }
        Err(error) => {
            let answer = TerminalAnswer::Declined {
                code: error.code.to_owned(),
                message: error.detail.clone(),
            };
            let _ = finish(register, request, answer);
            Err(error)
        }
    }
}

/// Records the terminal's answer to a payment or a refund, by its kind.
fn finish(
    register: &dyn Hold,
    request: &CardRequest,
    answer: TerminalAnswer,
) -> AppResult<Option<Committed>> {
    let mut register = lock(register);
    match request.kind.as_str() {
        "refund" => register.finish_card_refund(&request.id, answer),
        _ => register.finish_card_payment(&request.id, answer),
    }
}

fn settle_outcome(
    register: &dyn Hold,
    terminal: &CardTerminal,
    request: &CardRequest,
    outcome: Outcome,
    progress: Progress<'_>,
) -> AppResult<Option<Committed>> {
    let answer = match &outcome.verdict {
        Verdict::Approved if outcome.currency.is_some_and(|c| c != terminal.currency) => {
            return refuse_currency(register, terminal, request, &outcome, progress);
        }
        Verdict::Approved => approved(&outcome),
        Verdict::Declined(code) | Verdict::Aborted(code) => TerminalAnswer::Declined {
            code: code.code().to_owned(),
            message: code.description().to_owned(),
        },
        Verdict::Unknown(_) => {
            let request = CardRequest {
                receipt_no: outcome.reference.receipt_no.map(i64::from),
                ..request.clone()
            };
            return recover_one(register, terminal, &request, progress);
        }
    };
    match finish(register, request, answer) {
        Err(error) if error.code == "card_to_reverse_now" => {
            reverse(register, terminal, &request.id, outcome.reference.receipt_no, progress)?;
            Err(error)
        }
        other => other,
    }
}

/// A terminal that approved in another currency than the store's: a payment is reversed at
/// once (the customer was charged in the wrong money); a refund is recorded as not made, for
/// IT to check on the terminal's journal. Either way the cashier is told why.
fn refuse_currency(
    register: &dyn Hold,
    terminal: &CardTerminal,
    request: &CardRequest,
    outcome: &Outcome,
    progress: Progress<'_>,
) -> AppResult<Option<Committed>> {
    let named = outcome.currency.map_or_else(String::new, |c| format!("{c:03}"));
    let detail = format!(
        "the terminal answered in currency {named}, the store sells in {:03} ({})",
        terminal.currency, request.currency
    );
    tracing::error!(card = %request.id, kind = %request.kind, %detail, "card terminal currency");
    let receipt_no = outcome.reference.receipt_no;
    if request.kind == "refund" {
        let answer = TerminalAnswer::Declined {
            code: "card_wrong_currency".to_owned(),
            message: detail.clone(),
        };
        let _ = finish(register, request, answer);
        return Err(AppError::new("card_wrong_currency", detail));
    }
    lock(register).reverse_refused_payment(&request.id, receipt_no.map(i64::from), &detail)?;
    match reverse(register, terminal, &request.id, receipt_no, progress) {
        Ok(()) => Err(AppError::new("card_wrong_currency", detail)),
        Err(error) => Err(error),
    }
}

fn approved(outcome: &Outcome) -> TerminalAnswer {
    let r = &outcome.reference;
    let mut reference = Vec::new();
    if let Some(tid) = &r.terminal_id {
        reference.push(format!("TID {tid}"));
    }
    if let Some(trace) = r.trace {
        reference.push(format!("TRACE {trace:06}"));
    }
    if let Some(receipt) = r.receipt_no {
        reference.push(format!("RCPT {receipt:04}"));
    }
    TerminalAnswer::Approved {
        reference: reference.join(" "),
        receipt_no: r.receipt_no.map(i64::from),
        slip: CardSlip {
            brand: outcome.card_brand.clone(),
            masked_pan: outcome.card_number.as_ref().map(|pan| pan.as_str().to_owned()),
            terminal_id: r.terminal_id.clone(),
            receipt: outcome.receipt.clone(),
        },
    }
}

/// Asks the terminal what became of one pending payment and records it.
fn recover_one(
    register: &dyn Hold,
    terminal: &CardTerminal,
    request: &CardRequest,
    progress: Progress<'_>,
) -> AppResult<Option<Committed>> {
    let intent = Intent {
        id: request.id.clone(),
        amount: request.amount_minor.unsigned_abs(),
        receipt_no: request.receipt_no.and_then(|n| u16::try_from(n).ok()),
        previous_receipt_no: request.previous_receipt_no.and_then(|n| u16::try_from(n).ok()),
    };
    let pending = || AppError::new("card_payment_pending", request.amount.clone());
    let recovery = match terminal.run(Request::Recover(intent), ADMIN_TIMEOUT, progress) {
        Ok(Ran::Reply(Reply::Recovery(recovery))) => recovery,
        Ok(_) | Err(_) => return Err(pending()),
    };
    tracing::info!(card = %request.id, kind = %request.kind, recovery = recovery.code(), "card payment recovered");
    match recovery {
        Recovery::Approved(outcome) => {
            let outcome = Outcome { verdict: Verdict::Approved, ..outcome };
            settle_outcome(register, terminal, request, outcome, progress)
        }
        Recovery::NotCharged(_) => finish(register, request, TerminalAnswer::NotCharged),
        Recovery::Unreachable(_) | Recovery::Unclear(_) => Err(pending()),
    }
}

/// Sends the reversal of an approved payment recorded as reversing, and records the answer.
fn reverse(
    register: &dyn Hold,
    terminal: &CardTerminal,
    id: &str,
    receipt_no: Option<u16>,
    progress: Progress<'_>,
) -> AppResult<()> {
    let Some(receipt_no) = receipt_no else {
        return Err(AppError::new(
            "card_reversal_refused",
            "the terminal gave no receipt number to reverse: reverse it on the terminal",
        ));
    };
    let reversed = match terminal.run(Request::Reverse { receipt_no }, PAY_TIMEOUT, progress)? {
        Ran::Reply(Reply::Outcome(outcome)) => {
            // The reversal is the terminal's last transaction now: a later payment whose
            // answer is lost must not take its receipt (a Storno of the same amount) for an
            // approval of its own.
            if let Some(reversal) = outcome.reference.receipt_no {
                lock(register).note_terminal_receipt(i64::from(reversal))?;
            }
            match outcome.verdict {
                Verdict::Approved => true,
                Verdict::Declined(_) | Verdict::Aborted(_) => false,
                Verdict::Unknown(_) => return Err(AppError::new("terminal_offline", "reversal")),
            }
        }
        _ => return Err(AppError::new("terminal_offline", "reversal")),
    };
    lock(register).finish_card_reversal(id, reversed)
}

/// Reverses an approved card tender of the sale in progress (before a void).
pub fn reverse_card_payment(
    register: &dyn Hold,
    terminal: &CardTerminal,
    reference: &str,
    progress: Progress<'_>,
) -> AppResult<()> {
    let request = lock(register).begin_card_reversal(reference)?;
    let receipt_no = request.receipt_no.and_then(|n| u16::try_from(n).ok());
    reverse(register, terminal, &request.id, receipt_no, progress)
}

/// What recovery found for one payment.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Recovered {
    pub id: String,
    /// `payment` or `refund`.
    pub kind: String,
    pub amount: String,
    /// A payment: `approved` (its sale is recorded or its tender is in the cart), `reversed`,
    /// `not_charged`; a refund: `refunded` (its return is recorded) or `not_refunded`; or
    /// `pending` (the terminal could not say: ask again).
    pub outcome: &'static str,
    pub message: Option<String>,
}

/// Asks the terminal about every payment the register has not settled (after a restart, a
/// timeout): each ends approved, reversed or not charged, or stays pending if the terminal
/// cannot say. Never charges again.
pub fn recover_card_payments(
    register: &dyn Hold,
    terminal: &CardTerminal,
    progress: Progress<'_>,
) -> AppResult<Vec<Recovered>> {
    let unsettled = lock(register).unsettled_card_payments()?;
    let mut found = Vec::new();
    for request in unsettled {
        let result = match request.state {
            "reversing" => {
                let receipt_no = request.receipt_no.and_then(|n| u16::try_from(n).ok());
                reverse(register, terminal, &request.id, receipt_no, progress).map(|()| None)
            }
            _ => recover_one(register, terminal, &request, progress),
        };
        let refund = request.kind == "refund";
        let (outcome, message) = match result {
            Ok(_) => match request.state {
                "reversing" => ("reversed", None),
                _ if refund => ("refunded", None),
                _ => ("approved", None),
            },
            Err(error) => match error.code {
                "card_to_reverse_now" => ("reversed", None),
                "card_not_charged" | "card_declined" | "card_aborted" => ("not_charged", None),
                "card_not_refunded" | "card_refund_declined" => ("not_refunded", None),
                "card_wrong_currency" if refund => ("not_refunded", Some(error.detail.clone())),
                "card_wrong_currency" => ("reversed", Some(error.detail.clone())),
                _ => ("pending", Some(error.detail.clone())),
            },
        };
        found.push(Recovered {
            id: request.id,
            kind: request.kind,
            amount: request.amount,
            outcome,
            message,
        });
    }
    Ok(found)
}
