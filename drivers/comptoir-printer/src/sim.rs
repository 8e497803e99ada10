//! A receipt printer in software, on a TCP port or on a pseudo-terminal (a serial printer):
//! answers `DLE EOT` like an Epson TM, sends Automatic Status Back on every change once asked
//! with `GS a`, opens its drawer (the sensor reports it open for a while) on `ESC p` and
//! `DLE DC4 1`, and records each job it receives to a folder, for tests and for demos
//! without hardware.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::commands::{DLE, ESC, GS};
use crate::status::{Paper, PrinterStatus, StatusKind};
use crate::transport::{sync_dir, write_synced};

/// A state the simulator can be told to report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum ScriptedStatus {
    #[default]
    Ok,
    PaperOut,
    NearEnd,
    CoverOpen,
    Offline,
}

impl ScriptedStatus {
    pub fn status(self) -> PrinterStatus {
        let ok = PrinterStatus::OK;
        match self {
            ScriptedStatus::Ok => ok,
            ScriptedStatus::PaperOut => PrinterStatus { paper: Paper::Out, ..ok },
            ScriptedStatus::NearEnd => PrinterStatus { paper: Paper::NearEnd, ..ok },
            ScriptedStatus::CoverOpen => PrinterStatus { cover_open: true, ..ok },
            ScriptedStatus::Offline => PrinterStatus { online: false, ..ok },
        }
    }
}

impl FromStr for ScriptedStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<ScriptedStatus, String> {
        <ScriptedStatus as clap::ValueEnum>::from_str(s.trim(), true)
    }
}

/// How the simulator listens and behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    pub bind: IpAddr,
    /// 0 picks a free port (see [`Simulator::local_addr`]).
    pub port: u16,
    /// Where received jobs are recorded.
    pub out: PathBuf,
    pub status: ScriptedStatus,
    /// A file holding a status name ("paper_out" ...) and faults as `key=value` words (see
    /// [`Script::parse`]), read at every request, so that a test or a demo driving the
    /// simulator as a separate process can change its state while it runs.
    pub status_file: Option<PathBuf>,
    /// Pause after each read of at most 64 bytes: a printer that takes its time.
    pub slow_ms: u64,
    /// Close each connection after this many bytes: a cable pulled mid-job.
    pub drop_after_bytes: Option<u64>,
    /// Take in at most this many bytes a second: a printer with a small buffer on a slow link.
    pub bytes_per_second: Option<u32>,
    /// How long the drawer stays open after a pulse, as its sensor reports (a cashier who
    /// pushes it shut after this long); 0 never closes it.
    pub drawer_open_secs: u64,
    /// The sensor level (pin 3) of an open drawer: high on most drawers, low on some.
    pub drawer_open_high: bool,
}

/// What can change while the simulator runs: its status and its faults. The flags set it at
/// start; the status file, while present and readable, overrides what it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Script {
    pub status: ScriptedStatus,
    pub slow_ms: u64,
    pub bytes_per_second: Option<u32>,
    pub drop_after_bytes: Option<u64>,
    pub drawer_open_secs: u64,
}

impl Script {
    /// Reads words separated by blanks or lines: a status name (`paper_out`), and
    /// `slow_ms=N`, `bytes_per_second=N|none`, `drop_after_bytes=N|none`,
    /// `drawer_open_secs=N`; a line starting with `#` is a comment. What the text does not
    /// name keeps its value in `base`.
    pub fn parse(text: &str, base: Script) -> Result<Script, String> {
        let mut script = base;
        let words = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .flat_map(str::split_whitespace);
        for word in words {
            let Some((key, value)) = word.split_once('=') else {
                script.status = word.parse()?;
                continue;
            };
            let number = |v: &str| v.parse::<u64>().map_err(|_| format!("{key}={v}: not a number"));
            let optional = |v: &str| if v == "none" { Ok(None) } else { number(v).map(Some) };
            match key {
                "slow_ms" => script.slow_ms = number(value)?,
                "bytes_per_second" => {
                    script.bytes_per_second = optional(value)?
                        .map(|n| u32::try_from(n.max(1)).map_err(|_| format!("{word}: too large")))
                        .transpose()?;
                }
                "drop_after_bytes" => script.drop_after_bytes = optional(value)?,
                "drawer_open_secs" => script.drawer_open_secs = number(value)?,
                _ => return Err(format!("{key}: no such setting")),
            }
        }
        Ok(script)
    }
}

impl SimConfig {
    /// The script the flags give.
    pub fn script(&self) -> Script {
        Script {
            status: self.status,
            slow_ms: self.slow_ms,
            bytes_per_second: self.bytes_per_second,
            drop_after_bytes: self.drop_after_bytes,
            drawer_open_secs: self.drawer_open_secs,
        }
    }

    pub fn new(out: impl Into<PathBuf>) -> SimConfig {
        SimConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 9100,
            out: out.into(),
            status: ScriptedStatus::Ok,
            status_file: None,
            slow_ms: 0,
            drop_after_bytes: None,
            bytes_per_second: None,
            drawer_open_secs: 5,
            drawer_open_high: true,
        }
    }
}

/// A bound simulator; [`Simulator::run`] serves it.
#[derive(Debug)]
pub struct Simulator {
    listener: TcpListener,
    shared: Arc<Shared>,
}

/// Changes a running simulator's state from another thread.
#[derive(Debug, Clone)]
pub struct SimControl {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: SimConfig,
    addr: SocketAddr,
    status: Mutex<ScriptedStatus>,
    stop: AtomicBool,
    next_seq: Mutex<u32>,
    connections: AtomicU64,
    drawer: Mutex<Drawer>,
}

/// The drawer on the simulated printer's connector.
#[derive(Debug, Default)]
struct Drawer {
    /// When it was last opened; `None` when shut.
    opened: Option<Instant>,
    pulses: u64,
}

/// How a job's bytes ended; only whole jobs are recorded as `.bin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JobEnd {
    /// A `GS V` cut arrived: the job is complete.
    Cut,
    /// The client closed the connection: everything it sent is complete.
    Eof,
    /// The simulator dropped the connection, or it broke or went idle: not complete.
    Broken,
}

/// Idle connections are closed after this long, as printers do, so a hung client frees them.
const IDLE: Duration = Duration::from_secs(60);

impl Simulator {
    /// Binds the port and prepares the output folder; numbering continues after the jobs
    /// already in it.
    pub fn bind(config: SimConfig) -> io::Result<Simulator> {
        fs::create_dir_all(&config.out)?;
        let listener = TcpListener::bind((config.bind, config.port))?;
        let addr = listener.local_addr()?;
        let next_seq = last_seq(&config.out)? + 1;
        let shared = Arc::new(Shared {
            status: Mutex::new(config.status),
            config,
            addr,
            stop: AtomicBool::new(false),
            next_seq: Mutex::new(next_seq),
            connections: AtomicU64::new(0),
            drawer: Mutex::new(Drawer::default()),
        });
        Ok(Simulator { listener, shared })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.shared.addr
    }

    pub fn control(&self) -> SimControl {
        SimControl { shared: Arc::clone(&self.shared) }
    }

    /// Serves connections, one thread each, until [`SimControl::stop`].
    pub fn run(self) -> io::Result<()> {
        tracing::info!(addr = %self.shared.addr, out = %self.shared.config.out.display(), "simulator listening");
        for stream in self.listener.incoming() {
            if self.shared.stop.load(Ordering::SeqCst) {
                break;
            }
            match stream {
                Ok(stream) => self.spawn_connection(stream),
                Err(e) => tracing::warn!(error = %e, "accept failed"),
            }
        }
        Ok(())
    }

    fn spawn_connection(&self, stream: TcpStream) {
        let shared = Arc::clone(&self.shared);
        let number = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
        thread::spawn(move || {
            if let Err(e) = Connection::new(stream, number, &shared).serve() {
                tracing::warn!(connection = number, error = %e, "connection ended with an error");
            }
        });
    }
}

impl SimControl {
    pub fn set_status(&self, status: ScriptedStatus) {
        *self.shared.status.lock().unwrap_or_else(PoisonError::into_inner) = status;
    }

    /// How many drawer pulses the printer has run (queued and real-time).
    pub fn drawer_pulses(&self) -> u64 {
        lock(&self.shared.drawer).pulses
    }

    /// Whether the drawer is open now, as its sensor would say.
    pub fn drawer_open(&self) -> bool {
        self.shared.drawer_open()
    }

    /// The folder jobs are recorded to.
    pub fn out_dir(&self) -> PathBuf {
        self.shared.config.out.clone()
    }

    /// Shuts the drawer, as a cashier pushing it closed.
    pub fn close_drawer(&self) {
        lock(&self.shared.drawer).opened = None;
    }

    /// Stops accepting; connections in progress finish on their own threads.
    pub fn stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept with a connection of our own.
        let mut wake = self.shared.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
    }
}

/// A simulator serving on its own thread; stopped when dropped.
#[derive(Debug)]
pub struct SimHandle {
    pub addr: SocketAddr,
    pub control: SimControl,
    thread: Option<JoinHandle<io::Result<()>>>,
}

/// Binds and serves on a new thread: what in-process tests use, with port 0.
pub fn spawn(config: SimConfig) -> io::Result<SimHandle> {
    let simulator = Simulator::bind(config)?;
    let addr = simulator.local_addr();
    let control = simulator.control();
    let thread =
        thread::Builder::new().name("printer-sim".into()).spawn(move || simulator.run())?;
    Ok(SimHandle { addr, control, thread: Some(thread) })
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.control.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// The scripted state (the status file first), with the drawer sensor.
    fn status(&self) -> PrinterStatus {
        let status = self.script().status.status();
        let open = self.drawer_open();
        PrinterStatus { drawer_sensor_high: open == self.config.drawer_open_high, ..status }
    }

    /// The flags, with the status set through [`SimControl`], and the status file over them.
    fn script(&self) -> Script {
        let base = Script { status: *lock(&self.status), ..self.config.script() };
        let Some(path) = self.config.status_file.as_deref() else { return base };
        let Ok(text) = fs::read_to_string(path) else { return base };
        Script::parse(&text, base).unwrap_or_else(|error| {
            tracing::warn!(file = %path.display(), %error, "status file ignored");
            base
        })
    }

    fn drawer_open(&self) -> bool {
        let secs = self.script().drawer_open_secs;
        let mut drawer = lock(&self.drawer);
        if let Some(opened) = drawer.opened
            && secs > 0
            && opened.elapsed() >= Duration::from_secs(secs)
        {
            drawer.opened = None;
        }
        drawer.opened.is_some()
    }

    fn pulse_drawer(&self, real_time: bool) {
        let mut drawer = lock(&self.drawer);
        drawer.pulses += 1;
        drawer.opened = Some(Instant::now());
        tracing::info!(real_time, pulses = drawer.pulses, "drawer opened");
    }

    /// Records a job: `.bin` when whole and printable, `.partial` otherwise, each written to a
    /// hidden name, synced, then renamed, so no reader ever sees half a file.
    fn record(&self, connection: u64, bytes: &[u8], end: JobEnd) -> io::Result<()> {
        let printed = end != JobEnd::Broken && self.status().ready().is_ok();
        let seq = {
            let mut next = self.next_seq.lock().unwrap_or_else(PoisonError::into_inner);
            let seq = *next;
            *next += 1;
            seq
        };
        let kind = match end {
            JobEnd::Cut => "cut",
            JobEnd::Eof => "eof",
            JobEnd::Broken => "broken",
        };
        let ext = if printed { "bin" } else { "partial" };
        let name = format!("{seq:06}-c{connection:06}-{kind}.{ext}");
        let dir = &self.config.out;
        let temp = dir.join(format!(".{name}.tmp"));
        write_synced(&temp, bytes).map_err(io::Error::other)?;
        fs::rename(&temp, dir.join(&name))?;
        sync_dir(dir);
        tracing::info!(connection, seq, bytes = bytes.len(), file = %name, "job recorded");
        Ok(())
    }
}

/// What the simulator talks over: a TCP connection or the printer's end of a pseudo-terminal.
trait Link: Read + Write {
    /// Makes reads return (with `TimedOut` or `WouldBlock`) after `tick` without data.
    fn set_tick(&mut self, tick: Duration) -> io::Result<()>;
    fn close(&mut self);
}

impl Link for TcpStream {
    fn set_tick(&mut self, tick: Duration) -> io::Result<()> {
        self.set_nodelay(true)?;
        self.set_read_timeout(Some(tick))
    }

    fn close(&mut self) {
        let _ = self.shutdown(Shutdown::Both);
    }
}

#[cfg(unix)]
impl Link for serialport::TTYPort {
    fn set_tick(&mut self, tick: Duration) -> io::Result<()> {
        serialport::SerialPort::set_timeout(self, tick).map_err(io::Error::from)
    }

    fn close(&mut self) {}
}

/// How often a quiet link is checked for a status change to send back.
const TICK: Duration = Duration::from_millis(50);

/// One client link: a byte stream split into jobs at cuts, with status answered inline.
struct Connection<'s, L: Link> {
    stream: L,
    number: u64,
    shared: &'s Shared,
    job: Vec<u8>,
    received: u64,
    /// The last bytes outside command data, where requests, cuts and headers are looked for.
    window: Vec<u8>,
    /// Bytes of symbol or image data still to come, taken as they are.
    skip: u64,
    /// The events `GS a` asked to be told of; 0 while Automatic Status Back is off.
    asb_mask: u8,
    /// The last ASB message sent, so a message goes out only on a change.
    asb_sent: Option<[u8; 4]>,
    /// The link ends after this long without a byte; `None` for a serial line, which stays.
    idle_limit: Option<Duration>,
}

/// Long enough for the longest header looked for, `GS v 0 m xL xH yL yH`.
const WINDOW: usize = 8;

impl<'s, L: Link> Connection<'s, L> {
    fn new(stream: L, number: u64, shared: &'s Shared) -> Connection<'s, L> {
        Connection {
            stream,
            number,
            shared,
            job: Vec::new(),
            received: 0,
            window: Vec::new(),
            skip: 0,
            asb_mask: 0,
            asb_sent: None,
            idle_limit: Some(IDLE),
        }
    }

    fn serve(mut self) -> io::Result<()> {
        self.stream.set_tick(TICK)?;
        let end = self.receive();
        if !self.job.is_empty() {
            self.shared.record(self.number, &self.job, end)?;
        }
        self.stream.close();
        Ok(())
    }

    /// Reads until the client closes, the connection breaks, or the scripted drop.
    fn receive(&mut self) -> JobEnd {
        let mut buf = vec![0u8; 4096];
        let mut last_byte = Instant::now();
        loop {
            if self.send_status_back().is_err() {
                return JobEnd::Broken;
            }
            let script = self.shared.script();
            let chunk = match (script.bytes_per_second, script.slow_ms) {
                (Some(bps), _) => (bps / 10).clamp(1, 4096) as usize,
                (None, 0) => 4096,
                (None, _) => 64,
            };
            let n = match self.stream.read(&mut buf[..chunk]) {
                Ok(0) => return JobEnd::Eof,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) =>
                {
                    if self.idle_limit.is_some_and(|limit| last_byte.elapsed() > limit) {
                        return JobEnd::Broken;
                    }
                    if self.shared.stop.load(Ordering::SeqCst) {
                        return JobEnd::Eof;
                    }
                    continue;
                }
                Err(_) => return JobEnd::Broken,
            };
            last_byte = Instant::now();
            let allowed = self.allowed(n, script.drop_after_bytes);
            for &byte in &buf[..allowed] {
                if self.take(byte).is_err() {
                    return JobEnd::Broken;
                }
            }
            if allowed < n || script.drop_after_bytes == Some(self.received) {
                tracing::info!(
                    connection = self.number,
                    bytes = self.received,
                    "dropping the connection as scripted"
                );
                return JobEnd::Broken;
            }
            pace(&script, n);
        }
    }

    /// Sends the four ASB bytes when status back is on and the state moved since the last.
    fn send_status_back(&mut self) -> io::Result<()> {
        if self.asb_mask == 0 {
            return Ok(());
        }
        let now = self.shared.status().asb();
        if self.asb_sent != Some(now) {
            self.stream.write_all(&now)?;
            self.stream.flush()?;
            tracing::debug!(connection = self.number, asb = ?now, "status back sent");
            self.asb_sent = Some(now);
        }
        Ok(())
    }

    /// How many of `n` new bytes arrive before the scripted drop.
    fn allowed(&mut self, n: usize, drop_after: Option<u64>) -> usize {
        let limit = drop_after.unwrap_or(u64::MAX);
        let room = usize::try_from(limit.saturating_sub(self.received)).unwrap_or(usize::MAX);
        let allowed = n.min(room);
        self.received += allowed as u64;
        allowed
    }

    /// Takes one byte: answers a status request, runs a real-time pulse, turns status back on
    /// or off, completes the job at a cut, and skips the data of symbols and images so that
    /// their bytes are never taken for any of these.
    fn take(&mut self, byte: u8) -> io::Result<()> {
        self.job.push(byte);
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        if self.window.len() == WINDOW {
            self.window.remove(0);
        }
        self.window.push(byte);
        if let Some(kind) = status_request_at_end(&self.window) {
            // A status request is no print data: answer it and keep it out of the job.
            self.job.truncate(self.job.len() - 3);
            self.window.clear();
            let reply = self.shared.status().reply(kind);
            self.stream.write_all(&[reply])?;
        } else if real_time_pulse_at_end(&self.window) {
            // Run at once, even in error (cover open, paper out), as a TM-T88 does.
            self.job.truncate(self.job.len() - 5);
            self.window.clear();
            self.shared.pulse_drawer(true);
        } else if let [.., GS, b'a', mask] = self.window[..] {
            self.job.truncate(self.job.len() - 3);
            self.window.clear();
            self.asb_mask = mask;
            self.asb_sent = None;
            self.send_status_back()?;
        } else if ends_with_cut(&self.window) {
            self.window.clear();
            let job = std::mem::take(&mut self.job);
            self.shared.record(self.number, &job, JobEnd::Cut)?;
        } else if let Some(len) = data_length(&self.window) {
            if matches!(self.window[..], [.., ESC, b'p', _]) && self.shared.status().ready().is_ok()
            {
                // A queued pulse is not run while the printer is in error.
                self.shared.pulse_drawer(false);
            }
            self.window.clear();
            self.skip = len;
        }
        Ok(())
    }
}

/// Waits as a slow printer would before taking more.
fn pace(script: &Script, n: usize) {
    if let Some(bps) = script.bytes_per_second {
        let secs = n as f64 / f64::from(bps.max(1));
        thread::sleep(Duration::from_secs_f64(secs));
    } else if script.slow_ms > 0 {
        thread::sleep(Duration::from_millis(script.slow_ms));
    }
}

/// `DLE DC4 1 m t` just arrived.
fn real_time_pulse_at_end(window: &[u8]) -> bool {
    matches!(window, [.., DLE, 0x14, 1, 0 | 1, 1..=8])
}

/// A simulator serving a serial line: the printer's end of a pseudo-terminal pair.
#[cfg(unix)]
#[derive(Debug)]
pub struct SerialSimHandle {
    /// The path the register opens, like `/dev/pts/7`.
    pub path: String,
    pub control: SimControl,
    thread: Option<JoinHandle<io::Result<()>>>,
    /// Kept open so the pair stays up while the register closes and reopens its end.
    _register_end: serialport::TTYPort,
}

/// Serves a simulated serial printer on a new pseudo-terminal pair: the register opens
/// [`SerialSimHandle::path`] as it would `/dev/ttyUSB0`. `port` and `bind` are not used.
#[cfg(unix)]
pub fn spawn_serial(config: SimConfig) -> io::Result<SerialSimHandle> {
    fs::create_dir_all(&config.out)?;
    let (printer_end, register_end) = serialport::TTYPort::pair().map_err(io::Error::from)?;
    let path = serialport::SerialPort::name(&register_end)
        .ok_or_else(|| io::Error::other("the pseudo-terminal has no name"))?;
    let next_seq = last_seq(&config.out)? + 1;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let shared = Arc::new(Shared {
        status: Mutex::new(config.status),
        config,
        addr,
        stop: AtomicBool::new(false),
        next_seq: Mutex::new(next_seq),
        connections: AtomicU64::new(1),
        drawer: Mutex::new(Drawer::default()),
    });
    let control = SimControl { shared: Arc::clone(&shared) };
    let thread = thread::Builder::new().name("printer-sim-serial".into()).spawn(move || {
        let mut connection = Connection::new(printer_end, 1, &shared);
        connection.idle_limit = None;
        connection.serve_until_stopped()
    })?;
    tracing::info!(path = %path, "serial simulator ready");
    Ok(SerialSimHandle { path, control, thread: Some(thread), _register_end: register_end })
}

#[cfg(unix)]
impl Connection<'_, serialport::TTYPort> {
    /// A serial line has no end of connection: it serves until the simulator stops.
    fn serve_until_stopped(mut self) -> io::Result<()> {
        self.stream.set_tick(TICK)?;
        while !self.shared.stop.load(Ordering::SeqCst) {
            let end = self.receive();
            if !self.job.is_empty() {
                let job = std::mem::take(&mut self.job);
                self.shared.record(self.number, &job, end)?;
            }
            if end != JobEnd::Eof {
                // A scripted drop on a serial line: the bytes after it are lost, as with a
                // cable pulled, until the line has been quiet a while; then it comes back.
                self.discard_until_quiet();
                self.received = 0;
                self.window.clear();
                self.skip = 0;
            }
            thread::sleep(TICK);
        }
        Ok(())
    }
}

#[cfg(unix)]
impl Connection<'_, serialport::TTYPort> {
    fn discard_until_quiet(&mut self) {
        let mut buf = [0u8; 256];
        let mut quiet_since = Instant::now();
        while quiet_since.elapsed() < QUIET && !self.shared.stop.load(Ordering::SeqCst) {
            match self.stream.read(&mut buf) {
                Ok(n) if n > 0 => quiet_since = Instant::now(),
                _ => {}
            }
        }
    }
}

/// How long a serial line stays dead after a scripted drop, once the register stops sending.
#[cfg(unix)]
const QUIET: Duration = Duration::from_millis(500);

#[cfg(unix)]
impl Drop for SerialSimHandle {
    fn drop(&mut self) {
        self.control.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The length of the data after a command header that just arrived, per the Epson reference:
/// barcode data, `GS (` functions (QR, PDF417, graphics), raster and bit images, and the two
/// timing bytes of a drawer pulse.
fn data_length(window: &[u8]) -> Option<u64> {
    let wide = |lo: u8, hi: u8| u64::from(lo) + 256 * u64::from(hi);
    match *window {
        [.., GS, b'k', m, n] if (65..=79).contains(&m) => Some(u64::from(n)),
        [.., GS, b'(', b'A'..=b'z', lo, hi] => Some(wide(lo, hi)),
        [.., GS, b'8', b'L', p1, p2, p3, p4] => Some(wide(p1, p2) + 65536 * wide(p3, p4)),
        [.., GS, b'v', b'0', _, xl, xh, yl, yh] => Some(wide(xl, xh) * wide(yl, yh)),
        [.., ESC, b'*', m, lo, hi] => Some(wide(lo, hi) * if m >= 32 { 3 } else { 1 }),
        [.., ESC, b'p', _] => Some(2),
        _ => None,
    }
}

/// `DLE EOT n` just arrived (outside symbol and image data).
fn status_request_at_end(job: &[u8]) -> Option<StatusKind> {
    let [.., DLE, 0x04, n] = job else {
        return None;
    };
    match n {
        1 => Some(StatusKind::Printer),
        2 => Some(StatusKind::OfflineCause),
        3 => Some(StatusKind::ErrorCause),
        4 => Some(StatusKind::PaperSensor),
        _ => None,
    }
}

/// A `GS V` cut just arrived: `GS V m` (m 0, 1, 48, 49) or `GS V m n` (m 65, 66, 97..=104).
fn ends_with_cut(job: &[u8]) -> bool {
    matches!(job, [.., GS, b'V', 0 | 1 | 48 | 49] | [.., GS, b'V', 65 | 66 | 97..=104, _])
}

/// The highest job number already in the folder, so that a restart never reuses one.
fn last_seq(dir: &Path) -> io::Result<u32> {
    let mut last = 0;
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        let seq =
            name.to_str().and_then(|n| n.split('-').next()).and_then(|s| s.parse::<u32>().ok());
        last = last.max(seq.unwrap_or(0));
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_are_recognised_with_and_without_their_feed_byte() {
        assert!(ends_with_cut(b"abc\x1dV\x42\x00"));
        assert!(ends_with_cut(b"\x1dV\x01"));
        assert!(!ends_with_cut(b"\x1dV\x42"));
    }

    #[test]
    fn symbol_data_is_skipped() {
        assert_eq!(data_length(b"\x1dk\x49\x07"), Some(7));
        assert_eq!(data_length(b"\x1d(k\x06\x01"), Some(262));
        assert_eq!(data_length(b"\x1dv0\x00\x02\x00\x10\x00"), Some(32));
        assert_eq!(data_length(b"\x1bp\x00"), Some(2));
        assert_eq!(data_length(b"\x1dk\x04"), None);
    }

    #[test]
    fn a_status_file_sets_the_status_and_the_faults() {
        let base = SimConfig::new("/tmp/x").script();
        let script =
            Script::parse("# demo\ncover_open\nbytes_per_second=2000 drop_after_bytes=90\n", base)
                .unwrap();
        assert_eq!(script.status, ScriptedStatus::CoverOpen);
        assert_eq!((script.bytes_per_second, script.drop_after_bytes), (Some(2000), Some(90)));
        assert_eq!(script.drawer_open_secs, base.drawer_open_secs);
        let cleared = Script::parse("drop_after_bytes=none", script).unwrap();
        assert_eq!(cleared.drop_after_bytes, None);
        assert!(Script::parse("jammed", base).is_err());
        assert!(Script::parse("slow_ms=fast", base).is_err());
        assert!(Script::parse("speed=3", base).is_err());
    }

    #[test]
    fn status_names_parse_like_the_cli() {
        assert_eq!("paper_out\n".parse::<ScriptedStatus>(), Ok(ScriptedStatus::PaperOut));
        assert!("jammed".parse::<ScriptedStatus>().is_err());
    }
}
