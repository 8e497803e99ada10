//! The terminal simulator behind `comptoir-zvt-sim`: a ZVT terminal with test cards, speaking
//! the real protocol over TCP and over a pseudo-terminal, with fault scripts (approve, decline
//! with a result code, time out, user abort, drop the connection after the status information,
//! answer slowly, send a whole card number). It remembers its transactions for repeat receipt
//! and reversal, and writes every charge, reversal and refund to a journal file, so tests can
//! count charges.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::apdu::{Apdu, parse_apdu};
use crate::bmp::{Field, encode_bcd, encode_lllvar, encode_llvar, parse_bmps};
use crate::cards::{self, TestCard};
use crate::messages::{ACK, negative_ack, terminal};
use crate::transport::{Link, LinkError, SerialLink, TcpLink};

/// What the simulator does with the next payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Approve,
    /// Decline with this result code.
    Decline(u8),
    /// Acknowledge the payment, then never answer again.
    Timeout,
    /// The customer presses abort (result code 6C).
    UserAbort,
    /// Charge the card, send the status information, then drop the connection (on a serial
    /// line: fall silent) before the receipt and the completion.
    DropAfterStatus,
    /// Approve, waiting this long before each message.
    Slow(Duration),
    /// Approve, but send the whole card number in BMP 22, the additional text and the receipt,
    /// as no terminal should: the register must mask it.
    LeakPan,
    /// Approve, but name this currency (ISO 4217 number) in the answer whatever was asked, as
    /// a terminal set up for another country would: the register must not keep it.
    AnswerCurrency(u16),
}

/// A fault script: `approve`, `decline` or `decline:05`, `timeout`, `user-abort`,
/// `drop-after-status`, `slow` or `slow:2000` (ms), `leak-pan`, `answer-currency:978`; then
/// `card=NAME` if not visa.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Script {
    pub fault: Fault,
    pub card: &'static TestCard,
}

impl Script {
    pub fn parse(text: &str) -> Result<Script, String> {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .ok_or("an empty script")?;
        let mut words = line.split_whitespace();
        let fault = parse_fault(words.next().unwrap_or_default())?;
        let mut card = &cards::TEST_CARDS[0];
        for word in words {
            let Some(name) = word.strip_prefix("card=") else {
                return Err(format!("{word:?}: after the fault comes card=NAME"));
            };
            card = cards::find(name).ok_or_else(|| {
                let names: Vec<&str> = cards::TEST_CARDS.iter().map(|c| c.name).collect();
                format!("{name:?} is no test card ({})", names.join(", "))
            })?;
        }
        Ok(Script { fault, card })
    }
}

fn parse_fault(word: &str) -> Result<Fault, String> {
    let (name, arg) = word.split_once(':').map_or((word, None), |(n, a)| (n, Some(a)));
    Ok(match (name, arg) {
        ("approve", None) => Fault::Approve,
        ("decline", None) => Fault::Decline(0x05),
        ("decline", Some(code)) => Fault::Decline(
            u8::from_str_radix(code, 16).map_err(|_| format!("{code:?} is no hex result code"))?,
        ),
        ("timeout", None) => Fault::Timeout,
        ("user-abort", None) => Fault::UserAbort,
        ("drop-after-status", None) => Fault::DropAfterStatus,
        ("slow", None) => Fault::Slow(Duration::from_millis(2000)),
        ("slow", Some(ms)) => Fault::Slow(Duration::from_millis(
            ms.parse().map_err(|_| format!("{ms:?} is no number of milliseconds"))?,
        )),
        ("leak-pan", None) => Fault::LeakPan,
        ("answer-currency", Some(number)) => Fault::AnswerCurrency(
            number
                .parse()
                .ok()
                .filter(|n| (1..=999).contains(n))
                .ok_or_else(|| format!("{number:?} is no ISO 4217 currency number"))?,
        ),
        _ => {
            return Err(format!(
                "{word:?}: a fault is approve, decline[:CODE], timeout, user-abort, drop-after-status, slow[:MS], leak-pan or answer-currency:NUMBER"
            ));
        }
    })
}

/// The simulator's settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The script when no script file says otherwise.
    pub script: Script,
    /// Read again before every transaction; its first line is the script.
    pub script_file: Option<PathBuf>,
    /// Where charges, reversals and refunds are written, one line each.
    pub journal: Option<PathBuf>,
    pub terminal_id: u32,
    /// The pause between the messages of a transaction.
    pub step_delay: Duration,
    /// The ISO 4217 number of the one currency the terminal takes; a payment or refund naming
    /// another is refused with result code 6F (wrong currency). `None`: it takes the currency
    /// each request names (EUR when none does).
    pub currency: Option<u16>,
    /// The timeout byte of its intermediate statuses (how many seconds it waits at each
    /// step); `None` sends none.
    pub status_timeout: Option<u8>,
}

/// The currency a simulated transaction is in when the request names none.
const EUR: u16 = 978;

#[derive(Debug, Clone, Copy)]
struct Txn {
    kind: &'static str,
    amount: u64,
    trace: u32,
    receipt_no: u16,
    card: &'static TestCard,
    currency: u16,
    reversed: bool,
}

/// What came of one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Done,
    /// The fault script says the connection drops now.
    Drop,
}

/// The simulated terminal's state.
pub struct Terminal {
    config: SimConfig,
    trace: u32,
    receipt_no: u16,
    receipts: Vec<Txn>,
    day_total: i64,
    aborted: bool,
}

/// How long the terminal waits for the register's `80 00 00`.
const ACK_WAIT: Duration = Duration::from_secs(5);

impl Terminal {
    pub fn new(config: SimConfig) -> Terminal {
        Terminal {
            config,
            trace: 0,
            receipt_no: 0,
            receipts: Vec::new(),
            day_total: 0,
            aborted: false,
        }
    }

    fn script(&self) -> Script {
        let Some(path) = &self.config.script_file else { return self.config.script };
        let Ok(text) = std::fs::read_to_string(path) else { return self.config.script };
        if text.trim().is_empty() {
            return self.config.script;
        }
        Script::parse(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, path = %path.display(), "script file not understood: using --script");
            self.config.script
        })
    }

    fn journal(&self, line: &str) {
        tracing::info!(event = line, "simulated terminal");
        let Some(path) = &self.config.journal else { return };
        let written = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| writeln!(file, "{line}"));
        if let Err(error) = written {
            tracing::error!(%error, path = %path.display(), "cannot write the journal");
        }
    }

    /// Runs the command in `bytes` (one APDU from the register).
    pub fn handle(&mut self, bytes: &[u8], link: &mut dyn Link) -> Result<Step, LinkError> {
        self.aborted = false;
        let Ok(apdu) = parse_apdu(bytes) else {
            link.send(&negative_ack(0x9A))?;
            return Ok(Step::Done);
        };
        tracing::debug!(?apdu, "command from the register");
        match apdu.control() {
            [0x80, 0x00] | [0x84, _] => Ok(Step::Done),
            [0x06, 0x00] => self.registration(link),
            [0x06, 0x01] => self.authorization(&apdu, link),
            [0x06, 0x20] => self.repeat_receipt(link),
            [0x06, 0x30] => self.reversal(&apdu, link),
            [0x06, 0x31] => self.refund(&apdu, link),
            [0x06, 0x50] => self.end_of_day(link),
            [0x06, 0x70] => self.diagnosis(link),
            [0x05, 0x01] => self.status_enquiry(link),
            [0x06, 0xB0] | [0x06, 0x02] => {
                link.send(&ACK)?;
                Ok(Step::Done)
            }
            _ => {
                link.send(&negative_ack(0x83))?;
                Ok(Step::Done)
            }
        }
    }

    /// Sends a message and waits for the register's acknowledgement; an abort from the
    /// register meanwhile is acknowledged and remembered.
    fn tell(&mut self, link: &mut dyn Link, apdu: Apdu) -> Result<(), LinkError> {
        let bytes = apdu.encode().map_err(LinkError::Garbled)?;
        link.send(&bytes)?;
        let deadline = Instant::now() + ACK_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(LinkError::Timeout);
            }
            let answer = link.recv(left)?;
            match answer.get(..2) {
                Some([0x80, 0x00]) => return Ok(()),
                Some([0x06, 0xB0]) => {
                    link.send(&ACK)?;
                    self.aborted = true;
                }
                _ => tracing::debug!("unexpected message while waiting for an acknowledgement"),
            }
        }
    }

    /// Waits `delay`, listening for an abort from the register; true when it came.
    fn pause(&mut self, link: &mut dyn Link, delay: Duration) -> Result<bool, LinkError> {
        let deadline = Instant::now() + delay;
        while !self.aborted {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match link.recv(left) {
                Ok(answer) if answer.get(..2) == Some(&[0x06, 0xB0]) => {
                    link.send(&ACK)?;
                    self.aborted = true;
                }
                Ok(_) | Err(LinkError::Timeout) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(self.aborted)
    }

    fn abort(&mut self, link: &mut dyn Link, code: u8, why: &str) -> Result<Step, LinkError> {
        self.journal(&format!("abort code={code:02X} {why}"));
        self.tell(link, terminal::abort(code))?;
        Ok(Step::Done)
    }

    fn registration(&mut self, link: &mut dyn Link) -> Result<Step, LinkError> {
        link.send(&ACK)?;
        let mut bmps = vec![0x19, 0x00, 0x29];
        bmps.extend(crate::bcd::encode(u64::from(self.config.terminal_id), 4).unwrap_or_default());
        bmps.extend(
            encode_bcd(0x49, u64::from(self.config.currency.unwrap_or(EUR)), 2).unwrap_or_default(),
        );
        self.tell(link, terminal::completion(bmps))?;
        Ok(Step::Done)
    }

    fn authorization(&mut self, apdu: &Apdu, link: &mut dyn Link) -> Result<Step, LinkError> {
        let Some(amount) = amount_of(&apdu.data) else {
            link.send(&negative_ack(0x9A))?;
            return Ok(Step::Done);
        };
        self.transaction("payment", amount, currency_of(&apdu.data), link)
    }

    /// A payment or a refund, as the fault script says it goes.
    fn transaction(
        &mut self,
        kind: &'static str,
        amount: u64,
        asked: Option<u16>,
        link: &mut dyn Link,
    ) -> Result<Step, LinkError> {
        link.send(&ACK)?;
        let currency = asked.or(self.config.currency).unwrap_or(EUR);
        if self.config.currency.is_some_and(|taken| taken != currency) {
            return self.abort(link, 0x6F, &format!("wrong currency {currency:03}"));
        }
        let script = self.script();
        let delay = match script.fault {
            Fault::Slow(delay) => delay,
            _ => self.config.step_delay,
        };
        if script.fault == Fault::Timeout {
            // It asks for the card, then is never heard of again.
            self.tell(link, self.intermediate_status(0x0A))?;
            return hang(link);
        }
        for status in [0x0A, 0x01, 0x04] {
            self.tell(link, self.intermediate_status(status))?;
            if self.pause(link, delay)? {
                return self.abort(link, 0x6C, "by the register");
            }
            if script.fault == Fault::UserAbort {
                return self.abort(link, 0x6C, "by the customer");
            }
        }
        if let Fault::Decline(code) = script.fault {
            self.trace += 1;
            let mut info = vec![0x27, code];
            info.extend(encode_bcd(0x04, amount, 6).unwrap_or_default());
            info.extend(encode_bcd(0x0B, u64::from(self.trace), 3).unwrap_or_default());
            info.extend([0x8A, script.card.card_type]);
            self.tell(link, Apdu::new(0x04, 0x0F, info))?;
            return self.abort(link, code, "declined");
        }
        let named = match script.fault {
            Fault::AnswerCurrency(other) => other,
            _ => currency,
        };
        let txn = self.book(kind, amount, script.card, named);
        let leak = script.fault == Fault::LeakPan;
        self.tell(link, self.status_information(&txn, leak))?;
        if script.fault == Fault::DropAfterStatus {
            tracing::info!("fault script: dropping the connection after the status information");
            return Ok(Step::Drop);
        }
        let title = match kind {
            "payment" => "KUNDENBELEG",
            _ => "GUTSCHRIFT",
        };
        for line in self.receipt(&txn, title, leak) {
            self.pause(link, delay / 4)?;
            self.tell(link, terminal::print_line(&line))?;
        }
        self.tell(link, terminal::completion(Vec::new()))?;
        Ok(Step::Done)
    }

    fn intermediate_status(&self, code: u8) -> Apdu {
        match self.config.status_timeout {
            Some(seconds) => terminal::intermediate_status_waiting(code, seconds),
            None => terminal::intermediate_status(code),
        }
    }

    fn book(
        &mut self,
        kind: &'static str,
        amount: u64,
        card: &'static TestCard,
        currency: u16,
    ) -> Txn {
        self.trace += 1;
        self.receipt_no = self.receipt_no % 9999 + 1;
        let txn = Txn {
            kind,
            amount,
            trace: self.trace,
            receipt_no: self.receipt_no,
            card,
            currency,
            reversed: false,
        };
        self.receipts.push(txn);
        let sign = if kind == "payment" { 1 } else { -1 };
        self.day_total += sign * amount as i64;
        let verb = match kind {
            "payment" => "charge",
            other => other,
        };
        self.journal(&format!(
            "{verb} trace={} receipt={} amount={amount} card={}",
            txn.trace, txn.receipt_no, card.name
        ));
        txn
    }

    fn status_information(&self, txn: &Txn, leak: bool) -> Apdu {
        let mut info = vec![0x27, 0x00];
        info.extend(encode_bcd(0x04, txn.amount, 6).unwrap_or_default());
        info.extend(encode_bcd(0x0B, u64::from(txn.trace), 3).unwrap_or_default());
        info.extend(encode_bcd(0x0C, u64::from(time_of_day()), 3).unwrap_or_default());
        info.extend(encode_bcd(0x0E, u64::from(txn.card.expiry), 2).unwrap_or_default());
        let pan = if leak { txn.card.full_bcd() } else { txn.card.masked_bcd() };
        info.extend(encode_llvar(0x22, &pan));
        info.push(0x29);
        info.extend(crate::bcd::encode(u64::from(self.config.terminal_id), 4).unwrap_or_default());
        info.extend(encode_bcd(0x49, u64::from(txn.currency), 2).unwrap_or_default());
        info.extend(encode_bcd(0x87, u64::from(txn.receipt_no), 2).unwrap_or_default());
        info.extend([0x8A, txn.card.card_type]);
        info.extend(encode_llvar(0x8B, txn.card.brand.as_bytes()));
        if leak {
            info.extend(encode_lllvar(0x3C, format!("PAN {}", txn.card.pan).as_bytes()));
        }
        Apdu::new(0x04, 0x0F, info)
    }

    fn receipt(&self, txn: &Txn, title: &str, leak: bool) -> Vec<String> {
        let number = if leak { txn.card.pan.to_owned() } else { txn.card.masked() };
        vec![
            format!("      {title}"),
            "Comptoir Testterminal".to_owned(),
            format!("Terminal-ID: {:08}", self.config.terminal_id),
            format!("Trace-Nr: {:06}   Beleg: {:04}", txn.trace, txn.receipt_no),
            match txn.kind {
                "payment" => "Zahlung".to_owned(),
                "refund" => "Gutschrift".to_owned(),
                _ => "Storno".to_owned(),
            },
            txn.card.brand.to_owned(),
            format!("Karte: {number}"),
            format!(
                "Betrag: {} {},{:02}",
                currency_name(txn.currency),
                txn.amount / 100,
                txn.amount % 100
            ),
            "Zahlung erfolgt".to_owned(),
        ]
    }

    fn repeat_receipt(&mut self, link: &mut dyn Link) -> Result<Step, LinkError> {
        link.send(&ACK)?;
        let Some(txn) = self.receipts.last().copied() else {
            return self.abort(link, 0x83, "nothing to repeat");
        };
        self.tell(link, self.status_information(&txn, false))?;
        for line in self.receipt(&txn, "** KOPIE **", false) {
            self.tell(link, terminal::print_line(&line))?;
        }
        self.tell(link, terminal::completion(Vec::new()))?;
        Ok(Step::Done)
    }

    fn reversal(&mut self, apdu: &Apdu, link: &mut dyn Link) -> Result<Step, LinkError> {
        let receipt =
            apdu.data.get(3..).and_then(|bmps| parse_bmps(bmps).ok()).and_then(|fields| {
                fields.iter().find_map(|f| match f {
                    Field::ReceiptNo(n) => Some(*n),
                    _ => None,
                })
            });
        let Some(receipt) = receipt else {
            link.send(&negative_ack(0x9A))?;
            return Ok(Step::Done);
        };
        link.send(&ACK)?;
        let found =
            self.receipts.iter().position(|t| t.kind == "payment" && t.receipt_no == receipt);
        let Some(index) = found else {
            return self.abort(link, 0xB5, "reversal of an unknown receipt");
        };
        if self.receipts[index].reversed {
            return self.abort(link, 0xB4, "already reversed");
        }
        self.receipts[index].reversed = true;
        let original = self.receipts[index];
        self.journal(&format!("reverse receipt={receipt} amount={}", original.amount));
        let txn = self.book("reversal", original.amount, original.card, original.currency);
        self.tell(link, self.status_information(&txn, false))?;
        for line in self.receipt(&txn, "STORNO", false) {
            self.tell(link, terminal::print_line(&line))?;
        }
        self.tell(link, terminal::completion(Vec::new()))?;
        Ok(Step::Done)
    }

    fn refund(&mut self, apdu: &Apdu, link: &mut dyn Link) -> Result<Step, LinkError> {
        let bmps = apdu.data.get(3..).unwrap_or_default();
        let Some(amount) = amount_of(bmps) else {
            link.send(&negative_ack(0x9A))?;
            return Ok(Step::Done);
        };
        self.transaction("refund", amount, currency_of(bmps), link)
    }

    fn end_of_day(&mut self, link: &mut dyn Link) -> Result<Step, LinkError> {
        link.send(&ACK)?;
        let total = self.day_total.max(0) as u64;
        self.trace += 1;
        let mut info = vec![0x27, 0x00];
        info.extend(encode_bcd(0x04, total, 6).unwrap_or_default());
        info.extend(encode_bcd(0x0B, u64::from(self.trace), 3).unwrap_or_default());
        self.tell(link, Apdu::new(0x04, 0x0F, info))?;
        for line in [
            "      KASSENSCHNITT".to_owned(),
            format!("Summe: EUR {},{:02}", total / 100, total % 100),
        ] {
            self.tell(link, terminal::print_line(&line))?;
        }
        self.journal(&format!("end-of-day total={total}"));
        self.day_total = 0;
        self.tell(link, terminal::completion(Vec::new()))?;
        Ok(Step::Done)
    }

    fn diagnosis(&mut self, link: &mut dyn Link) -> Result<Step, LinkError> {
        link.send(&ACK)?;
        self.tell(link, terminal::intermediate_status(0xD2))?;
        let lines = ["      DIAGNOSE".to_owned(), "Verbindung zum Rechenzentrum: OK".to_owned()];
        self.tell(link, terminal::print_text_block(&lines))?;
        self.tell(link, terminal::completion(vec![0x27, 0x00]))?;
        Ok(Step::Done)
    }

    fn status_enquiry(&mut self, link: &mut dyn Link) -> Result<Step, LinkError> {
        link.send(&ACK)?;
        let software = concat!("comptoir-zvt-sim ", env!("CARGO_PKG_VERSION"));
        self.tell(link, terminal::status_completion(software, 0x00))?;
        Ok(Step::Done)
    }
}

fn amount_of(bmps: &[u8]) -> Option<u64> {
    parse_bmps(bmps).ok()?.iter().find_map(|f| match f {
        Field::Amount(amount) => Some(*amount),
        _ => None,
    })
}

fn currency_of(bmps: &[u8]) -> Option<u16> {
    parse_bmps(bmps).ok()?.iter().find_map(|f| match f {
        Field::Currency(currency) => Some(*currency),
        _ => None,
    })
}

/// The currency's letters on the simulated receipt.
fn currency_name(number: u16) -> String {
    let name = match number {
        978 => "EUR",
        756 => "CHF",
        826 => "GBP",
        124 => "CAD",
        840 => "USD",
        _ => return format!("{number:03}"),
    };
    name.to_owned()
}

fn time_of_day() -> u32 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) % 86_400;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    (h * 10_000 + m * 100 + s) as u32
}

/// The terminal hangs: it reads and ignores everything until the link closes.
fn hang(link: &mut dyn Link) -> Result<Step, LinkError> {
    tracing::info!("fault script: the terminal stops answering");
    loop {
        match link.recv(Duration::from_secs(1)) {
            Ok(_) | Err(LinkError::Timeout) => {}
            Err(error) => return Err(error),
        }
    }
}

fn lock(terminal: &Mutex<Terminal>) -> std::sync::MutexGuard<'_, Terminal> {
    terminal.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Serves registers connecting to `listener`, one at a time.
pub fn serve_tcp(listener: std::net::TcpListener, terminal: Arc<Mutex<Terminal>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let Ok(mut link) = TcpLink::from_stream(stream) else { continue };
        tracing::info!(peer = %link.describe(), "register connected");
        loop {
            let bytes = match link.recv(Duration::from_millis(500)) {
                Ok(bytes) => bytes,
                Err(LinkError::Timeout) => continue,
                Err(_) => break,
            };
            match lock(&terminal).handle(&bytes, &mut link) {
                Ok(Step::Done) => {}
                Ok(Step::Drop) => {
                    link.shutdown();
                    break;
                }
                Err(error) => {
                    tracing::info!(%error, "register gone");
                    break;
                }
            }
        }
    }
}

/// Serves the register on the far end of a pseudo-terminal (or a serial port). A serial line
/// cannot be dropped: where a script drops the connection, the terminal falls silent.
pub fn serve_serial(port: Box<dyn serialport::SerialPort>, terminal: Arc<Mutex<Terminal>>) {
    let mut link = SerialLink::new(port);
    loop {
        let bytes = match link.recv(Duration::from_millis(500)) {
            Ok(bytes) => bytes,
            Err(LinkError::Timeout) => continue,
            Err(LinkError::Closed) => {
                link.clear();
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(error) => {
                tracing::debug!(%error, "serial line");
                link.clear();
                continue;
            }
        };
        match lock(&terminal).handle(&bytes, &mut link) {
            Ok(Step::Done) => {}
            Ok(Step::Drop) | Err(_) => link.clear(),
        }
    }
}
