//! The default printer: each job is a file in a folder, written atomically and never twice.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Job, Transport, check_job_id};
use crate::error::PrintError;
use crate::status::PrinterStatus;

/// A printer that keeps each job as `dir/<NNNNNN>-<job id>.bin`. A job file appears whole or
/// not at all (written to a hidden temporary name, synced, then renamed), and a job id that
/// is already in the folder is refused, also after a restart of the register.
///
/// One register owns a folder: two processes writing the same folder could race on numbers.
#[derive(Debug)]
pub struct VirtualTransport {
    dir: PathBuf,
    scripted: PrinterStatus,
}

/// A job kept by the virtual printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    /// Its place in the order jobs were printed, from 1.
    pub seq: u32,
    pub id: String,
    pub path: PathBuf,
}

impl VirtualTransport {
    pub fn new(dir: impl Into<PathBuf>) -> VirtualTransport {
        VirtualTransport { dir: dir.into(), scripted: PrinterStatus::OK }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes the printer report `status` (paper out, cover open ...) until set back to OK:
    /// for tests and demos of the error paths.
    pub fn set_status(&mut self, status: PrinterStatus) {
        self.scripted = status;
    }

    /// The jobs printed so far, in order.
    pub fn jobs(&self) -> Result<Vec<JobRecord>, PrintError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(PrintError::io(format!("listing {}", self.dir.display()), e)),
        };
        let mut jobs = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| PrintError::io("listing print jobs", e))?;
            if let Some(record) = parse_name(&entry.path()) {
                jobs.push(record);
            }
        }
        jobs.sort_by_key(|job| job.seq);
        Ok(jobs)
    }

    /// The bytes of the job with this id, if it was printed.
    pub fn read_job(&self, id: &str) -> Result<Option<Vec<u8>>, PrintError> {
        let Some(record) = self.jobs()?.into_iter().find(|job| job.id == id) else {
            return Ok(None);
        };
        let bytes = fs::read(&record.path)
            .map_err(|e| PrintError::io(format!("reading {}", record.path.display()), e))?;
        Ok(Some(bytes))
    }

    fn store(&self, seq: u32, job: &Job) -> Result<PathBuf, PrintError> {
        fs::create_dir_all(&self.dir)
            .map_err(|e| PrintError::io(format!("creating {}", self.dir.display()), e))?;
        let name = format!("{seq:06}-{}.bin", job.id);
        let temp = self.dir.join(format!(".{name}.tmp"));
        let path = self.dir.join(&name);
        write_synced(&temp, &job.bytes)?;
        fs::rename(&temp, &path)
            .map_err(|e| PrintError::io(format!("renaming {}", temp.display()), e))?;
        sync_dir(&self.dir);
        Ok(path)
    }
}

impl Transport for VirtualTransport {
    #[tracing::instrument(skip_all, fields(job = %job.id, bytes = job.bytes.len()))]
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError> {
        check_job_id(&job.id)?;
        self.scripted.ready()?;
        let jobs = self.jobs()?;
        if jobs.iter().any(|printed| printed.id == job.id) {
            return Err(PrintError::DuplicateJob { id: job.id.clone() });
        }
        let seq = jobs.last().map_or(1, |last| last.seq + 1);
        let path = self.store(seq, job)?;
        tracing::info!(seq, path = %path.display(), "job printed to file");
        Ok(())
    }

    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        Ok(self.scripted)
    }

    /// Kept as a job of its own (`realtime-N`), printed whatever the scripted state, as a
    /// printer runs a real-time command even in error.
    fn send_realtime(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        let jobs = self.jobs()?;
        let seq = jobs.last().map_or(1, |last| last.seq + 1);
        let path = self.store(seq, &Job::new(format!("realtime-{seq}"), bytes.to_vec()))?;
        tracing::info!(seq, path = %path.display(), "real-time command kept");
        Ok(())
    }
}

/// Writes a file and makes its content durable before it is renamed into view.
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), PrintError> {
    let context = || format!("writing {}", path.display());
    let mut file = File::create(path).map_err(|e| PrintError::io(context(), e))?;
    file.write_all(bytes).map_err(|e| PrintError::io(context(), e))?;
    file.sync_all().map_err(|e| PrintError::io(context(), e))
}

/// Makes a rename durable. Best effort: not every platform can open a folder to sync it.
pub(crate) fn sync_dir(dir: &Path) {
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "cannot sync folder");
    }
}

/// Reads "000042-sale-17.bin" as job 42 with id "sale-17"; temporary and other files are not jobs.
fn parse_name(path: &Path) -> Option<JobRecord> {
    let name = path.file_name()?.to_str()?.strip_suffix(".bin")?;
    let (seq, id) = name.split_once('-')?;
    if seq.len() < 6 || !seq.bytes().all(|b| b.is_ascii_digit()) || id.is_empty() {
        return None;
    }
    Some(JobRecord { seq: seq.parse().ok()?, id: id.to_owned(), path: path.to_owned() })
}
