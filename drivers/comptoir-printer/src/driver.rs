//! The receipt printer and its cash drawer as a `comptoir_device` driver: any transport
//! behind it, jobs printed once, status changes as events the cashier reads, and every
//! drawer opening returned as a record the register writes to its ledger.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use comptoir_device::{DeviceError, DeviceKind, Driver, ErrorCode, Events, Health};

use crate::commands::{DrawerConfig, Pin, drawer_kick, realtime_pulse};
use crate::error::PrintError;
use crate::status::{Paper, PrinterStatus};
use crate::transport::{Job, Transport};

/// How the drawer on the printer's connector is driven and watched. Drawers differ: every
/// field is a register setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawerSettings {
    /// The queued pulse (`ESC p`): pin and on/off times.
    pub pulse: DrawerConfig,
    /// The real-time pulse (`DLE DC4 1`), on and off for this long (100 to 800 ms).
    pub realtime_ms: u16,
    /// Whether this printer model runs `DLE DC4 1` while in error (paper out, cover open):
    /// a TM-T88 does, some models do not. When off, no drawer opens while in error.
    pub realtime_in_error: bool,
    /// Whether the sensor (pin 3) reads high while the drawer is open; on some drawers it is
    /// the other way round.
    pub open_when_high: bool,
    /// A "drawer still open" warning after the drawer has been open this long.
    pub warn_open_after: Duration,
}

impl Default for DrawerSettings {
    /// Pin 2 at 50/500 ms, a 200 ms real-time pulse allowed in error, open reads high, a
    /// warning after 30 s.
    fn default() -> DrawerSettings {
        DrawerSettings {
            pulse: DrawerConfig::default(),
            realtime_ms: 200,
            realtime_in_error: true,
            open_when_high: true,
            warn_open_after: Duration::from_secs(30),
        }
    }
}

/// Why the drawer was opened, as the ledger records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpeningReason {
    /// Cash taken or change given for a sale.
    Sale,
    /// Cash given back for a refund.
    Refund,
    /// Opened outside a sale: always audited.
    NoSale,
    /// Paid in or paid out, counted at a shift's end.
    CashMovement,
    /// IT testing the drawer from the setup screen.
    Test,
}

impl OpeningReason {
    pub fn as_str(self) -> &'static str {
        match self {
            OpeningReason::Sale => "sale",
            OpeningReason::Refund => "refund",
            OpeningReason::NoSale => "no_sale",
            OpeningReason::CashMovement => "cash_movement",
            OpeningReason::Test => "test",
        }
    }
}

/// One opening of the drawer, for the register's audit: when, why, for which job, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawerOpening {
    pub at: SystemTime,
    pub reason: OpeningReason,
    /// The print job (or sale) it belongs to, if any.
    pub job_id: Option<String>,
    /// Sent as the real-time pulse, because the printer was in error.
    pub real_time: bool,
    pub pin: Pin,
}

/// What the register asks of the printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterRequest {
    /// Prints a job once: the same id again is answered as printed, never printed twice.
    Print(Job),
    /// Prints a job that opens the drawer (a receipt with `Block::DrawerKick`) and returns
    /// the opening for the audit.
    PrintAndOpen { job: Job, reason: OpeningReason },
    /// Asks the printer's status now.
    Status,
    /// Opens the drawer: the queued pulse when the printer can print, the real-time pulse
    /// when it is in error (paper out, cover open) and the model allows it.
    Kick { reason: OpeningReason, job_id: Option<String> },
    /// Sends the real-time pulse whatever the state.
    RealtimePulse { reason: OpeningReason, job_id: Option<String> },
    /// Starts (or stops) watching the printer between requests: its status back, or a
    /// `DLE EOT` every few seconds, and the drawer's sensor with it.
    Watch(bool),
}

/// The printer's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterReply {
    /// The job is on paper; `duplicate` when it had been printed before and was not again.
    Printed {
        job_id: String,
        duplicate: bool,
        opening: Option<DrawerOpening>,
    },
    Status(PrinterStatus),
    DrawerOpened(DrawerOpening),
    /// The watch is on or off as asked.
    Watching(bool),
}

/// A change the cashier (or the screen's printer badge) should know of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterNotice {
    /// A warning: it still prints.
    PaperNearEnd,
    PaperOut,
    PaperLoaded,
    CoverOpen,
    CoverClosed,
    Offline,
    Online,
    Error,
    ErrorCleared,
    DrawerOpened,
    DrawerClosed,
    /// The drawer has been open longer than [`DrawerSettings::warn_open_after`].
    DrawerStillOpen {
        open_for: Duration,
    },
}

impl PrinterNotice {
    /// The stable code the UI branches on; faults share [`PrintError::code`]'s.
    pub fn code(&self) -> &'static str {
        match self {
            PrinterNotice::PaperNearEnd => "printer_paper_near_end",
            PrinterNotice::PaperOut => "printer_out_of_paper",
            PrinterNotice::PaperLoaded => "printer_paper_ok",
            PrinterNotice::CoverOpen => "printer_cover_open",
            PrinterNotice::CoverClosed => "printer_cover_closed",
            PrinterNotice::Offline => "printer_offline",
            PrinterNotice::Online => "printer_online",
            PrinterNotice::Error => "printer_error",
            PrinterNotice::ErrorCleared => "printer_error_cleared",
            PrinterNotice::DrawerOpened => "drawer_open",
            PrinterNotice::DrawerClosed => "drawer_closed",
            PrinterNotice::DrawerStillOpen { .. } => "drawer_still_open",
        }
    }

    /// What happened and what to do, in the cashier's words.
    pub fn message(&self) -> &'static str {
        match self {
            PrinterNotice::PaperNearEnd => {
                "printer paper running low: it still prints; have a new roll ready"
            }
            PrinterNotice::PaperOut => "printer out of paper: load a roll, then Reprint",
            PrinterNotice::PaperLoaded => "printer paper loaded",
            PrinterNotice::CoverOpen => "printer cover open: close the cover",
            PrinterNotice::CoverClosed => "printer cover closed",
            PrinterNotice::Offline => "printer offline: check that it is switched on and connected",
            PrinterNotice::Online => "printer back online",
            PrinterNotice::Error => "printer error: switch the printer off and on again",
            PrinterNotice::ErrorCleared => "printer error cleared",
            PrinterNotice::DrawerOpened => "cash drawer open",
            PrinterNotice::DrawerClosed => "cash drawer closed",
            PrinterNotice::DrawerStillOpen { .. } => "cash drawer still open: close it",
        }
    }

    /// Whether the notice asks the cashier to do something.
    pub fn needs_action(&self) -> bool {
        matches!(
            self,
            PrinterNotice::PaperNearEnd
                | PrinterNotice::PaperOut
                | PrinterNotice::CoverOpen
                | PrinterNotice::Offline
                | PrinterNotice::Error
                | PrinterNotice::DrawerStillOpen { .. }
        )
    }
}

/// The notices that lead from one status to the next (the drawer is watched separately).
pub fn status_changes(before: &PrinterStatus, after: &PrinterStatus) -> Vec<PrinterNotice> {
    let mut notices = Vec::new();
    if before.paper != after.paper {
        notices.push(match after.paper {
            Paper::Ok => PrinterNotice::PaperLoaded,
            Paper::NearEnd => PrinterNotice::PaperNearEnd,
            Paper::Out => PrinterNotice::PaperOut,
        });
    }
    let pairs = [
        (before.cover_open, after.cover_open, PrinterNotice::CoverOpen, PrinterNotice::CoverClosed),
        (before.error, after.error, PrinterNotice::Error, PrinterNotice::ErrorCleared),
        // Offline caused by the cover or the paper is told by those; only a bare offline is.
        (bare_offline(before), bare_offline(after), PrinterNotice::Offline, PrinterNotice::Online),
    ];
    for (was, is, on, off) in pairs {
        match (was, is) {
            (false, true) => notices.push(on),
            (true, false) => notices.push(off),
            _ => {}
        }
    }
    notices
}

fn bare_offline(status: &PrinterStatus) -> bool {
    !status.online && !status.cover_open && status.paper != Paper::Out && !status.error
}

/// Maps a print failure to the device model's error, keeping the printer's stable code.
pub fn device_error(error: &PrintError) -> DeviceError {
    let kind = match error {
        PrintError::Offline { .. } => ErrorCode::Offline,
        PrintError::DuplicateJob { .. } => ErrorCode::Exists,
        PrintError::Io { .. } | PrintError::BadStatusReply { .. } => ErrorCode::Failure,
        PrintError::OutOfPaper | PrintError::CoverOpen | PrintError::Fault { .. } => {
            ErrorCode::Extended
        }
    };
    DeviceError::extended(kind, error.code(), error.cashier_message()).with_detail(error)
}

/// How many printed job ids the driver remembers, whatever the transport remembers.
const REMEMBERED_JOBS: usize = 1024;

/// A receipt printer with a drawer, over any [`Transport`].
pub struct PrinterDriver {
    name: String,
    transport: Box<dyn Transport + Send>,
    drawer: DrawerSettings,
    /// How often the printer is asked `DLE EOT` when it does not report changes itself.
    status_every: Duration,
    /// Whether the printer is watched between requests (see [`PrinterRequest::Watch`]).
    watching: bool,
    printed: VecDeque<String>,
    last: Option<PrinterStatus>,
    last_query: Option<Instant>,
    reachable: bool,
    drawer_open_since: Option<Instant>,
    warned_open: bool,
    kicks: u64,
    audit: Option<AuditHook>,
}

/// Where each drawer opening goes as it happens (the register's ledger).
type AuditHook = Box<dyn FnMut(&DrawerOpening) + Send>;

impl fmt::Debug for PrinterDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrinterDriver").field("name", &self.name).finish_non_exhaustive()
    }
}

impl PrinterDriver {
    /// `name` says which printer and where, for logs and the setup screen.
    pub fn new(
        name: impl Into<String>,
        transport: Box<dyn Transport + Send>,
        drawer: DrawerSettings,
    ) -> PrinterDriver {
        PrinterDriver {
            name: name.into(),
            transport,
            drawer,
            status_every: Duration::from_secs(2),
            watching: true,
            printed: VecDeque::new(),
            last: None,
            last_query: None,
            reachable: true,
            drawer_open_since: None,
            warned_open: false,
            kicks: 0,
            audit: None,
        }
    }

    /// Polls with `DLE EOT` this often when the transport has no status back (default 2 s).
    pub fn with_status_every(mut self, every: Duration) -> PrinterDriver {
        self.status_every = every;
        self
    }

    /// Whether to watch the printer between requests from the start (default on); a
    /// program that prints and exits turns it off, so it never polls a printer for nothing.
    pub fn with_status_watch(mut self, watching: bool) -> PrinterDriver {
        self.watching = watching;
        self
    }

    /// Calls `audit` with every drawer opening, as it happens: the register's ledger hook.
    pub fn with_audit(mut self, audit: impl FnMut(&DrawerOpening) + Send + 'static) -> Self {
        self.audit = Some(Box::new(audit));
        self
    }

    fn print(&mut self, job: &Job) -> Result<bool, PrintError> {
        if self.printed.contains(&job.id) {
            tracing::info!(job = %job.id, "job printed before: not printed again");
            return Ok(true);
        }
        let duplicate = match self.transport.write_job(job) {
            Ok(()) => false,
            Err(PrintError::DuplicateJob { .. }) => true,
            Err(error) => return Err(error),
        };
        if self.printed.len() == REMEMBERED_JOBS {
            self.printed.pop_front();
        }
        self.printed.push_back(job.id.clone());
        Ok(duplicate)
    }

    fn kick(
        &mut self,
        reason: OpeningReason,
        job_id: Option<String>,
        force_real_time: bool,
    ) -> Result<DrawerOpening, PrintError> {
        let real_time = force_real_time || self.needs_real_time()?;
        if real_time {
            let pulse = realtime_pulse(self.drawer.pulse.pin, self.drawer.realtime_ms);
            self.transport.send_realtime(&pulse)?;
        } else {
            self.kicks += 1;
            let id = format!("drawer-{}-{}", millis(SystemTime::now()), self.kicks);
            self.transport.write_job(&Job::new(id, drawer_kick(&self.drawer.pulse).to_vec()))?;
        }
        Ok(self.opened(reason, job_id, real_time))
    }

    /// Whether the queued pulse would not run: the printer is in error. Offline with no
    /// cause the printer is not there at all, and that error is returned.
    fn needs_real_time(&mut self) -> Result<bool, PrintError> {
        let status = self.transport.status()?;
        self.last = Some(status);
        match status.ready() {
            Ok(()) => Ok(false),
            Err(PrintError::OutOfPaper | PrintError::CoverOpen)
                if self.drawer.realtime_in_error =>
            {
                Ok(true)
            }
            Err(error) => Err(error),
        }
    }

    fn opened(
        &mut self,
        reason: OpeningReason,
        job_id: Option<String>,
        real_time: bool,
    ) -> DrawerOpening {
        let opening = DrawerOpening {
            at: SystemTime::now(),
            reason,
            job_id,
            real_time,
            pin: self.drawer.pulse.pin,
        };
        tracing::info!(reason = reason.as_str(), job = ?opening.job_id, real_time, "drawer opened");
        if let Some(audit) = self.audit.as_mut() {
            audit(&opening);
        }
        opening
    }

    /// Takes a status in: notices for what changed, and the drawer's sensor.
    fn observe(&mut self, status: PrinterStatus, events: &Events<Self>) {
        if !self.reachable {
            self.reachable = true;
            events.status(PrinterNotice::Online);
        }
        if let Some(before) = self.last {
            for notice in status_changes(&before, &status) {
                tracing::info!(code = notice.code(), printer = %self.name, "printer status changed");
                events.status(notice);
            }
        } else {
            for notice in status_changes(&PrinterStatus::OK, &status) {
                events.status(notice);
            }
        }
        let open = status.drawer_sensor_high == self.drawer.open_when_high;
        match (self.drawer_open_since, open) {
            (None, true) => {
                self.drawer_open_since = Some(Instant::now());
                self.warned_open = false;
                events.status(PrinterNotice::DrawerOpened);
            }
            (Some(_), false) => {
                self.drawer_open_since = None;
                events.status(PrinterNotice::DrawerClosed);
            }
            _ => {}
        }
        self.last = Some(status);
    }

    fn warn_if_still_open(&mut self, events: &Events<Self>) {
        let Some(since) = self.drawer_open_since else { return };
        let open_for = since.elapsed();
        if !self.warned_open && open_for >= self.drawer.warn_open_after {
            self.warned_open = true;
            tracing::warn!(printer = %self.name, secs = open_for.as_secs(), "drawer still open");
            events.status(PrinterNotice::DrawerStillOpen { open_for });
        }
    }

    fn unreachable(
        &mut self,
        error: &PrintError,
        events: &Events<Self>,
    ) -> Result<(), DeviceError> {
        if !self.reachable {
            return Ok(());
        }
        self.reachable = false;
        events.status(PrinterNotice::Offline);
        Err(device_error(error))
    }
}

fn millis(at: SystemTime) -> u128 {
    at.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

impl Driver for PrinterDriver {
    type Request = PrinterRequest;
    type Reply = PrinterReply;
    type Data = ();
    type Status = PrinterNotice;

    fn kind(&self) -> DeviceKind {
        DeviceKind::Printer
    }

    fn describe(&self) -> String {
        self.name.clone()
    }

    /// A receipt printer is reached per request (TCP) or opened at first use (serial, USB):
    /// claiming touches nothing, so the register opens with the printer off.
    fn claim(&mut self) -> Result<(), DeviceError> {
        Ok(())
    }

    fn release(&mut self) {}

    fn request(
        &mut self,
        request: PrinterRequest,
        events: &Events<Self>,
    ) -> Result<PrinterReply, DeviceError> {
        let result =
            match request {
                PrinterRequest::Print(job) => self.print(&job).map(|duplicate| {
                    PrinterReply::Printed { job_id: job.id, duplicate, opening: None }
                }),
                PrinterRequest::PrintAndOpen { job, reason } => self.print(&job).map(|duplicate| {
                    // A job printed before opened the drawer then, not now.
                    let opening =
                        (!duplicate).then(|| self.opened(reason, Some(job.id.clone()), false));
                    PrinterReply::Printed { job_id: job.id, duplicate, opening }
                }),
                PrinterRequest::Status => self.transport.status().map(|status| {
                    self.observe(status, events);
                    PrinterReply::Status(status)
                }),
                PrinterRequest::Kick { reason, job_id } => {
                    self.kick(reason, job_id, false).map(PrinterReply::DrawerOpened)
                }
                PrinterRequest::RealtimePulse { reason, job_id } => {
                    self.kick(reason, job_id, true).map(PrinterReply::DrawerOpened)
                }
                PrinterRequest::Watch(on) => {
                    self.watching = on;
                    self.last_query = None;
                    Ok(PrinterReply::Watching(on))
                }
            };
        result.map_err(|error| {
            tracing::warn!(printer = %self.name, code = error.code(), %error, "printer request failed");
            if let PrintError::OutOfPaper | PrintError::CoverOpen = error
                && let Ok(status) = self.transport.status()
            {
                self.observe(status, events);
            }
            device_error(&error)
        })
    }

    fn poll_interval(&self) -> Option<Duration> {
        Some(Duration::from_millis(250))
    }

    fn poll(&mut self, events: &Events<Self>) -> Result<(), DeviceError> {
        if !self.watching {
            return Ok(());
        }
        let status = if self.transport.reports_changes() {
            self.transport.poll_status()
        } else if self.last_query.is_none_or(|at| at.elapsed() >= self.status_every) {
            self.last_query = Some(Instant::now());
            self.transport.status().map(Some)
        } else {
            Ok(None)
        };
        match status {
            Ok(Some(status)) => self.observe(status, events),
            Ok(None) => {}
            Err(error) => return self.unreachable(&error, events),
        }
        self.warn_if_still_open(events);
        Ok(())
    }

    fn health(&mut self) -> Result<Health, DeviceError> {
        let status = self.transport.status().map_err(|e| device_error(&e))?;
        status.ready().map_err(|e| device_error(&e))?;
        Ok(Health::ok(match status.paper {
            Paper::NearEnd => "printer ready; its paper is running low",
            _ => "printer ready",
        }))
    }
}
