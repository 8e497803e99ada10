//! The register's side of one ZVT transaction: send the command, acknowledge every message of
//! the terminal with `80 00 00`, collect its receipt lines, its intermediate statuses (for the
//! cashier's screen) and its status information, until the completion or the abort. Each step
//! has a timeout; the register may abort from its side. And [`Client::recover`], which asks the
//! terminal what became of a payment whose answer was lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::codes::ResultCode;
use crate::error::ZvtError;
use crate::messages::{
    ACK, Completion, Password, StatusInformation, TerminalMessage, command, parse_message,
};
use crate::outcome::{Outcome, Reference, Verdict};
use crate::pan::scrub_pan;
use crate::transport::{Link, LinkError};
use crate::{ParseError, apdu::Apdu};

/// How often a waiting client looks at its abort flag.
const POLL: Duration = Duration::from_millis(100);

/// Settings of the register's side.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The terminal's password.
    pub password: Password,
    /// The ISO 4217 currency number sent with amounts (978, EUR).
    pub currency: u16,
    /// How long to wait for the terminal's `80 00 00` to a command.
    pub ack_timeout: Duration,
    /// How long to wait for the terminal's next message during a transaction (the customer
    /// inserts the card and types the PIN meanwhile). After an intermediate status that gives
    /// its own timeout (how long the terminal itself waits at that step), the client waits
    /// that long instead, and `ack_timeout` more for the terminal's next message.
    pub step_timeout: Duration,
    /// The registration's config byte (receipt printing by the register, etc.).
    pub registration_config: u8,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            password: Password::default(),
            currency: 978,
            ack_timeout: Duration::from_secs(5),
            step_timeout: Duration::from_secs(120),
            // Bits 1 and 2: the register prints the payment and administration receipts (the
            // terminal sends them as print lines); bit 3: the terminal sends intermediate
            // statuses.
            registration_config: 0x0E,
        }
    }
}

/// A command to the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Register,
    /// Authorization of `amount` cents.
    Pay {
        amount: u64,
        currency: Option<u16>,
    },
    Refund {
        amount: u64,
        currency: Option<u16>,
    },
    /// Reversal of the payment with this receipt number.
    Reverse {
        receipt_no: u16,
    },
    EndOfDay,
    Diagnosis,
    StatusEnquiry,
    RepeatReceipt,
    Abort,
    LogOff,
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Register => "registration",
            Command::Pay { .. } => "authorization",
            Command::Refund { .. } => "refund",
            Command::Reverse { .. } => "reversal",
            Command::EndOfDay => "end of day",
            Command::Diagnosis => "diagnosis",
            Command::StatusEnquiry => "status enquiry",
            Command::RepeatReceipt => "repeat receipt",
            Command::Abort => "abort",
            Command::LogOff => "log off",
        }
    }

    /// Whether the command moves money, so that a lost answer must be recovered.
    pub fn moves_money(&self) -> bool {
        matches!(self, Command::Pay { .. } | Command::Refund { .. } | Command::Reverse { .. })
    }

    fn ends_at_ack(&self) -> bool {
        matches!(self, Command::Abort | Command::LogOff)
    }

    fn amount(&self) -> Option<u64> {
        match self {
            Command::Pay { amount, .. } | Command::Refund { amount, .. } => Some(*amount),
            _ => None,
        }
    }

    pub fn apdu(&self, config: &ClientConfig) -> Result<Apdu, ParseError> {
        let password = config.password;
        let currency = |c: &Option<u16>| Some(c.unwrap_or(config.currency));
        Ok(match self {
            Command::Register => command::registration(
                password,
                config.registration_config,
                Some(config.currency),
                None,
            ),
            Command::Pay { amount, currency: c } => command::authorization(*amount, currency(c))?,
            Command::Refund { amount, currency: c } => {
                command::refund(password, *amount, currency(c))?
            }
            Command::Reverse { receipt_no } => command::reversal(password, *receipt_no)?,
            Command::EndOfDay => command::end_of_day(password),
            Command::Diagnosis => command::diagnosis(),
            Command::StatusEnquiry => command::status_enquiry(password),
            Command::RepeatReceipt => command::repeat_receipt(password),
            Command::Abort => command::abort(),
            Command::LogOff => command::log_off(),
        })
    }
}

/// What the terminal shows along the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// An intermediate status, for the cashier's screen ("insert card", "enter PIN").
    Display(&'a str),
    /// One line of the terminal's receipt, card numbers masked.
    PrintLine(&'a str),
}

/// Aborts the transaction in progress from another thread: the client sends `06 B0` at its
/// next look (within 100 ms) and waits for the terminal's abort.
#[derive(Debug, Clone, Default)]
pub struct AbortHandle(Arc<AtomicBool>);

impl AbortHandle {
    pub fn abort(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }
}

/// A payment the register recorded durably before sending it, for [`Client::recover`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// The register's id for the payment.
    pub id: String,
    pub amount: u64,
    /// The receipt number of this payment, if its status information arrived before the
    /// answer was lost.
    pub receipt_no: Option<u16>,
    /// The receipt number of the last terminal transaction the register saw end before this
    /// payment was sent.
    pub previous_receipt_no: Option<u16>,
}

/// What became of a payment whose answer was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// The terminal's last transaction is this payment, approved: the sale is paid.
    Approved(Outcome),
    /// The payment did not go through: the customer may pay again.
    NotCharged(String),
    /// The terminal could not be asked (offline, busy): ask again later; never charge again
    /// meanwhile.
    Unreachable(String),
    /// The terminal's answer does not say clearly: check the terminal's journal; never charge
    /// again meanwhile.
    Unclear(Option<Outcome>),
}

impl Recovery {
    pub fn code(&self) -> &'static str {
        match self {
            Recovery::Approved(_) => "card_approved",
            Recovery::NotCharged(_) => "card_not_charged",
            Recovery::Unreachable(_) => "terminal_offline",
            Recovery::Unclear(_) => "card_result_unclear",
        }
    }
}

#[derive(Default)]
struct Collected {
    info: StatusInformation,
    receipt: Vec<String>,
    garbled: bool,
}

impl Collected {
    fn merge(&mut self, info: StatusInformation) {
        let old = std::mem::take(&mut self.info);
        self.info = StatusInformation {
            result: info.result.or(old.result),
            amount: info.amount.or(old.amount),
            currency: info.currency.or(old.currency),
            trace: info.trace.or(old.trace),
            original_trace: info.original_trace.or(old.original_trace),
            receipt_no: info.receipt_no.or(old.receipt_no),
            turnover_no: info.turnover_no.or(old.turnover_no),
            terminal_id: info.terminal_id.or(old.terminal_id),
            card_number: info.card_number.or(old.card_number),
            card_type: info.card_type.or(old.card_type),
            card_name: info.card_name.or(old.card_name),
            aid: info.aid.or(old.aid),
            date: info.date.or(old.date),
            time: info.time.or(old.time),
            additional_text: info.additional_text.or(old.additional_text),
            texts: [old.texts, info.texts].concat(),
        };
    }

    fn into_outcome(self, verdict: Verdict, asked: Option<u64>) -> Outcome {
        let brand = self.info.brand();
        let info = self.info;
        Outcome {
            verdict,
            amount: info.amount.or(asked),
            currency: info.currency,
            reference: Reference {
                trace: info.trace,
                receipt_no: info.receipt_no,
                turnover_no: info.turnover_no,
                terminal_id: info.terminal_id,
            },
            card_brand: brand,
            card_number: info.card_number,
            receipt: self.receipt,
            software: None,
        }
    }
}

enum End {
    Completed(Completion),
    Aborted(Option<u8>, StatusInformation),
}

/// The register's side of the protocol, over one link.
pub struct Client<L: Link> {
    link: L,
    config: ClientConfig,
    abort: AbortHandle,
}

impl<L: Link> Client<L> {
    pub fn new(link: L, config: ClientConfig) -> Client<L> {
        Client { link, config, abort: AbortHandle::default() }
    }

    /// Uses `abort` as this client's abort flag (a driver hands one out before it has a link).
    pub fn with_abort(mut self, abort: AbortHandle) -> Client<L> {
        self.abort = abort;
        self
    }

    pub fn abort_handle(&self) -> AbortHandle {
        self.abort.clone()
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn into_link(self) -> L {
        self.link
    }

    /// Runs one command to its end. A payment, refund or reversal whose answer is lost ends
    /// with [`Verdict::Unknown`] (recover it); other commands fail with an error then.
    #[tracing::instrument(skip_all, fields(command = command.name()))]
    pub fn run(
        &mut self,
        command: &Command,
        progress: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Outcome, ZvtError> {
        let apdu =
            command.apdu(&self.config).and_then(|a| a.encode()).map_err(ZvtError::Invalid)?;
        self.abort.take();
        tracing::info!(link = %self.link.describe(), "zvt command sent");
        let mut state = Collected::default();
        if let Err(reason) = self.link.send(&apdu) {
            return self.lost(command, state, reason);
        }
        let mut acked = false;
        let mut abort_sent = false;
        let mut deadline = Instant::now() + self.config.ack_timeout;
        loop {
            if !abort_sent && self.abort.take() {
                tracing::info!("zvt abort sent by the register");
                let abort = [0x06, 0xB0, 0x00];
                if let Err(reason) = self.link.send(&abort) {
                    return self.lost(command, state, reason);
                }
                abort_sent = true;
                deadline = Instant::now() + self.config.ack_timeout.max(self.config.step_timeout);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return self.lost(command, state, LinkError::Timeout);
            }
            let bytes = match self.link.recv(left.min(POLL)) {
                Ok(bytes) => bytes,
                Err(LinkError::Timeout) => continue,
                Err(reason) => return self.lost(command, state, reason),
            };
            let message = match parse_message(&bytes) {
                Ok(message) => message,
                Err(error) => {
                    tracing::warn!(%error, "zvt message from the terminal not understood");
                    state.garbled = true;
                    if bytes.first().is_some_and(|&c| c != 0x80 && c != 0x84)
                        && let Err(reason) = self.link.send(&ACK)
                    {
                        return self.lost(command, state, reason);
                    }
                    continue;
                }
            };
            match message {
                TerminalMessage::Ack => {
                    if !acked {
                        acked = true;
                        deadline = Instant::now() + self.config.step_timeout;
                        if command.ends_at_ack() {
                            return Ok(Outcome::new(Verdict::Approved));
                        }
                    }
                    continue;
                }
                TerminalMessage::Nack(code) if !acked => {
                    return Err(ZvtError::Refused {
                        command: command.name(),
                        code: ResultCode(code),
                    });
                }
                TerminalMessage::Nack(code) => {
                    tracing::debug!(code, "zvt negative acknowledgement during the transaction");
                    continue;
                }
                _ => {}
            }
            acked = true;
            if let Err(reason) = self.link.send(&ACK) {
                return self.lost(command, state, reason);
            }
            deadline = Instant::now() + self.config.step_timeout;
            match message {
                TerminalMessage::StatusInformation(info) => state.merge(info),
                TerminalMessage::IntermediateStatus { text, timeout, .. } => {
                    if let Some(seconds) = timeout {
                        // The terminal says how long it waits now: a silence longer than that
                        // (and the time its next message takes) is a lost answer.
                        let waits = Duration::from_secs(u64::from(seconds));
                        deadline = Instant::now() + waits + self.config.ack_timeout;
                    }
                    progress(Progress::Display(&scrub_pan(&text)));
                }
                TerminalMessage::PrintLine { text, .. } => {
                    progress(Progress::PrintLine(&text));
                    state.receipt.push(text);
                }
                TerminalMessage::PrintTextBlock { lines } => {
                    for line in lines {
                        progress(Progress::PrintLine(&line));
                        state.receipt.push(line);
                    }
                }
                TerminalMessage::Completion(done) => {
                    return self.finish(command, state, End::Completed(done));
                }
                TerminalMessage::Abort { code, info } => {
                    return self.finish(command, state, End::Aborted(code, info));
                }
                TerminalMessage::Other { class, instr } => {
                    tracing::debug!(class, instr, "zvt message ignored");
                }
                TerminalMessage::Ack | TerminalMessage::Nack(_) => {}
            }
        }
    }

    fn finish(
        &self,
        command: &Command,
        mut state: Collected,
        end: End,
    ) -> Result<Outcome, ZvtError> {
        let mut software = None;
        let verdict = match end {
            End::Completed(done) => {
                state.merge(done.info);
                software = done.software;
                match state.info.result.map(ResultCode) {
                    Some(code) if code.is_abort() => Verdict::Aborted(code),
                    Some(code) if !code.is_success() => Verdict::Declined(code),
                    _ => Verdict::Approved,
                }
            }
            End::Aborted(code, info) => {
                state.merge(info);
                let code = ResultCode(code.or(state.info.result).unwrap_or(0xFF));
                if !command.moves_money() {
                    return Err(ZvtError::Failed { command: command.name(), code });
                }
                if code.is_abort() { Verdict::Aborted(code) } else { Verdict::Declined(code) }
            }
        };
        if state.garbled {
            tracing::warn!("zvt transaction ended after a message that was not understood");
        }
        let mut outcome = state.into_outcome(verdict, command.amount());
        outcome.software = software;
        tracing::info!(code = outcome.code(), receipt_no = ?outcome.reference.receipt_no, "zvt command ended");
        Ok(outcome)
    }

    fn lost(
        &self,
        command: &Command,
        state: Collected,
        reason: LinkError,
    ) -> Result<Outcome, ZvtError> {
        if !command.moves_money() {
            return Err(ZvtError::Lost { command: command.name(), reason });
        }
        tracing::warn!(%reason, "zvt answer lost: the payment must be recovered, not repeated");
        Ok(state.into_outcome(Verdict::Unknown(reason.to_string()), command.amount()))
    }

    /// Finds out what became of a payment whose answer was lost, without charging again.
    /// The decision rule is in the crate's documentation.
    pub fn recover(&mut self, intent: &Intent, progress: &mut dyn FnMut(Progress<'_>)) -> Recovery {
        tracing::info!(intent = %intent.id, "zvt recovery of a lost payment");
        match self.run(&Command::StatusEnquiry, progress) {
            Ok(_) => {}
            Err(error) => return Recovery::Unreachable(error.message()),
        }
        let last = match self.run(&Command::RepeatReceipt, progress) {
            Ok(last) => last,
            Err(error @ (ZvtError::Lost { .. } | ZvtError::Connect { .. })) => {
                return Recovery::Unreachable(error.message());
            }
            Err(ZvtError::Refused { code, .. }) if code.code() == "terminal_busy" => {
                return Recovery::Unreachable(code.message().to_owned());
            }
            Err(error) => {
                tracing::warn!(%error, "zvt repeat receipt refused during recovery");
                return Recovery::Unclear(None);
            }
        };
        decide(intent, last)
    }
}

/// The recovery's decision, from the terminal's last transaction as repeat receipt shows it.
fn decide(intent: &Intent, last: Outcome) -> Recovery {
    let receipt = last.reference.receipt_no;
    if intent.receipt_no.is_none() && receipt.is_some() && receipt == intent.previous_receipt_no {
        return Recovery::NotCharged(
            "the terminal's last transaction is the one before this payment".to_owned(),
        );
    }
    let ours = match intent.receipt_no {
        Some(known) => receipt == Some(known),
        None => receipt.is_some(),
    };
    if !ours || last.amount != Some(intent.amount) {
        return Recovery::Unclear(Some(last));
    }
    match last.verdict {
        Verdict::Approved => Recovery::Approved(last),
        Verdict::Declined(code) | Verdict::Aborted(code) => {
            Recovery::NotCharged(format!("the terminal did not approve it: {}", code.description()))
        }
        Verdict::Unknown(_) => Recovery::Unclear(Some(last)),
    }
}
