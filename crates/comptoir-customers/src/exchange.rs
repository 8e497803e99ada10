//! Sync through a central server that keeps no state between requests: a register pushes the
//! chunks the server has not acknowledged and pulls the server's chunks after a cursor; the
//! server merges what it is pushed into the document it stores and writes the result as one
//! new chunk. No automerge sync state is held on either side, so several server processes over
//! one database behave as one: each request loads the documents it names, under a lock.
//!
//! Chunks are automerge saves (whole or incremental); taking in a chunk twice changes nothing,
//! so a push repeated after a lost answer is harmless.

use automerge::{ChangeHash, ReadDoc, ScalarValue};

use crate::crypto::CustomerKey;
use crate::doc::{CustomerDoc, Write};
use crate::error::CustomerError;
use crate::hlc::Hlc;
use crate::model::{CustomerId, Erasure, Field};
use crate::repair;

/// What the server's merge of pushed chunks came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The pushed chunks held nothing new.
    Unchanged,
    /// The document changed: store `chunk` (a whole save if `whole`, to replace every stored
    /// chunk; otherwise what changed, to append).
    Changed {
        chunk: Vec<u8>,
        whole: bool,
        /// The erasure, if the document now carries a tombstone.
        erasure: Option<Erasure>,
        /// Corrections written after the merge (see [`repair::compensate`]).
        corrected: usize,
    },
    /// Some pushed changes depend on changes the server does not hold (it was restored from
    /// an older backup): nothing is stored, and the register must push the whole document.
    Missing,
}

/// Checks that `chunk` is whole automerge data: automerge's incremental load skips what it
/// cannot parse without saying so, so bytes that are not a save would be taken for nothing.
pub fn check_chunk(chunk: &[u8]) -> Result<(), CustomerError> {
    let options = automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Error);
    match automerge::Automerge::load_with_options(chunk, options) {
        // Parsed whole; its changes need others (the genesis, earlier edits) to apply.
        Ok(_) | Err(automerge::AutomergeError::MissingDeps) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

impl CustomerDoc {
    /// Takes in a chunk (a whole save or an incremental one); changes already held are ignored.
    /// Bytes that are not automerge data are refused.
    pub fn absorb(&mut self, chunk: &[u8]) -> Result<(), CustomerError> {
        check_chunk(chunk)?;
        self.automerge_mut().load_incremental(chunk)?;
        Ok(())
    }

    /// Whether changes were taken in whose dependencies are not held (they wait, unapplied).
    pub fn missing_deps(&self) -> bool {
        !self.automerge().get_missing_deps(&[]).is_empty()
    }
}

/// The server's merge: loads the document from its `stored` chunks, takes in the `pushed`
/// ones, corrects what the rules refuse (with the key when it is held), and gives the chunk to
/// store. `compact`: give a whole save (the stored chunks are many).
pub fn merge(
    id: CustomerId,
    stored: &[Vec<u8>],
    pushed: &[Vec<u8>],
    key: Option<&CustomerKey>,
    hlc: &mut Hlc,
    now_ms: u64,
    compact: bool,
) -> Result<Merged, CustomerError> {
    let mut doc = CustomerDoc::load(id, stored.iter().map(Vec::as_slice))?;
    let before = doc.heads();
    for chunk in pushed {
        doc.absorb(chunk)?;
    }
    if doc.missing_deps() {
        return Ok(Merged::Missing);
    }
    if doc.heads() == before {
        return Ok(Merged::Unchanged);
    }
    let erasure = doc.erasure();
    let key = if erasure.is_some() { None } else { key };
    let corrected = repair::compensate(&mut doc, key, hlc, now_ms)?.len();
    Ok(Merged::Changed {
        chunk: chunk_after(&doc, &before, compact),
        whole: compact,
        erasure,
        corrected,
    })
}

fn chunk_after(doc: &CustomerDoc, before: &[ChangeHash], whole: bool) -> Vec<u8> {
    if whole { doc.save() } else { doc.save_after(before) }
}

/// Erases a stored customer (on the server, at the customer's request): the tombstone, the
/// personal fields cleared and the notes withdrawn, as one chunk to append. The caller destroys
/// the key. `None` if the document was already erased.
pub fn erase_stored(
    id: CustomerId,
    stored: &[Vec<u8>],
    hlc: &mut Hlc,
    now_ms: u64,
) -> Result<Option<(Vec<u8>, Erasure)>, CustomerError> {
    let mut doc = CustomerDoc::load(id, stored.iter().map(Vec::as_slice))?;
    if doc.erasure().is_some() {
        return Ok(None);
    }
    let before = doc.heads();
    let erasure = erase_document(&mut doc, hlc, now_ms)?;
    Ok(Some((doc.save_after(&before), erasure)))
}

/// Writes an erasure into a document as one change: a tombstone (when, which replica), every
/// personal field cleared, every note withdrawn. Nothing is deleted; the key, held outside the
/// document, is the caller's to destroy.
pub(crate) fn erase_document(
    doc: &mut CustomerDoc,
    hlc: &mut Hlc,
    now_ms: u64,
) -> Result<Erasure, CustomerError> {
    if let Some(seen) = doc.max_timestamp() {
        hlc.observe(seen);
    }
    let mut writes = vec![Write::Tombstone { ts: hlc.tick(now_ms), at_ms: now_ms }];
    for field in Field::PERSONAL {
        let key = field.key().to_owned();
        writes.push(Write::Cell {
            tags: false,
            key,
            ts: hlc.tick(now_ms),
            value: ScalarValue::Null,
        });
    }
    for note in doc.notes().into_iter().filter(|n| n.withdrawn.is_none()) {
        writes.push(Write::Withdraw { note: note.obj, code: "erased" });
    }
    doc.commit(now_ms, writes)?;
    Ok(Erasure { at_ms: now_ms, by: hlc.replica() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_that_are_not_automerge_data_are_refused() {
        let id = CustomerId(uuid::Uuid::now_v7());
        let mut doc = CustomerDoc::genesis(id);
        let before = doc.heads();
        let mut hlc = Hlc::new(crate::ReplicaId(uuid::Uuid::now_v7()));
        erase_document(&mut doc, &mut hlc, 1_000).unwrap();
        let chunk = doc.save_after(&before);
        // An incremental chunk alone (its genesis is elsewhere) is whole data.
        check_chunk(&chunk).unwrap();
        check_chunk(&doc.save()).unwrap();
        assert!(check_chunk(b"hello world").is_err());
        let mut cut = chunk.clone();
        cut.truncate(chunk.len() - 3);
        assert!(check_chunk(&cut).is_err(), "a truncated chunk");
        let mut trailing = chunk.clone();
        trailing.extend_from_slice(b"junk");
        assert!(check_chunk(&trailing).is_err(), "junk after a chunk");
        let mut other = CustomerDoc::genesis(id);
        assert!(other.absorb(b"hello world").is_err());
        other.absorb(&chunk).unwrap();
        assert!(other.erasure().is_some());
    }
}
