//! VirtualTransport: one file per job, written atomically, never the same job twice.

use comptoir_printer::sim::ScriptedStatus;
use comptoir_printer::{Job, PrinterStatus, Transport, VirtualTransport};

#[test]
fn each_job_is_a_numbered_file_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut printer = VirtualTransport::new(dir.path().join("jobs"));
    printer.write_job(&Job::new("sale-1", b"first\n".to_vec())).unwrap();
    printer.write_job(&Job::new("sale-2", b"second\n".to_vec())).unwrap();

    let jobs = printer.jobs().unwrap();
    let names: Vec<_> =
        jobs.iter().map(|j| j.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["000001-sale-1.bin", "000002-sale-2.bin"]);
    assert_eq!(printer.read_job("sale-2").unwrap().unwrap(), b"second\n");
    assert_eq!(printer.read_job("sale-3").unwrap(), None);
    assert_eq!(printer.status().unwrap(), PrinterStatus::OK);
}

#[test]
fn no_temporary_file_is_left_or_listed() {
    let dir = tempfile::tempdir().unwrap();
    // What a crash between write and rename leaves behind.
    std::fs::write(dir.path().join(".000001-sale-1.bin.tmp"), b"half").unwrap();
    let mut printer = VirtualTransport::new(dir.path());
    assert!(printer.jobs().unwrap().is_empty());
    printer.write_job(&Job::new("sale-1", b"whole\n".to_vec())).unwrap();
    let visible: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".000001-sale-1.bin.tmp"))
        .collect();
    assert_eq!(visible, ["000001-sale-1.bin"]);
    assert_eq!(printer.read_job("sale-1").unwrap().unwrap(), b"whole\n");
}

#[test]
fn a_duplicate_job_id_is_refused_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut printer = VirtualTransport::new(dir.path());
    printer.write_job(&Job::new("sale-1", b"once\n".to_vec())).unwrap();
    let err = printer.write_job(&Job::new("sale-1", b"twice\n".to_vec())).unwrap_err();
    assert_eq!(err.code(), "printer_duplicate_job");

    let mut restarted = VirtualTransport::new(dir.path());
    assert_eq!(
        restarted.write_job(&Job::new("sale-1", b"again\n".to_vec())).unwrap_err().code(),
        "printer_duplicate_job"
    );
    assert_eq!(restarted.read_job("sale-1").unwrap().unwrap(), b"once\n");
    restarted.write_job(&Job::new("sale-2", Vec::new())).unwrap();
    assert_eq!(restarted.jobs().unwrap().last().unwrap().seq, 2);
}

#[test]
fn a_scripted_status_refuses_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let mut printer = VirtualTransport::new(dir.path());
    printer.set_status(ScriptedStatus::CoverOpen.status());
    let err = printer.write_job(&Job::new("sale-1", b"x".to_vec())).unwrap_err();
    assert_eq!(err.code(), "printer_cover_open");
    assert!(printer.jobs().unwrap().is_empty());
}

#[test]
fn a_job_id_cannot_name_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut printer = VirtualTransport::new(dir.path().join("jobs"));
    for id in ["../escape", "a/b", "", ".hidden"] {
        let err = printer.write_job(&Job::new(id, b"x".to_vec())).unwrap_err();
        assert_eq!(err.code(), "printer_error", "{id:?}");
    }
    assert!(!dir.path().join("escape.bin").exists());
}

#[test]
fn transports_can_move_to_the_printer_thread() {
    fn send<T: Send + 'static>() {}
    send::<VirtualTransport>();
    send::<comptoir_printer::TcpTransport>();
    send::<comptoir_printer::DeviceFileTransport>();
    send::<Box<dyn Transport + Send>>();
}
