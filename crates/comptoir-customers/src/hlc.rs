//! The hybrid logical clock that orders edits of one field across replicas.
//!
//! automerge resolves concurrent writes by operation counters, which say nothing about which
//! edit a person made last. Every value we write therefore carries a [`Timestamp`] from this
//! clock, and readers keep the largest.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The replica (a register or the server) that wrote a value. A register uses its register id.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReplicaId(pub Uuid);

impl fmt::Debug for ReplicaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReplicaId({})", self.0)
    }
}

impl fmt::Display for ReplicaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One reading of a hybrid logical clock: wall milliseconds, a counter for events within the
/// same millisecond (or while the wall clock is behind), and the replica, which breaks ties.
///
/// Order is `(ms, counter, replica)`, so two timestamps from different replicas are never
/// equal, and the text form (`{ms:016x}.{counter:08x}.{replica}`) sorts the same way.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Timestamp {
    /// Milliseconds since the Unix epoch, as the writer's clock saw them (never less than any
    /// timestamp the writer had seen).
    pub ms: u64,
    /// Events after `ms` was last advanced.
    pub counter: u32,
    /// Who wrote it.
    pub replica: ReplicaId,
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.ms, self.counter, self.replica).cmp(&(other.ms, other.counter, other.replica))
    }
}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}.{:08x}.{}", self.ms, self.counter, self.replica.0.as_hyphenated())
    }
}

/// A timestamp's text form did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a hybrid logical clock timestamp")]
pub struct BadTimestamp;

impl FromStr for Timestamp {
    type Err = BadTimestamp;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, '.');
        let (Some(ms), Some(counter), Some(replica)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(BadTimestamp);
        };
        if ms.len() != 16 || counter.len() != 8 {
            return Err(BadTimestamp);
        }
        Ok(Timestamp {
            ms: u64::from_str_radix(ms, 16).map_err(|_| BadTimestamp)?,
            counter: u32::from_str_radix(counter, 16).map_err(|_| BadTimestamp)?,
            replica: ReplicaId(Uuid::parse_str(replica).map_err(|_| BadTimestamp)?),
        })
    }
}

/// A replica's hybrid logical clock. Monotonic: every reading is larger than the previous one
/// and than every timestamp observed, whatever the wall clock does.
#[derive(Clone, Debug)]
pub struct Hlc {
    replica: ReplicaId,
    ms: u64,
    counter: u32,
}

impl Hlc {
    /// A clock for `replica` that has seen nothing yet.
    pub fn new(replica: ReplicaId) -> Hlc {
        Hlc { replica, ms: 0, counter: 0 }
    }

    /// The replica this clock stamps.
    pub fn replica(&self) -> ReplicaId {
        self.replica
    }

    /// The next timestamp, given the wall clock's reading. If the wall clock went back (or
    /// another replica's clock is ahead), the clock keeps its time and counts up instead.
    pub fn tick(&mut self, wall_ms: u64) -> Timestamp {
        if wall_ms > self.ms {
            self.ms = wall_ms;
            self.counter = 0;
        } else if self.counter == u32::MAX {
            self.ms += 1;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        Timestamp { ms: self.ms, counter: self.counter, replica: self.replica }
    }

    /// Takes in a timestamp seen in a document, so the next tick is after it.
    pub fn observe(&mut self, seen: Timestamp) {
        if (seen.ms, seen.counter) > (self.ms, self.counter) {
            self.ms = seen.ms;
            self.counter = seen.counter;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replica(n: u128) -> ReplicaId {
        ReplicaId(Uuid::from_u128(n))
    }

    #[test]
    fn stays_monotonic_when_the_wall_clock_jumps_back() {
        let mut hlc = Hlc::new(replica(1));
        let a = hlc.tick(10_000);
        let b = hlc.tick(4_000);
        let c = hlc.tick(4_001);
        let d = hlc.tick(10_001);
        assert!(a < b && b < c && c < d, "{a} {b} {c} {d}");
        assert_eq!((b.ms, b.counter), (10_000, 1));
        assert_eq!((d.ms, d.counter), (10_001, 0));
    }

    #[test]
    fn a_tick_after_observing_is_later_than_what_was_observed() {
        let mut behind = Hlc::new(replica(1));
        let mut ahead = Hlc::new(replica(2));
        let theirs = ahead.tick(50_000);
        behind.observe(theirs);
        let ours = behind.tick(1_000);
        assert!(ours > theirs);
    }

    #[test]
    fn equal_clock_readings_are_ordered_by_replica() {
        let a = Timestamp { ms: 5, counter: 0, replica: replica(1) };
        let b = Timestamp { ms: 5, counter: 0, replica: replica(2) };
        assert!(a < b);
        assert!(a.to_string() < b.to_string());
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_timestamp() {
        let a = Timestamp { ms: 0x1_0000, counter: 2, replica: replica(9) };
        let b = Timestamp { ms: 0xffff, counter: 7, replica: replica(9) };
        assert_eq!(a.to_string().parse::<Timestamp>(), Ok(a));
        assert_eq!(b < a, b.to_string() < a.to_string());
        assert_eq!("nonsense".parse::<Timestamp>(), Err(BadTimestamp));
    }
}
