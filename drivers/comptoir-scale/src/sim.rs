//! A simulated MT-SICS scale on a pseudo-terminal: it answers the register's commands from a
//! scripted sequence of weights, so tests and demos can show a stable weight, a weight that
//! settles, an overload, a scale that does not answer, and one that sends garbage.
//!
//! A script is one step per line (`#` starts a comment):
//!
//! ```text
//! dynamic 0.254 kg     # still moving
//! stable 0.256 kg      # settled
//! slow 0.256 kg       # stable, but answered only after the slow delay (1 s by default)
//! overload | underload | busy | silent | garbage
//! ```
//!
//! Every weight command (`S`, `SI`) answers from the current step and then moves to the next;
//! the last step repeats. A script file is read again at every command, and a changed file
//! starts again from its first step, so a demo can change the weight while the simulator runs.

use std::fs;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use rust_decimal::Decimal;
use serialport::{SerialPort, TTYPort};

use crate::sics::{Command, Lines, format_weight, parse_weight};
use crate::weight::{Unit, Weight};

/// What the scale does at one step of the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Stable(Weight),
    Dynamic(Weight),
    /// A stable weight answered late, after the register may have given up waiting.
    Slow(Weight),
    Overload,
    Underload,
    /// Answers `S I` to weight commands: busy, or no stability within the scale's timeout.
    Busy,
    /// Answers nothing at all, as an unplugged or switched-off scale.
    Silent,
    /// Answers bytes that are no MT-SICS.
    Garbage,
}

/// What a garbage step sends: a stray high byte, a half number, no unit.
pub const GARBAGE: &[u8] = b"S \xfe 0.2#5\r\n";

/// Reads a script: one step per line, blank lines and `#` comments ignored.
pub fn parse_script(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        steps.push(parse_step(line).map_err(|e| format!("line {}: {e}", number + 1))?);
    }
    if steps.is_empty() {
        return Err("the script has no step".to_owned());
    }
    Ok(steps)
}

/// Reads one step: `stable 0.256 kg`, `dynamic 0.25 kg`, `slow 0.256 kg`, `overload`,
/// `underload`, `busy`, `silent`, `garbage`.
pub fn parse_step(text: &str) -> Result<Step, String> {
    let (word, rest) = text.trim().split_once(' ').unwrap_or((text.trim(), ""));
    let weight = || parse_weight(rest.trim()).map_err(|e| format!("{text:?}: {e}"));
    Ok(match word {
        "stable" => Step::Stable(weight()?),
        "dynamic" => Step::Dynamic(weight()?),
        "slow" => Step::Slow(weight()?),
        "overload" => Step::Overload,
        "underload" => Step::Underload,
        "busy" => Step::Busy,
        "silent" => Step::Silent,
        "garbage" => Step::Garbage,
        _ => {
            return Err(format!(
                "{text:?}: a step is stable WEIGHT, dynamic WEIGHT, slow WEIGHT, overload, underload, busy, silent or garbage"
            ));
        }
    })
}

/// The simulated scale: the script, where it is, and the tare and zero it holds.
#[derive(Debug)]
pub struct Scale {
    steps: Vec<Step>,
    script: Option<PathBuf>,
    script_text: Option<String>,
    at: usize,
    tare: Decimal,
    zero: Decimal,
    serial: String,
    slow: Duration,
}

impl Scale {
    /// A scale playing `steps`, or the script file when one is given.
    pub fn new(steps: Vec<Step>, script: Option<PathBuf>, serial: String) -> Scale {
        Scale {
            steps,
            script,
            script_text: None,
            at: 0,
            tare: Decimal::ZERO,
            zero: Decimal::ZERO,
            serial,
            slow: Duration::from_secs(1),
        }
    }

    /// How late a `slow` step answers.
    pub fn with_slow_delay(self, slow: Duration) -> Scale {
        Scale { slow, ..self }
    }

    /// The answer to one command line and how long to wait before sending it, or `None` when
    /// the scale stays silent.
    pub fn answer(&mut self, line: &[u8]) -> Option<(Vec<u8>, Duration)> {
        self.reload();
        let step = self.steps.get(self.at.min(self.steps.len().saturating_sub(1))).cloned();
        let step = step.unwrap_or(Step::Silent);
        let Some(command) = Command::parse(line) else {
            return (step != Step::Silent).then(|| (b"ES\r\n".to_vec(), Duration::ZERO));
        };
        if matches!(command, Command::Stable | Command::Immediate | Command::ImmediateRepeat) {
            self.at += 1;
        }
        let (step, delay) = match step {
            Step::Silent => return None,
            Step::Garbage => return Some((GARBAGE.to_vec(), Duration::ZERO)),
            Step::Slow(weight) => (Step::Stable(weight), self.slow),
            step => (step, Duration::ZERO),
        };
        let text = self.respond(command, &step);
        Some((format!("{text}\r\n").into_bytes(), delay))
    }

    fn respond(&mut self, command: Command, step: &Step) -> String {
        match command {
            Command::Stable => self.weight("S", step, false),
            Command::Immediate | Command::ImmediateRepeat => self.weight("S", step, true),
            Command::Tare => self.tare(step),
            Command::TareValue => format!("TA A {}", format_weight(&self.held(self.tare, step))),
            Command::ClearTare => {
                self.tare = Decimal::ZERO;
                "TAC A".to_owned()
            }
            Command::Zero => self.zero(step, false),
            Command::ZeroImmediate => self.zero(step, true),
            Command::SerialNumber => format!("I4 A \"{}\"", self.serial),
            Command::Reset => {
                self.tare = Decimal::ZERO;
                format!("I4 A \"{}\"", self.serial)
            }
        }
    }

    fn weight(&self, id: &str, step: &Step, immediate: bool) -> String {
        match step {
            Step::Stable(gross) => format!("{id} S {}", format_weight(&self.net(gross))),
            Step::Dynamic(gross) if immediate => {
                format!("{id} D {}", format_weight(&self.net(gross)))
            }
            Step::Overload => format!("{id} +"),
            Step::Underload => format!("{id} -"),
            _ => format!("{id} I"),
        }
    }

    fn tare(&mut self, step: &Step) -> String {
        match step {
            Step::Stable(gross) => {
                self.tare = gross.value - self.zero;
                format!("T S {}", format_weight(&self.held(self.tare, step)))
            }
            Step::Overload => "T +".to_owned(),
            Step::Underload => "T -".to_owned(),
            _ => "T I".to_owned(),
        }
    }

    fn zero(&mut self, step: &Step, immediate: bool) -> String {
        let id = if immediate { "ZI" } else { "Z" };
        match step {
            Step::Stable(gross) => {
                self.zero = gross.value;
                self.tare = Decimal::ZERO;
                if immediate { "ZI S".to_owned() } else { "Z A".to_owned() }
            }
            Step::Dynamic(gross) if immediate => {
                self.zero = gross.value;
                self.tare = Decimal::ZERO;
                "ZI D".to_owned()
            }
            Step::Overload => format!("{id} +"),
            Step::Underload => format!("{id} -"),
            _ => format!("{id} I"),
        }
    }

    /// The weight shown, with the decimals of the scale's division (those of the step), as a
    /// scale always prints them.
    fn net(&self, gross: &Weight) -> Weight {
        let mut net = gross.value - self.zero - self.tare;
        net.rescale(gross.value.scale());
        Weight::new(net, gross.unit)
    }

    fn held(&self, value: Decimal, step: &Step) -> Weight {
        let (unit, scale) = match step {
            Step::Stable(w) | Step::Dynamic(w) | Step::Slow(w) => (w.unit, w.value.scale()),
            _ => (Unit::Kilogram, 3),
        };
        let mut value = value;
        value.rescale(scale);
        Weight::new(value, unit)
    }

    /// Reads the script file again; a changed script starts from its first step. A script
    /// that cannot be read or parsed keeps the steps in use, with a warning.
    fn reload(&mut self) {
        let Some(path) = &self.script else { return };
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot read the script");
                return;
            }
        };
        if self.script_text.as_deref() == Some(text.as_str()) {
            return;
        }
        match parse_script(&text) {
            Ok(steps) => {
                tracing::info!(steps = steps.len(), "script loaded");
                self.steps = steps;
                self.at = 0;
            }
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "script refused"),
        }
        self.script_text = Some(text);
    }
}

/// The simulator's end of a pseudo-terminal pair, answering what the register sends.
pub struct Simulator {
    master: TTYPort,
    path: String,
    scale: Scale,
}

impl Simulator {
    /// Opens a pseudo-terminal pair; the register opens [`Simulator::path`].
    pub fn open(scale: Scale) -> Result<Simulator, comptoir_device::DeviceError> {
        let (mut master, slave) = comptoir_device::serial::pty_pair()?;
        let path = slave.name().unwrap_or_default();
        // The register opens the path itself; holding the other end open here would keep the
        // terminal's exclusive flag after the register lets go, and a second claim would fail.
        drop(slave);
        let _ = master.set_timeout(Duration::from_millis(100));
        Ok(Simulator { master, path, scale })
    }

    /// The path a device setting names: `/dev/pts/N`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Answers commands until the process ends.
    pub fn run(mut self) -> io::Result<()> {
        let mut lines = Lines::new();
        let mut buffer = [0u8; 256];
        loop {
            let n = match self.master.read(&mut buffer) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
                // Nobody holds the other end (EIO on Linux): wait for the register to open it.
                // A writer that closes at once (a shell's `printf > /dev/pts/N`) can lose its
                // bytes in this pause: the terminal drops them when its last user leaves.
                Err(_) => {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                }
            };
            for line in lines.push(&buffer[..n]) {
                let answer = match line {
                    Ok(line) => self.scale.answer(&line),
                    Err(_) => Some((b"ES\r\n".to_vec(), Duration::ZERO)),
                };
                if let Some((answer, delay)) = answer {
                    thread::sleep(delay);
                    tracing::debug!(answer = %String::from_utf8_lossy(&answer).trim_end(), "answering");
                    let _ = self.master.write_all(&answer).and_then(|()| self.master.flush());
                }
            }
        }
    }
}
