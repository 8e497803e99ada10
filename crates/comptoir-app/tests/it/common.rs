//! Shared set-up: a Montréal or London register in a temporary folder at a fixed time.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use comptoir_app::{ManualClock, OpenOptions, Pin, Register};

/// Three real Montréal barcodes: two taxable snacks and a zero-rated grocery (as a 12-digit UPC-A).
pub const PEANUTS: &str = "0019061093791"; // French Burnt Peanuts, 3.89, standard
pub const TRUFFLES: &str = "0020601405080"; // Organic French Truffles, 3.49, standard
pub const SRIRACHA_UPC_A: &str = "024463061163"; // Sriracha Hot Chili Sauce, 3.59, zero-rated

pub struct Till {
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub register: Register,
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn options(clock: &Arc<ManualClock>) -> OpenOptions {
    OpenOptions { clock: Box::new(clock.clone()), printer: None, persist_cart: true }
}

pub fn till(store: &str) -> Till {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(at("2026-12-03T15:00:00Z")));
    let register = Register::init_demo(dir.path(), store, 1, options(&clock)).unwrap();
    Till { dir, clock, register }
}

/// A Montréal register with the manager signed in and a shift open on a 150.00 float.
pub fn open_till() -> Till {
    let mut till = till("montreal");
    till.register.sign_in(&Pin::new("1234")).unwrap();
    till.register.open_shift("150.00").unwrap();
    till
}

impl Till {
    /// Closes the register and opens it again on the same folder, as after a restart.
    pub fn restart(self) -> Till {
        let Till { dir, clock, register } = self;
        drop(register);
        let register = Register::open(dir.path(), options(&clock)).unwrap();
        Till { dir, clock, register }
    }

    /// The decoded text of a printed job, read back from the virtual printer's folder.
    pub fn printed_text(&self, job: &str) -> String {
        let preview = self.register.receipt_preview(Some(job)).unwrap();
        preview.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")
    }

    /// The print jobs the virtual printer took, in order, without the drawer's pulses.
    pub fn printed_jobs(&self) -> Vec<String> {
        self.printer_files()
            .into_iter()
            .map(|j| j.id)
            .filter(|id| !id.starts_with("drawer-") && !id.starts_with("realtime-"))
            .collect()
    }

    /// Every drawer pulse the virtual printer received, queued or real-time, in order.
    pub fn drawer_pulses(&self) -> Vec<comptoir_escpos_decoder::DrawerPulse> {
        self.printer_files()
            .iter()
            .flat_map(|j| {
                let bytes = std::fs::read(&j.path).unwrap();
                comptoir_escpos_decoder::render(&bytes).unwrap().kicks
            })
            .collect()
    }

    fn printer_files(&self) -> Vec<comptoir_printer::JobRecord> {
        let printer = comptoir_printer::VirtualTransport::new(self.dir.path().join("printer"));
        printer.jobs().unwrap()
    }
}

/// A device simulator (built beside the tests by `cargo build --bins`) running as its own
/// process, killed when dropped.
pub struct Simulator(std::process::Child);

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Simulator {
    /// Starts `name` with `args` and returns it with the last word of the first line it
    /// prints (the pty path or address a setting names). What it says later is read and
    /// dropped, so it never writes into a closed pipe.
    pub fn start(name: &str, args: &[&std::ffi::OsStr]) -> (Simulator, String) {
        use std::io::BufRead;
        let exe = std::env::current_exe().unwrap();
        let bin = exe.parent().and_then(std::path::Path::parent).unwrap().join(name);
        assert!(bin.exists(), "{} is missing: run `cargo build --bins` first", bin.display());
        let mut child = std::process::Command::new(bin)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        (Simulator(child), line.split_whitespace().last().unwrap_or_default().to_owned())
    }
}

/// A print job as the register stored it.
pub fn receipt_job(till: &Till, id: &str) -> comptoir_store::PrintJobRow {
    till.register.database().print_job(id).unwrap().expect("no such print job")
}
