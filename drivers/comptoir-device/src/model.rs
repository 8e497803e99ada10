//! The UnifiedPOS device model: a driver is opened, claimed, enabled, used, disabled, released
//! and closed; it is closed, idle, busy or in error; it reports through events. The driver runs
//! on its own thread, which alone touches the hardware; everyone else holds a [`Device`] and
//! talks to that thread over a channel.

use std::fmt;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::error::{DeviceError, ErrorCode};

/// What sort of device a driver drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Printer,
    Drawer,
    Scanner,
    Scale,
    Display,
    CardTerminal,
}

/// A device's state, as UnifiedPOS names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    /// Not open: no thread, no hardware.
    Closed,
    /// Open and ready (claimed or not).
    Idle,
    /// Running a request.
    Busy,
    /// The last request or poll failed on the hardware; the next success clears it.
    Error,
}

/// The outcome of a health check: what was checked and what was found, in words IT can act on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Health {
    pub ok: bool,
    pub text: String,
}

impl Health {
    pub fn ok(text: impl Into<String>) -> Health {
        Health { ok: true, text: text.into() }
    }

    pub fn fault(error: &DeviceError) -> Health {
        Health { ok: false, text: error.message.clone() }
    }
}

/// What a driver reports on its own, outside the answer to a request.
#[derive(Debug)]
pub enum DeviceEvent<D: Driver> {
    /// Input from the device: a scan, a weight. Sent only while the device is enabled.
    Data(D::Data),
    /// A change the cashier or IT may need to know: cover open, paper near end, drawer closed.
    Status(D::Status),
    /// The device's state moved.
    State(DeviceState),
    /// An error outside any request: the link dropped while polling.
    Error(DeviceError),
    /// A request sent with [`Device::submit`] finished.
    OutputComplete { id: u64, reply: D::Reply },
    /// A request sent with [`Device::submit`] failed.
    OutputError { id: u64, error: DeviceError },
}

/// Where a driver sends its events. Never blocks the driver: when nobody reads them, the oldest
/// are kept and new ones are dropped (and logged), so a stuck UI cannot stall a device.
pub struct Events<D: Driver> {
    tx: SyncSender<DeviceEvent<D>>,
    enabled: bool,
}

impl<D: Driver> fmt::Debug for Events<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events").field("enabled", &self.enabled).finish()
    }
}

impl<D: Driver> Events<D> {
    /// Reports input. Dropped while the device is disabled, as UnifiedPOS does with data
    /// events before `DataEventEnabled`.
    pub fn data(&self, data: D::Data) {
        if self.enabled {
            self.send(DeviceEvent::Data(data));
        }
    }

    pub fn status(&self, status: D::Status) {
        self.send(DeviceEvent::Status(status));
    }

    pub fn error(&self, error: DeviceError) {
        self.send(DeviceEvent::Error(error));
    }

    fn send(&self, event: DeviceEvent<D>) {
        match self.tx.try_send(event) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(event)) => {
                tracing::warn!(event = ?event_name(&event), "device event queue full: event dropped");
            }
        }
    }
}

fn event_name<D: Driver>(event: &DeviceEvent<D>) -> &'static str {
    match event {
        DeviceEvent::Data(_) => "data",
        DeviceEvent::Status(_) => "status",
        DeviceEvent::State(_) => "state",
        DeviceEvent::Error(_) => "error",
        DeviceEvent::OutputComplete { .. } => "output_complete",
        DeviceEvent::OutputError { .. } => "output_error",
    }
}

/// One driver: the code that talks to one piece of hardware over its transport. It is moved
/// onto the device's own thread and only ever called from there, so it needs no locks.
pub trait Driver: Send + 'static {
    /// What the device is asked to do (print a job, show two lines, pay an amount).
    type Request: Send + 'static;
    /// What a request returns.
    type Reply: Send + fmt::Debug + 'static;
    /// Input the device produces on its own (a scan, a weight).
    type Data: Send + fmt::Debug + 'static;
    /// Status changes (cover open, paper low).
    type Status: Send + fmt::Debug + 'static;

    fn kind(&self) -> DeviceKind;

    /// Names the device and where it is, for logs and the setup screen (`TM-T88V on
    /// tcp://10.0.0.5:9100`).
    fn describe(&self) -> String;

    /// Takes the hardware for exclusive use: opens the port, connects the socket. May fail
    /// with `Claimed` when another program has it.
    fn claim(&mut self) -> Result<(), DeviceError>;

    /// Gives the hardware back.
    fn release(&mut self);

    /// Starts the device's input (turns a scanner on, Automatic Status Back on).
    fn enable(&mut self, _events: &Events<Self>) -> Result<(), DeviceError>
    where
        Self: Sized,
    {
        Ok(())
    }

    /// Stops the device's input.
    fn disable(&mut self) {}

    /// Does one thing the register asks.
    fn request(
        &mut self,
        request: Self::Request,
        events: &Events<Self>,
    ) -> Result<Self::Reply, DeviceError>
    where
        Self: Sized;

    /// How often [`Driver::poll`] runs while the device is claimed; `None` never.
    fn poll_interval(&self) -> Option<Duration> {
        None
    }

    /// Reads what the device sent on its own (scanner input, status back, a weight). Must
    /// return within about the poll interval.
    fn poll(&mut self, _events: &Events<Self>) -> Result<(), DeviceError>
    where
        Self: Sized,
    {
        Ok(())
    }

    /// Checks the device answers and is fit to work, without side effects a customer sees.
    fn health(&mut self) -> Result<Health, DeviceError>;
}

enum Command<D: Driver> {
    Claim(Sender<Result<(), DeviceError>>),
    Release(Sender<()>),
    Enable(Sender<Result<(), DeviceError>>),
    Disable(Sender<()>),
    Request(D::Request, Reply<D>),
    Health(Sender<Result<Health, DeviceError>>),
    Close,
}

enum Reply<D: Driver> {
    Now(Sender<Result<D::Reply, DeviceError>>),
    Event(u64),
}

#[derive(Debug, Clone, Copy)]
struct Flags {
    state: DeviceState,
    claimed: bool,
    enabled: bool,
}

/// The register's handle on a device: every call goes to the device's thread.
pub struct Device<D: Driver> {
    commands: Sender<Command<D>>,
    events: Receiver<DeviceEvent<D>>,
    flags: Arc<Mutex<Flags>>,
    kind: DeviceKind,
    name: String,
    next_id: Mutex<u64>,
    thread: Option<JoinHandle<()>>,
}

impl<D: Driver> fmt::Debug for Device<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Device").field("kind", &self.kind).field("name", &self.name).finish()
    }
}

/// How many events wait for a reader before new ones are dropped.
const EVENT_QUEUE: usize = 256;

impl<D: Driver> Device<D> {
    /// Opens the device: starts its thread. The hardware is not touched until [`Device::claim`].
    pub fn open(driver: D) -> Device<D> {
        let (commands, inbox) = mpsc::channel();
        let (events_tx, events) = mpsc::sync_channel(EVENT_QUEUE);
        let flags = Arc::new(Mutex::new(Flags {
            state: DeviceState::Idle,
            claimed: false,
            enabled: false,
        }));
        let kind = driver.kind();
        let name = driver.describe();
        let owner = Owner {
            driver,
            flags: Arc::clone(&flags),
            events: Events { tx: events_tx, enabled: false },
        };
        let thread = thread::Builder::new()
            .name(format!("device {name}"))
            .spawn(move || owner.run(inbox))
            .ok();
        if thread.is_none() {
            tracing::error!(device = %name, "cannot start the device's thread");
            lock(&flags).state = DeviceState::Closed;
        }
        Device { commands, events, flags, kind, name, next_id: Mutex::new(0), thread }
    }

    pub fn kind(&self) -> DeviceKind {
        self.kind
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn state(&self) -> DeviceState {
        lock(&self.flags).state
    }

    pub fn claimed(&self) -> bool {
        lock(&self.flags).claimed
    }

    pub fn enabled(&self) -> bool {
        lock(&self.flags).enabled
    }

    /// The device's events: data, status, state changes, errors and finished submissions.
    pub fn events(&self) -> &Receiver<DeviceEvent<D>> {
        &self.events
    }

    /// Takes the hardware. Claiming a device already claimed is a no-op.
    pub fn claim(&self, timeout: Duration) -> Result<(), DeviceError> {
        self.ask(Command::Claim, timeout)?
    }

    pub fn release(&self, timeout: Duration) -> Result<(), DeviceError> {
        self.ask(Command::Release, timeout)
    }

    pub fn enable(&self, timeout: Duration) -> Result<(), DeviceError> {
        self.ask(Command::Enable, timeout)?
    }

    pub fn disable(&self, timeout: Duration) -> Result<(), DeviceError> {
        self.ask(Command::Disable, timeout)
    }

    /// Runs a request and waits for its answer. A timeout here does not cancel the request:
    /// the device's thread still runs it, so a request that must not run twice carries its own
    /// id (a print job's, a payment's).
    pub fn call(&self, request: D::Request, timeout: Duration) -> Result<D::Reply, DeviceError> {
        self.ask(|tx| Command::Request(request, Reply::Now(tx)), timeout)?
    }

    /// Queues a request and returns at once; its end comes as an `OutputComplete` or
    /// `OutputError` event with the id returned here.
    pub fn submit(&self, request: D::Request) -> Result<u64, DeviceError> {
        let id = {
            let mut next = self.next_id.lock().unwrap_or_else(PoisonError::into_inner);
            *next += 1;
            *next
        };
        self.commands
            .send(Command::Request(request, Reply::Event(id)))
            .map_err(|_| self.closed())?;
        Ok(id)
    }

    pub fn health(&self, timeout: Duration) -> Result<Health, DeviceError> {
        self.ask(Command::Health, timeout)?
    }

    /// Releases the hardware and stops the thread, waiting for a request in progress to end.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.commands.send(Command::Close);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!(device = %self.name, "the device's thread panicked");
        }
        lock(&self.flags).state = DeviceState::Closed;
    }

    fn ask<T>(
        &self,
        command: impl FnOnce(Sender<T>) -> Command<D>,
        timeout: Duration,
    ) -> Result<T, DeviceError> {
        let (tx, rx) = mpsc::channel();
        self.commands.send(command(tx)).map_err(|_| self.closed())?;
        match rx.recv_timeout(timeout) {
            Ok(answer) => Ok(answer),
            Err(RecvTimeoutError::Timeout) => Err(DeviceError::timeout(&self.name)),
            Err(RecvTimeoutError::Disconnected) => Err(self.closed()),
        }
    }

    fn closed(&self) -> DeviceError {
        DeviceError::new(
            ErrorCode::Closed,
            format!("{} is closed: restart the register", self.name),
        )
    }
}

impl<D: Driver> Drop for Device<D> {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shutdown();
        }
    }
}

fn lock(flags: &Mutex<Flags>) -> std::sync::MutexGuard<'_, Flags> {
    flags.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The device's thread: owns the driver, runs commands in order and polls between them.
struct Owner<D: Driver> {
    driver: D,
    flags: Arc<Mutex<Flags>>,
    events: Events<D>,
}

impl<D: Driver> Owner<D> {
    fn run(mut self, inbox: Receiver<Command<D>>) {
        let mut next_poll = Instant::now();
        loop {
            let wait = self.poll_wait(next_poll);
            let command = match wait {
                Some(wait) => match inbox.recv_timeout(wait) {
                    Ok(command) => Some(command),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                },
                None => match inbox.recv() {
                    Ok(command) => Some(command),
                    Err(_) => break,
                },
            };
            match command {
                Some(Command::Close) => break,
                Some(command) => self.handle(command),
                None => {
                    self.poll();
                    next_poll = Instant::now() + self.driver.poll_interval().unwrap_or_default();
                }
            }
        }
        self.release();
        self.set_state(DeviceState::Closed);
    }

    /// How long to wait for a command before polling; `None` when the device is not polled.
    fn poll_wait(&self, next_poll: Instant) -> Option<Duration> {
        self.driver.poll_interval()?;
        lock(&self.flags).claimed.then(|| next_poll.saturating_duration_since(Instant::now()))
    }

    fn handle(&mut self, command: Command<D>) {
        match command {
            Command::Claim(tx) => {
                let _ = tx.send(self.claim());
            }
            Command::Release(tx) => {
                self.release();
                let _ = tx.send(());
            }
            Command::Enable(tx) => {
                let _ = tx.send(self.enable());
            }
            Command::Disable(tx) => {
                self.disable();
                let _ = tx.send(());
            }
            Command::Request(request, reply) => self.request(request, reply),
            Command::Health(tx) => {
                let result = self.checked(|owner| owner.driver.health());
                let _ = tx.send(result);
            }
            Command::Close => {}
        }
    }

    fn claim(&mut self) -> Result<(), DeviceError> {
        if lock(&self.flags).claimed {
            return Ok(());
        }
        self.checked(|owner| owner.driver.claim())?;
        lock(&self.flags).claimed = true;
        Ok(())
    }

    fn release(&mut self) {
        self.disable();
        if std::mem::replace(&mut lock(&self.flags).claimed, false) {
            self.driver.release();
        }
    }

    fn enable(&mut self) -> Result<(), DeviceError> {
        let flags = *lock(&self.flags);
        if !flags.claimed {
            return Err(DeviceError::new(
                ErrorCode::NotClaimed,
                "the device must be claimed before it is enabled",
            ));
        }
        if flags.enabled {
            return Ok(());
        }
        self.events.enabled = true;
        let result = self.checked(|owner| {
            let Owner { driver, events, .. } = owner;
            driver.enable(events)
        });
        self.events.enabled = result.is_ok();
        lock(&self.flags).enabled = result.is_ok();
        result
    }

    fn disable(&mut self) {
        if std::mem::replace(&mut lock(&self.flags).enabled, false) {
            self.driver.disable();
        }
        self.events.enabled = false;
    }

    fn request(&mut self, request: D::Request, reply: Reply<D>) {
        let flags = *lock(&self.flags);
        let result = match flags {
            Flags { claimed: false, .. } => Err(DeviceError::new(
                ErrorCode::NotClaimed,
                "the device must be claimed before it is used",
            )),
            Flags { enabled: false, .. } => Err(DeviceError::new(
                ErrorCode::Disabled,
                "the device must be enabled before it is used",
            )),
            _ => {
                self.set_state(DeviceState::Busy);
                self.checked(|owner| {
                    let Owner { driver, events, .. } = owner;
                    driver.request(request, events)
                })
            }
        };
        match reply {
            Reply::Now(tx) => {
                let _ = tx.send(result);
            }
            Reply::Event(id) => self.events.send(match result {
                Ok(reply) => DeviceEvent::OutputComplete { id, reply },
                Err(error) => DeviceEvent::OutputError { id, error },
            }),
        }
    }

    fn poll(&mut self) {
        if let Err(error) = self.checked(|owner| {
            let Owner { driver, events, .. } = owner;
            driver.poll(events)
        }) {
            tracing::warn!(device = %self.driver.describe(), %error, "device poll failed");
            self.events.error(error);
        }
    }

    /// Runs a driver call and moves the state: error after a hardware failure, idle after a
    /// success (which clears an earlier error).
    fn checked<T>(
        &mut self,
        call: impl FnOnce(&mut Self) -> Result<T, DeviceError>,
    ) -> Result<T, DeviceError> {
        let result = call(self);
        let state = match &result {
            Err(error) if error.kind.is_hardware() => DeviceState::Error,
            _ => DeviceState::Idle,
        };
        self.set_state(state);
        result
    }

    fn set_state(&mut self, state: DeviceState) {
        let before = std::mem::replace(&mut lock(&self.flags).state, state);
        if before != state {
            self.events.send(DeviceEvent::State(state));
        }
    }
}
