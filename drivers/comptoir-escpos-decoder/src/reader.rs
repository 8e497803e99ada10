//! A cursor over the job's bytes that turns running out of input into a `Truncated` error.

use crate::error::{DecodeError, QUOTED_BYTES};

/// Reads one command at a time; `start` is where the command being read began.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    start: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0, start: 0 }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Marks the start of the next command, so errors point at its first byte.
    pub(crate) fn begin(&mut self) {
        self.start = self.pos;
    }

    pub(crate) fn start(&self) -> usize {
        self.start
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        let byte = self.peek().ok_or_else(|| self.truncated(1))?;
        self.pos += 1;
        Ok(byte)
    }

    /// A little-endian 16-bit parameter (`nL nH`).
    pub(crate) fn u16(&mut self) -> Result<u16, DecodeError> {
        self.array().map(u16::from_le_bytes)
    }

    /// A little-endian 32-bit parameter (`p1 p2 p3 p4` of `GS 8 L`).
    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        self.array().map(u32::from_le_bytes)
    }

    /// The next `N` bytes, all or a `Truncated` error saying how many are missing.
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    pub(crate) fn take(&mut self, count: usize) -> Result<&'a [u8], DecodeError> {
        let available = self.bytes.len() - self.pos;
        if count > available {
            return Err(self.truncated(count - available));
        }
        let taken = &self.bytes[self.pos..self.pos + count];
        self.pos += count;
        Ok(taken)
    }

    /// The bytes up to a NUL, which is consumed but not returned.
    pub(crate) fn until_nul(&mut self) -> Result<&'a [u8], DecodeError> {
        let rest = &self.bytes[self.pos..];
        let len = rest.iter().position(|&b| b == 0).ok_or_else(|| self.truncated(1))?;
        self.pos += len + 1;
        Ok(&rest[..len])
    }

    /// Consumes bytes while `keep` holds and returns them.
    pub(crate) fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &'a [u8] {
        let rest = &self.bytes[self.pos..];
        let len = rest.iter().position(|&b| !keep(b)).unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    pub(crate) fn unknown(&self) -> DecodeError {
        DecodeError::UnknownCommand { offset: self.start, bytes: self.quoted(self.pos) }
    }

    pub(crate) fn invalid(&self, reason: &'static str) -> DecodeError {
        DecodeError::InvalidParameter { offset: self.start, bytes: self.quoted(self.pos), reason }
    }

    fn truncated(&self, needed: usize) -> DecodeError {
        DecodeError::Truncated { offset: self.start, bytes: self.quoted(self.bytes.len()), needed }
    }

    fn quoted(&self, end: usize) -> Vec<u8> {
        let end = end.min(self.start + QUOTED_BYTES).min(self.bytes.len());
        self.bytes[self.start..end].to_vec()
    }
}
