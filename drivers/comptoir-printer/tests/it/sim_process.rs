//! The simulator binary as a separate process, the way a crash test drives it.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use comptoir_printer::{Job, TcpConfig, TcpTransport, Transport};

use crate::support::wait_for_files;

/// Kills the simulator when the test ends, pass or fail.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Sim, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir-printer-sim"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let sim = Sim(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{line:?}"));
    (sim, addr.parse().unwrap())
}

#[test]
fn the_binary_announces_its_port_and_records_jobs() {
    let out = tempfile::tempdir().unwrap();
    let (_sim, addr) = start(&["--out", out.path().to_str().unwrap()]);
    assert!(addr.ip().is_loopback());
    let mut printer = TcpTransport::new(TcpConfig::new(addr.to_string()));
    printer.write_job(&Job::new("a", b"\x1b@Merci\n\x1dV\x42\x00".to_vec())).unwrap();
    let files = wait_for_files(out.path(), "bin", 1);
    assert_eq!(std::fs::read(&files[0]).unwrap(), b"\x1b@Merci\n\x1dV\x42\x00");
}

#[test]
fn a_status_file_changes_the_state_of_a_running_simulator() {
    let out = tempfile::tempdir().unwrap();
    let status = out.path().join("status");
    std::fs::write(&status, "cover_open\n").unwrap();
    let out_dir = out.path().join("jobs");
    let (_sim, addr) =
        start(&["--out", out_dir.to_str().unwrap(), "--status-file", status.to_str().unwrap()]);
    let mut printer = TcpTransport::new(TcpConfig::new(addr.to_string()));
    assert_eq!(
        printer.write_job(&Job::new("a", b"x\n".to_vec())).unwrap_err().code(),
        "printer_cover_open"
    );
    std::fs::write(&status, "ok").unwrap();
    printer.write_job(&Job::new("a", b"x\n".to_vec())).unwrap();
}

#[test]
fn help_documents_every_fault_the_simulator_can_play() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_comptoir-printer-sim")).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--status ",
        "--status-file",
        "--slow-ms",
        "--bytes-per-second",
        "--drop-after-bytes",
        "--drawer-open-secs",
        "--drawer-open-low",
        "--pty",
        "Automatic Status Back",
        "DLE DC4",
        "paper_out",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn the_binary_serves_a_serial_printer_on_a_pseudo_terminal() {
    use comptoir_device::serial::SerialSettings;
    use comptoir_printer::{Paper, SerialConfig, SerialTransport};
    let out = tempfile::tempdir().unwrap();
    let status = out.path().join("status");
    std::fs::write(&status, "near_end").unwrap();
    let jobs = out.path().join("jobs");
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir-printer-sim"))
        .args(["--pty", "--drawer-open-secs", "0", "--out", jobs.to_str().unwrap()])
        .args(["--status-file", status.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _sim = Sim(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let path = line.trim().strip_prefix("serial on ").unwrap_or_else(|| panic!("{line:?}"));

    let settings = SerialSettings::parse(&format!("{path}@9600")).unwrap();
    let mut printer = SerialTransport::new(SerialConfig::new(settings));
    assert_eq!(printer.status().unwrap().paper, Paper::NearEnd);
    printer
        .write_job(&Job::new("a", b"\x1b@Merci\n\x1b\x70\x00\x19\xfa\x1dV\x42\x00".to_vec()))
        .unwrap();
    assert_eq!(wait_for_files(&jobs, "bin", 1).len(), 1);
    assert!(printer.status().unwrap().drawer_sensor_high, "the kick opened the drawer");
    std::fs::write(&status, "paper_out").unwrap();
    assert_eq!(printer.status().unwrap().paper, Paper::Out);
}

#[test]
fn the_status_file_also_scripts_the_faults_while_it_runs() {
    let out = tempfile::tempdir().unwrap();
    let status = out.path().join("status");
    std::fs::write(&status, "# cable trouble\nok drop_after_bytes=40\n").unwrap();
    let jobs = out.path().join("jobs");
    let (_sim, addr) =
        start(&["--out", jobs.to_str().unwrap(), "--status-file", status.to_str().unwrap()]);
    let mut printer = TcpTransport::new(TcpConfig::new(addr.to_string()));
    let job = Job::new("a", [b"\x1b@".as_slice(), &[b'x'; 80], b"\n\x1dV\x42\x00"].concat());
    assert_eq!(printer.write_job(&job).unwrap_err().code(), "printer_offline");
    std::fs::write(&status, "ok drop_after_bytes=none").unwrap();
    printer.write_job(&job).unwrap();
    assert_eq!(wait_for_files(&jobs, "bin", 1).len(), 1);
}
