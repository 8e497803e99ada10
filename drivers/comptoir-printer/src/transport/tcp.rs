//! Raw TCP printing (port 9100), with status checked before and after each job.

use std::collections::VecDeque;
use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::{Job, StatusLink, Transport, query_status};
use crate::error::PrintError;
use crate::status::PrinterStatus;
use crate::status::{ASB_ALL, auto_status_back};

/// Where and how patiently to reach a network printer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpConfig {
    /// "host:port", or a bare host for port 9100.
    pub addr: String,
    pub connect_timeout: Duration,
    pub write_timeout: Duration,
    /// How long to wait for a status reply before a job.
    pub read_timeout: Duration,
    /// How long to wait for the status reply after a job: the printer answers it only once it
    /// has taken in the whole job, which on a slow printer with a small buffer takes a while.
    pub finish_timeout: Duration,
    /// Ask `DLE EOT 1, 2, 4` before and after each job. Only a printer behind a one-way
    /// print server (which never answers) needs this off.
    pub check_status: bool,
    /// Between jobs, hold a connection open with Automatic Status Back on (`GS a`), so the
    /// printer reports a change (cover opened, paper out) as it happens. It is closed for
    /// each job and opened again after it, since many network printers take one connection
    /// at a time.
    pub auto_status: bool,
}

impl TcpConfig {
    pub const DEFAULT_PORT: u16 = 9100;

    /// Defaults: 3 s to connect, 10 s per write, 2 s for a status reply (30 s after a job),
    /// status checked.
    pub fn new(addr: impl Into<String>) -> TcpConfig {
        TcpConfig {
            addr: addr.into(),
            connect_timeout: Duration::from_secs(3),
            write_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(2),
            finish_timeout: Duration::from_secs(30),
            check_status: true,
            auto_status: false,
        }
    }
}

/// How many recently printed job ids a transport remembers to refuse a duplicate.
const REMEMBERED_JOBS: usize = 256;

/// A printer on the network, reached with one connection per job: the printer then serves
/// other registers between jobs, and a connection never outlives a half-sent job.
#[derive(Debug)]
pub struct TcpTransport {
    config: TcpConfig,
    printed: VecDeque<String>,
    /// The connection held open between jobs for status back.
    watch: Option<(TcpStream, StatusLink)>,
    /// When opening that connection last failed: not tried again for a while, so a printer
    /// switched off does not hold the printer's thread in connection attempts.
    watch_failed: Option<std::time::Instant>,
}

/// How long after a failed attempt the status back connection is tried again.
const WATCH_RETRY: Duration = Duration::from_secs(2);

impl TcpTransport {
    pub fn new(config: TcpConfig) -> TcpTransport {
        TcpTransport { config, printed: VecDeque::new(), watch: None, watch_failed: None }
    }

    pub fn config(&self) -> &TcpConfig {
        &self.config
    }

    fn connect(&self) -> Result<TcpStream, PrintError> {
        let addrs = resolve(&self.config.addr)?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.config.connect_timeout) {
                Ok(stream) => return self.configure(stream),
                Err(e) => last = Some(e),
            }
        }
        let reason = last.map_or_else(|| "no address".to_owned(), |e| e.to_string());
        Err(PrintError::offline(format!("cannot connect to {}: {reason}", self.config.addr)))
    }

    fn configure(&self, stream: TcpStream) -> Result<TcpStream, PrintError> {
        let setup = |s: &TcpStream| {
            s.set_read_timeout(Some(self.config.read_timeout))?;
            s.set_write_timeout(Some(self.config.write_timeout))?;
            // Status requests are three bytes and wait for an answer: do not let Nagle hold them.
            s.set_nodelay(true)
        };
        setup(&stream).map_err(|e| PrintError::io("configuring the printer connection", e))?;
        Ok(stream)
    }

    fn send(&self, stream: &mut TcpStream, job: &Job) -> Result<(), PrintError> {
        if self.config.check_status {
            query_status(stream)?.ready()?;
        }
        stream.write_all(&job.bytes).map_err(|e| PrintError::from_link("sending the job", e))?;
        stream.flush().map_err(|e| PrintError::from_link("sending the job", e))?;
        if self.config.check_status {
            // A reply after the job proves that the connection held until its last byte (TCP
            // delivers in order) and tells whether the paper ran out on the way.
            stream
                .set_read_timeout(Some(self.config.finish_timeout))
                .map_err(|e| PrintError::io("configuring the printer connection", e))?;
            let after = query_status(stream).map_err(|e| dropped_mid_job(job, e))?;
            after.ready()?;
        }
        Ok(())
    }

    fn remember(&mut self, id: &str) {
        if self.printed.len() == REMEMBERED_JOBS {
            self.printed.pop_front();
        }
        self.printed.push_back(id.to_owned());
    }
}

fn dropped_mid_job(job: &Job, error: PrintError) -> PrintError {
    match error {
        PrintError::Offline { reason } => {
            PrintError::offline(format!("connection dropped during job {}: {reason}", job.id))
        }
        other => other,
    }
}

impl Transport for TcpTransport {
    #[tracing::instrument(skip_all, fields(job = %job.id, bytes = job.bytes.len()))]
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError> {
        if self.printed.contains(&job.id) {
            return Err(PrintError::DuplicateJob { id: job.id.clone() });
        }
        self.close_watch();
        let mut stream = self.connect()?;
        let sent = self.send(&mut stream, job);
        // Closing is best effort: the printer keeps printing what it has received.
        let _ = stream.shutdown(Shutdown::Both);
        match sent {
            Ok(()) => {
                self.remember(&job.id);
                tracing::info!("job printed");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(code = e.code(), error = %e, "job not printed");
                Err(e)
            }
        }
    }

    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        if let Some((stream, link)) = self.watch.as_mut() {
            let status = link.query(stream);
            if status.is_err() {
                self.close_watch();
            }
            return status;
        }
        let mut stream = self.connect()?;
        let status = query_status(&mut stream);
        let _ = stream.shutdown(Shutdown::Both);
        status
    }

    fn send_realtime(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        self.close_watch();
        let mut stream = self.connect()?;
        let sent = stream.write_all(bytes).and_then(|()| stream.flush());
        let _ = stream.shutdown(Shutdown::Both);
        sent.map_err(|e| PrintError::from_link("sending a real-time command", e))
    }

    fn poll_status(&mut self) -> Result<Option<PrinterStatus>, PrintError> {
        if !self.config.auto_status {
            return Ok(None);
        }
        if self.watch.is_none() {
            if self.watch_failed.is_some_and(|at| at.elapsed() < WATCH_RETRY) {
                return Ok(None);
            }
            if let Err(error) = self.open_watch() {
                self.watch_failed = Some(std::time::Instant::now());
                return Err(error);
            }
            self.watch_failed = None;
        }
        let Some((stream, link)) = self.watch.as_mut() else {
            return Ok(None);
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
        let drained = link.drain(stream);
        let _ = stream.set_read_timeout(Some(self.config.read_timeout));
        if drained.is_err() {
            self.close_watch();
        }
        drained
    }

    fn reports_changes(&self) -> bool {
        self.config.auto_status
    }
}

impl TcpTransport {
    fn open_watch(&mut self) -> Result<(), PrintError> {
        let mut stream = self.connect()?;
        stream
            .write_all(&auto_status_back(ASB_ALL))
            .and_then(|()| stream.flush())
            .map_err(|e| PrintError::from_link("turning status back on", e))?;
        self.watch = Some((stream, StatusLink::default()));
        Ok(())
    }

    fn close_watch(&mut self) {
        if let Some((stream, _)) = self.watch.take() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// Resolves "host:port", or a bare host (or bracketed IPv6 address) on port 9100.
fn resolve(addr: &str) -> Result<Vec<SocketAddr>, PrintError> {
    let found = match addr.to_socket_addrs() {
        Ok(found) => found.collect(),
        Err(_) => {
            let host = addr.trim_start_matches('[').trim_end_matches(']');
            (host, TcpConfig::DEFAULT_PORT)
                .to_socket_addrs()
                .map_err(|e| PrintError::offline(format!("cannot resolve {addr}: {e}")))?
                .collect()
        }
    };
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_host_gets_port_9100() {
        assert_eq!(resolve("127.0.0.1").unwrap()[0].port(), 9100);
        assert_eq!(resolve("[::1]").unwrap()[0].port(), 9100);
        assert_eq!(resolve("127.0.0.1:9101").unwrap()[0].port(), 9101);
    }
}
