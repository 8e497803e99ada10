//! Running the `comptoir` binary and the printer simulator as separate processes.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub const PEANUTS: &str = "0019061093791";
pub const TRUFFLES: &str = "0020601405080";
pub const SRIRACHA_UPC_A: &str = "024463061163";

pub fn comptoir(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_comptoir"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("COMPTOIR_PIN")
        .env_remove("COMPTOIR_DATA_DIR")
        // Never the store PC's /etc/comptoir/register.toml: a test names its own file.
        .env("COMPTOIR_CONFIG", data_dir.join("no-config-file.toml"));
    command
}

pub fn run(command: &mut Command, stdin: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn json(output: &Output) -> serde_json::Value {
    let text = if output.status.success() { &output.stdout } else { &output.stderr };
    serde_json::from_slice(text)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(text)))
}

/// A Montréal register with a shift open, in a temporary folder.
pub fn montreal() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let init = run(comptoir(dir.path()).args(["init", "--store", "montreal"]), "");
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let open =
        run(comptoir(dir.path()).args(["--pin", "1234", "shift", "open", "--float", "100.00"]), "");
    assert!(open.status.success(), "{}", String::from_utf8_lossy(&open.stderr));
    dir
}

/// A simulator binary built beside the tests (`cargo build --workspace --bins`).
pub fn simulator_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` first",
        path.display()
    );
    path
}

/// The printer simulator running as its own process, recording every job to `out`.
pub struct Printer {
    child: Child,
    pub port: u16,
}

impl Printer {
    /// `slow_ms` delays every 64 bytes the printer takes in, as a slow printer does.
    pub fn start(out: &Path, slow_ms: u64) -> Printer {
        let mut child = Command::new(simulator_binary("comptoir-printer-sim"))
            .args(["--port", "0", "--slow-ms", &slow_ms.to_string(), "--out"])
            .arg(out)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("simulator said {line:?}"));
        Printer { child, port }
    }
}

impl Drop for Printer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
