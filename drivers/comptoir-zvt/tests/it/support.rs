//! The simulator as the tests run it: the real `comptoir-zvt-sim` program, on a free TCP port
//! and a pseudo-terminal, with a script file and a journal in a temporary folder.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

use comptoir_device::serial::SerialSettings;
use comptoir_zvt::{Client, ClientConfig, Endpoint, Link, SerialLink, TcpLink};

/// Reads hex bytes written with spaces or dashes.
pub fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// How the client reaches the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Tcp,
    Serial,
}

pub const BOTH: [Via; 2] = [Via::Tcp, Via::Serial];

/// A running simulator; killed when dropped.
pub struct Sim {
    child: Child,
    pub tcp: String,
    pub pty: String,
    dir: tempfile::TempDir,
}

impl Sim {
    pub fn start() -> Sim {
        Sim::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("script");
        let journal = dir.path().join("journal");
        std::fs::write(&script, "approve\n").unwrap();
        let mut child = Process::new(env!("CARGO_BIN_EXE_comptoir-zvt-sim"))
            .args(["--tcp", "127.0.0.1:0", "--serial", "--step-delay-ms", "5"])
            .arg("--script-file")
            .arg(&script)
            .arg("--journal")
            .arg(&journal)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut tcp = String::new();
        let mut pty = String::new();
        for _ in 0..2 {
            let line = lines.next().unwrap().unwrap();
            match line.split_once(' ') {
                Some(("tcp", address)) => tcp = address.to_owned(),
                Some(("serial", path)) => pty = path.to_owned(),
                _ => panic!("the simulator said {line:?}"),
            }
        }
        Sim { child, tcp, pty, dir }
    }

    /// Sets the fault script for the next transactions.
    pub fn script(&self, script: &str) {
        std::fs::write(self.dir.path().join("script"), format!("{script}\n")).unwrap();
    }

    pub fn journal(&self) -> Vec<String> {
        let path: PathBuf = self.dir.path().join("journal");
        std::fs::read_to_string(path).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    /// Charges minus reversals, from the simulator's journal.
    pub fn charges(&self) -> i64 {
        let journal = self.journal();
        let count = |verb: &str| journal.iter().filter(|l| l.starts_with(verb)).count() as i64;
        count("charge ") - count("reverse ")
    }

    pub fn endpoint(&self, via: Via) -> Endpoint {
        match via {
            Via::Tcp => Endpoint::Tcp(self.tcp.clone()),
            Via::Serial => Endpoint::Serial(SerialSettings::new(self.pty.clone())),
        }
    }

    pub fn link(&self, via: Via) -> Box<dyn Link> {
        match via {
            Via::Tcp => Box::new(TcpLink::connect(&self.tcp, Duration::from_secs(2)).unwrap()),
            Via::Serial => {
                let port = SerialSettings::new(self.pty.clone())
                    .open("the simulator", Duration::from_millis(20))
                    .unwrap();
                Box::new(SerialLink::new(port))
            }
        }
    }

    pub fn client(&self, via: Via) -> Client<Box<dyn Link>> {
        Client::new(self.link(via), test_config())
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Short timeouts, so a lost answer is noticed within seconds.
pub fn test_config() -> ClientConfig {
    ClientConfig {
        ack_timeout: Duration::from_secs(2),
        step_timeout: Duration::from_millis(1500),
        ..ClientConfig::default()
    }
}
