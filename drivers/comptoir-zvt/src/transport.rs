//! Transports: a [`Link`] carries whole APDUs. Over TCP (port 20007) an APDU is sent as is;
//! over a serial line it is framed ([`crate::frame`]), acknowledged with `ACK`, and sent again
//! (three tries) after a `NAK` or silence. Both ends of a link behave the same, so the
//! simulator uses these links too.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::ParseError;
use crate::apdu::apdu_len;
use crate::frame::{ACK, DLE, NAK, encode_frame, split_frame};

/// Why a link could not carry an APDU.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("no answer in time")]
    Timeout,
    #[error("the connection closed")]
    Closed,
    #[error("garbled data: {0}")]
    Garbled(ParseError),
    #[error("the other end refused the frame {0} times")]
    Refused(u8),
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn link_io_error(error: io::Error) -> LinkError {
    use io::ErrorKind as K;
    match error.kind() {
        K::TimedOut | K::WouldBlock => LinkError::Timeout,
        K::ConnectionReset
        | K::ConnectionAborted
        | K::BrokenPipe
        | K::NotConnected
        | K::UnexpectedEof => LinkError::Closed,
        // A pseudo-terminal whose other end is closed reads EIO.
        _ if error.raw_os_error() == Some(5) => LinkError::Closed,
        _ => LinkError::Io(error),
    }
}

/// Carries whole APDUs between the register and the terminal.
pub trait Link: Send {
    /// Sends one APDU (and, on a serial line, waits for its `ACK`).
    fn send(&mut self, apdu: &[u8]) -> Result<(), LinkError>;

    /// Waits up to `timeout` for the next whole APDU.
    fn recv(&mut self, timeout: Duration) -> Result<Vec<u8>, LinkError>;

    /// Where the link goes, for logs (`tcp://10.0.0.7:20007`).
    fn describe(&self) -> String;
}

impl Link for Box<dyn Link> {
    fn send(&mut self, apdu: &[u8]) -> Result<(), LinkError> {
        (**self).send(apdu)
    }

    fn recv(&mut self, timeout: Duration) -> Result<Vec<u8>, LinkError> {
        (**self).recv(timeout)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// ZVT over TCP.
pub struct TcpLink {
    stream: TcpStream,
    buffer: Vec<u8>,
    peer: String,
}

impl TcpLink {
    /// Connects to `address` (`host:port`) within `timeout`.
    pub fn connect(address: &str, timeout: Duration) -> io::Result<TcpLink> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the address resolves to nothing");
        for socket in address.to_socket_addrs()? {
            match TcpStream::connect_timeout(&socket, timeout) {
                Ok(stream) => return TcpLink::from_stream(stream),
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    /// Wraps a connected stream (the simulator's side of an accepted connection).
    pub fn from_stream(stream: TcpStream) -> io::Result<TcpLink> {
        stream.set_nodelay(true)?;
        let peer = stream.peer_addr().map(|a| a.to_string()).unwrap_or_default();
        Ok(TcpLink { stream, buffer: Vec::new(), peer })
    }

    /// Closes the connection at once, both ways.
    pub fn shutdown(&self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

impl Link for TcpLink {
    fn send(&mut self, apdu: &[u8]) -> Result<(), LinkError> {
        self.stream.write_all(apdu).map_err(link_io_error)
    }

    fn recv(&mut self, timeout: Duration) -> Result<Vec<u8>, LinkError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(len) = apdu_len(&self.buffer)
                && self.buffer.len() >= len
            {
                return Ok(self.buffer.drain(..len).collect());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(LinkError::Timeout);
            }
            self.stream.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(LinkError::Closed),
                Ok(n) => self.buffer.extend(&chunk[..n]),
                Err(error) => match link_io_error(error) {
                    LinkError::Timeout => {}
                    other => return Err(other),
                },
            }
        }
    }

    fn describe(&self) -> String {
        format!("tcp://{}", self.peer)
    }
}

/// How many times a serial frame is sent before the link gives up.
const TRIES: u8 = 3;
/// How long a sender waits for `ACK` or `NAK` (the specification's T1 is a few hundred ms).
const ACK_WAIT: Duration = Duration::from_millis(1000);
/// How long one read on the port blocks, so deadlines are kept.
const SLICE: Duration = Duration::from_millis(20);

/// ZVT over a serial line (or a pseudo-terminal).
///
/// FIXME(zvt-serial-timing): the waits are fixed (one second for `ACK`, three tries) rather
/// than the specification's T1/T2 per baud rate, and both ends starting a frame at the same
/// moment is not arbitrated; neither has been tried on a real terminal's serial port.
pub struct SerialLink {
    port: Box<dyn serialport::SerialPort>,
    buffer: Vec<u8>,
    name: String,
}

impl SerialLink {
    pub fn new(port: Box<dyn serialport::SerialPort>) -> SerialLink {
        let name = port.name().unwrap_or_else(|| "serial".to_owned());
        SerialLink { port, buffer: Vec::new(), name }
    }

    /// Forgets bytes half read (after the other end went away).
    pub fn clear(&mut self) {
        self.buffer.clear();
    }

    fn fill(&mut self, deadline: Instant) -> Result<(), LinkError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(LinkError::Timeout);
        }
        self.port.set_timeout(left.min(SLICE)).map_err(|e| LinkError::Io(e.into()))?;
        let mut chunk = [0u8; 1024];
        match self.port.read(&mut chunk) {
            Ok(0) => {
                // A pseudo-terminal with nobody on the other end reads nothing at once.
                std::thread::sleep(SLICE);
                Ok(())
            }
            Ok(n) => {
                self.buffer.extend(&chunk[..n]);
                Ok(())
            }
            Err(error) => match link_io_error(error) {
                LinkError::Timeout => Ok(()),
                other => Err(other),
            },
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), LinkError> {
        self.port.write_all(bytes).map_err(link_io_error)?;
        self.port.flush().map_err(link_io_error)
    }

    fn wait_ack(&mut self) -> Result<bool, LinkError> {
        let deadline = Instant::now() + ACK_WAIT;
        loop {
            match self.buffer.first() {
                Some(&ACK) => {
                    self.buffer.remove(0);
                    return Ok(true);
                }
                Some(&NAK) => {
                    self.buffer.remove(0);
                    return Ok(false);
                }
                Some(&DLE) | None => {}
                Some(_) => {
                    self.buffer.remove(0);
                    continue;
                }
            }
            match self.fill(deadline) {
                Err(LinkError::Timeout) => return Ok(false),
                other => other?,
            }
        }
    }
}

impl Link for SerialLink {
    fn send(&mut self, apdu: &[u8]) -> Result<(), LinkError> {
        let frame = encode_frame(apdu);
        for attempt in 1..=TRIES {
            self.write(&frame)?;
            if self.wait_ack()? {
                return Ok(());
            }
            tracing::debug!(attempt, port = %self.name, "zvt frame not acknowledged: sending again");
        }
        Err(LinkError::Refused(TRIES))
    }

    fn recv(&mut self, timeout: Duration) -> Result<Vec<u8>, LinkError> {
        let deadline = Instant::now() + timeout;
        let mut bad = 0u8;
        loop {
            // Whatever comes before a frame (a stray ACK, line noise) is dropped.
            let start = self.buffer.iter().position(|&b| b == DLE).unwrap_or(self.buffer.len());
            self.buffer.drain(..start);
            match split_frame(&self.buffer) {
                Ok(Some(frame)) => {
                    self.buffer.drain(..frame.consumed);
                    if frame.crc_ok {
                        self.write(&[ACK])?;
                        return Ok(frame.apdu);
                    }
                    self.write(&[NAK])?;
                    bad += 1;
                }
                Ok(None) => {
                    self.fill(deadline)?;
                    continue;
                }
                Err(error) => {
                    tracing::debug!(%error, port = %self.name, "zvt garbage on the line");
                    self.buffer.drain(..1);
                    self.write(&[NAK])?;
                    bad += 1;
                    if bad >= TRIES {
                        return Err(LinkError::Garbled(error));
                    }
                    continue;
                }
            }
            if bad >= TRIES {
                return Err(LinkError::Garbled(ParseError::BadCrc));
            }
        }
    }

    fn describe(&self) -> String {
        format!("serial://{}", self.name)
    }
}
