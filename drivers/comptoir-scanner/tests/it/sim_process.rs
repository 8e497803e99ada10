//! The simulator binary as its own process, driven the way IT runs it for a demo.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use comptoir_device::Device;
use comptoir_scanner::{InStoreRules, Scanned, ScannerConfig, SerialScanner};

use crate::support::{next_error, next_scan};

/// Kills the simulator when the test ends, pass or fail.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the simulator and returns it, its standard input and the path it announced.
fn start(args: &[&str]) -> (Sim, ChildStdin, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir-scanner-sim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let sim = Sim(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let path = line.trim().strip_prefix("scanner on ").unwrap_or_else(|| panic!("{line:?}"));
    (sim, stdin, path.to_owned())
}

fn open(path: &str) -> Device<SerialScanner> {
    let config = ScannerConfig::parse(path).unwrap();
    let device = Device::open(SerialScanner::new(config, &InStoreRules::builtin()));
    device.claim(Duration::from_secs(5)).unwrap();
    device.enable(Duration::from_secs(5)).unwrap();
    device
}

#[test]
fn the_binary_announces_its_port_and_scans_what_it_reads() {
    let (_sim, mut stdin, path) = start(&["--aim"]);
    assert!(path.starts_with("/dev/"), "{path}");
    let device = open(&path);
    writeln!(stdin, "4006381333931\n(01)07032069804988(17)260500(10)AB12\nMTL01-2-000042").unwrap();
    let ean = next_scan(&device);
    assert_eq!(ean.aim.unwrap().to_string(), "]E0");
    assert!(matches!(ean.scanned, Scanned::Item { .. }));
    let gs1 = next_scan(&device);
    assert_eq!(gs1.aim.unwrap().to_string(), "]C1");
    let Scanned::Gs1(elements) = gs1.scanned else { panic!() };
    assert_eq!(elements.batch(), Some("AB12"));
    assert_eq!(elements.to_hri(), "(01)07032069804988(17)260500(10)AB12");
    assert_eq!(next_scan(&device).scanned, Scanned::Receipt("MTL01-2-000042".into()));
}

#[test]
fn garbage_and_crlf_from_the_binary() {
    let (_sim, mut stdin, path) = start(&["--garbage", "--suffix", "crlf"]);
    let device = open(&format!("{path},suffix=crlf"));
    writeln!(stdin, "96385074").unwrap();
    assert_eq!(next_error(&device).code(), "scan_garbage");
    assert!(matches!(next_scan(&device).scanned, Scanned::Item { .. }));
}

#[test]
fn codes_from_a_file_after_the_delay() {
    let dir = std::env::temp_dir().join(format!("comptoir-scanner-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("codes.txt");
    std::fs::write(&file, "85123A\n\nCR-MTL01-000001\n").unwrap();
    // The delay leaves time to open the port: what comes before the driver is enabled is
    // dropped, as a scan made while the register was not listening should be.
    let (_sim, _stdin, path) =
        start(&["--delay-ms", "1000", "--gap-ms", "10", "--file", file.to_str().unwrap()]);
    let device = open(&path);
    assert_eq!(next_scan(&device).scanned, Scanned::Text("85123A".into()));
    assert_eq!(next_scan(&device).scanned, Scanned::Credit("CR-MTL01-000001".into()));
    let _ = std::fs::remove_dir_all(&dir);
}
