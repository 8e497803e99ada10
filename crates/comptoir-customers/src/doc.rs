//! One customer's automerge document: its genesis, its layout, the writes we make to it and how
//! a customer is read back from it.
//!
//! Layout (every object below the root is made by the genesis, never by a replica):
//!
//! ```text
//! ROOT
//!   id         "0190…"                              the customer id
//!   fields     { name|email|…: cell }               one cell per field, latest HLC wins
//!   tags       { tag: cell(v: bool) }               a last-writer-wins set
//!   consent    [ {hlc, granted, at, source, by} ]   appended, never edited
//!   notes      [ {id, hlc, at, by, ct, withdrawn?} ] appended; only `withdrawn` is ever put
//!   visits     counter                              only incremented
//!   incidents  [ {hlc, at, by, code, target, action} ]
//!   erasure    [ {hlc, at, by} ]                    tombstones; any entry means erased
//! cell = { hlc: "<timestamp>", v: bytes (sealed) | str | int | bool | null }
//! ```

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, Automerge, AutomergeError, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue,
    Value,
};
use uuid::Uuid;

use crate::crypto::CustomerKey;
use crate::hlc::{ReplicaId, Timestamp};
use crate::model::{Consent, Customer, CustomerId, Erasure, Field, Incident, Note, Personal};
use crate::model::{PostalAddress, Status};

/// The actor of every genesis change. Nobody writes with it after the genesis.
const GENESIS_ACTOR: [u8; 16] = *b"comptoir.genesis";

pub(crate) const K_ID: &str = "id";
pub(crate) const K_FIELDS: &str = "fields";
pub(crate) const K_TAGS: &str = "tags";
pub(crate) const K_CONSENT: &str = "consent";
pub(crate) const K_NOTES: &str = "notes";
pub(crate) const K_VISITS: &str = "visits";
pub(crate) const K_INCIDENTS: &str = "incidents";
pub(crate) const K_ERASURE: &str = "erasure";

/// One customer's document.
pub struct CustomerDoc {
    id: CustomerId,
    doc: Automerge,
}

impl std::fmt::Debug for CustomerDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerDoc").field("id", &self.id).finish_non_exhaustive()
    }
}

/// The objects the genesis made.
#[derive(Clone)]
pub(crate) struct Layout {
    pub fields: ObjId,
    pub tags: ObjId,
    pub consent: ObjId,
    pub notes: ObjId,
    pub incidents: ObjId,
    pub erasure: ObjId,
}

/// One value of a cell, as `get_all` returned it.
#[derive(Clone, Debug)]
pub(crate) struct Cell {
    /// `None` if the cell's timestamp does not parse; such a cell loses to any other.
    pub ts: Option<Timestamp>,
    pub value: ScalarValue,
    /// The op that made the cell: the tie-break when two cells carry the same timestamp.
    pub op: ObjId,
}

/// A write, prepared outside automerge's transaction (sealed, timestamped), applied in one.
pub(crate) enum Write {
    Cell { tags: bool, key: String, ts: Timestamp, value: ScalarValue },
    Consent { ts: Timestamp, granted: bool, at_ms: u64, source: String },
    Note { id: Uuid, ts: Timestamp, at_ms: u64, sealed: Vec<u8> },
    Increment(i64),
    Withdraw { note: ObjId, code: &'static str },
    Tombstone { ts: Timestamp, at_ms: u64 },
    Incident { ts: Timestamp, at_ms: u64, code: &'static str, target: String, action: &'static str },
}

/// A note as stored, before decryption.
pub(crate) struct StoredNote {
    pub obj: ObjId,
    pub id: Uuid,
    pub at_ms: u64,
    pub by: ReplicaId,
    pub sealed: Vec<u8>,
    pub withdrawn: Option<String>,
}

impl CustomerDoc {
    /// The customer's genesis: the same change, byte for byte, on every replica (fixed actor,
    /// time 0, no message, the same operations), so every replica that builds it holds the
    /// same top-level objects and no two replicas ever create them concurrently.
    pub fn genesis(id: CustomerId) -> CustomerDoc {
        let mut doc = Automerge::new().with_actor(ActorId::from(GENESIS_ACTOR));
        let options = |_: &()| CommitOptions::default().with_time(0);
        let made = doc.transact_with(options, |tx| {
            tx.put(ROOT, K_ID, id.to_string())?;
            tx.put_object(ROOT, K_FIELDS, ObjType::Map)?;
            tx.put_object(ROOT, K_TAGS, ObjType::Map)?;
            tx.put_object(ROOT, K_CONSENT, ObjType::List)?;
            tx.put_object(ROOT, K_NOTES, ObjType::List)?;
            tx.put(ROOT, K_VISITS, ScalarValue::counter(0))?;
            tx.put_object(ROOT, K_INCIDENTS, ObjType::List)?;
            tx.put_object(ROOT, K_ERASURE, ObjType::List)?;
            Ok::<_, AutomergeError>(())
        });
        // Puts into the root of an empty document cannot fail.
        made.map_err(|f| f.error).expect("the genesis writes into an empty document");
        // Each session writes under a new actor: a replica restored from an old copy can never
        // reuse one of its own (actor, seq) pairs with other content.
        doc.set_actor(ActorId::random());
        CustomerDoc { id, doc }
    }

    /// The document from its stored chunks (a full save and incremental saves, in order).
    pub fn load<'a>(
        id: CustomerId,
        chunks: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<CustomerDoc, AutomergeError> {
        let mut doc = CustomerDoc::genesis(id);
        for chunk in chunks {
            doc.doc.load_incremental(chunk)?;
        }
        Ok(doc)
    }

    /// The customer's id.
    pub fn id(&self) -> CustomerId {
        self.id
    }

    /// The document's heads.
    pub fn heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The automerge document, read-only (for tests, diagnostics and sync).
    pub fn automerge(&self) -> &Automerge {
        &self.doc
    }

    pub(crate) fn automerge_mut(&mut self) -> &mut Automerge {
        &mut self.doc
    }

    /// The whole document as one compacted chunk.
    pub fn save(&self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes after `heads`, as one incremental chunk (empty if none).
    pub fn save_after(&self, heads: &[ChangeHash]) -> Vec<u8> {
        self.doc.save_after(heads)
    }

    pub(crate) fn layout(&self) -> Result<Layout, AutomergeError> {
        let obj = |key: &str| -> Result<ObjId, AutomergeError> {
            match self.doc.get(ROOT, key)? {
                Some((Value::Object(_), id)) => Ok(id),
                _ => Err(AutomergeError::InvalidObjId(format!("no {key} in the genesis"))),
            }
        };
        Ok(Layout {
            fields: obj(K_FIELDS)?,
            tags: obj(K_TAGS)?,
            consent: obj(K_CONSENT)?,
            notes: obj(K_NOTES)?,
            incidents: obj(K_INCIDENTS)?,
            erasure: obj(K_ERASURE)?,
        })
    }

    /// Applies prepared writes as one change.
    pub(crate) fn commit(&mut self, now_ms: u64, writes: Vec<Write>) -> Result<(), AutomergeError> {
        if writes.is_empty() {
            return Ok(());
        }
        let layout = self.layout()?;
        let time = i64::try_from(now_ms).unwrap_or(i64::MAX);
        let options = |_: &()| CommitOptions::default().with_time(time);
        let done = self.doc.transact_with(options, |tx| {
            for write in writes {
                apply(tx, &layout, write)?;
            }
            Ok::<_, AutomergeError>(())
        });
        done.map(|_| ()).map_err(|f| f.error)
    }

    /// Every value `get_all` holds for a cell, at the current heads or at `heads`.
    pub(crate) fn cells(&self, map: &ObjId, key: &str, heads: Option<&[ChangeHash]>) -> Vec<Cell> {
        let all = match heads {
            Some(heads) => self.doc.get_all_at(map, key, heads),
            None => self.doc.get_all(map, key),
        };
        let all = all.unwrap_or_default();
        all.into_iter()
            .filter_map(|(value, op)| match value {
                Value::Object(ObjType::Map) => Some(Cell {
                    ts: self.str_at(&op, "hlc", heads).and_then(|s| s.parse().ok()),
                    value: self.scalar_at(&op, "v", heads).unwrap_or(ScalarValue::Null),
                    op,
                }),
                _ => None,
            })
            .collect()
    }

    /// The winning value of a field: the largest timestamp; equal timestamps (which one clock
    /// never issues twice) fall back to the larger automerge op id, the same on every replica.
    pub(crate) fn field(&self, field: Field) -> Option<Cell> {
        let layout = self.layout().ok()?;
        winner(self.cells(&layout.fields, field.key(), None))
    }

    pub(crate) fn notes(&self) -> Vec<StoredNote> {
        let Ok(layout) = self.layout() else { return Vec::new() };
        self.items(&layout.notes)
            .into_iter()
            .map(|obj| StoredNote {
                id: self.str_at(&obj, "id", None).and_then(|s| s.parse().ok()).unwrap_or_default(),
                at_ms: self.u64_at(&obj, "at"),
                by: self.replica_at(&obj, "by"),
                sealed: match self.scalar_at(&obj, "ct", None) {
                    Some(ScalarValue::Bytes(bytes)) => bytes,
                    _ => Vec::new(),
                },
                withdrawn: self.str_at(&obj, "withdrawn", None),
                obj,
            })
            .collect()
    }

    /// The erasure, if any replica erased the customer: the earliest tombstone.
    pub fn erasure(&self) -> Option<Erasure> {
        let layout = self.layout().ok()?;
        self.items(&layout.erasure)
            .into_iter()
            .map(|obj| (self.timestamp(&obj), self.u64_at(&obj, "at"), self.replica_at(&obj, "by")))
            .min_by_key(|(ts, _, _)| *ts)
            .map(|(_, at_ms, by)| Erasure { at_ms, by })
    }

    /// The largest timestamp written anywhere in the document, for the clock to observe.
    pub fn max_timestamp(&self) -> Option<Timestamp> {
        let layout = self.layout().ok()?;
        let mut all: Vec<Option<Timestamp>> = Vec::new();
        for map in [&layout.fields, &layout.tags] {
            for key in self.doc.keys(map) {
                all.extend(self.cells(map, &key, None).into_iter().map(|c| c.ts));
            }
        }
        for list in [&layout.consent, &layout.notes, &layout.incidents, &layout.erasure] {
            all.extend(self.items(list).iter().map(|obj| self.timestamp(obj)));
        }
        all.into_iter().flatten().max()
    }

    /// The visit counter.
    pub fn visits(&self) -> i64 {
        match self.doc.get(ROOT, K_VISITS) {
            Ok(Some((Value::Scalar(v), _))) => v.as_i64().unwrap_or(0),
            _ => 0,
        }
    }

    /// Reads the customer. Without a key, or once erased, personal fields are `None`.
    pub fn read(&self, key: Option<&CustomerKey>) -> Customer {
        let erasure = self.erasure();
        let key = if erasure.is_some() { None } else { key };
        let mut customer = self.read_public(erasure);
        customer.readable = key.is_some();
        if let Some(erasure) = erasure {
            customer.status = Status::Erased(erasure);
            return customer;
        }

        let text = |field: Field| -> Option<Personal<String>> {
            let plain = self.open_field(field, key?)?;
            String::from_utf8(plain).ok().map(Personal)
        };
        customer.name = text(Field::Name);
        customer.email = text(Field::Email);
        customer.phone = text(Field::Phone);
        customer.address = key
            .and_then(|key| self.open_field(Field::Address, key))
            .and_then(|plain| serde_json::from_slice::<PostalAddress>(&plain).ok())
            .map(Personal);
        for note in &mut customer.notes {
            let stored = self.notes().into_iter().find(|n| n.id == note.id);
            note.text = match (key, stored) {
                // A withdrawn note keeps its text for the export; the UI hides it.
                (Some(key), Some(stored)) => self.open_note(key, &stored).map(Personal),
                _ => None,
            };
        }
        customer
    }

    /// Everything but the personal fields.
    fn read_public(&self, erasure: Option<Erasure>) -> Customer {
        let mut customer = Customer {
            id: self.id,
            status: Status::Active,
            readable: false,
            name: None,
            email: None,
            phone: None,
            address: None,
            language: None,
            segment: None,
            tags: Default::default(),
            consent: None,
            consent_history: Vec::new(),
            notes: Vec::new(),
            visits: self.visits(),
            created: None,
            edited: Default::default(),
            incidents: self.incidents(),
        };
        for field in Field::ALL {
            if let Some(Cell { ts: Some(ts), .. }) = self.field(field) {
                customer.edited.insert(field, ts);
            }
        }
        if let Some(Cell { ts: Some(ts), value, .. }) = self.field(Field::Created) {
            customer.created = Some((value.as_u64().unwrap_or(ts.ms), ts.replica));
        }
        if erasure.is_some() {
            return customer;
        }

        let plain =
            |field: Field| self.field(field).and_then(|c| c.value.as_str().map(String::from));
        customer.language = plain(Field::Language);
        customer.segment = plain(Field::Segment);
        if plain(Field::Status).as_deref() == Some("inactive") {
            customer.status = Status::Inactive;
        }
        customer.tags = self.tags();
        customer.consent_history = self.consents();
        customer.consent = customer.consent_history.last().cloned();
        customer.notes = self
            .notes()
            .into_iter()
            .map(|n| Note {
                id: n.id,
                text: None,
                at_ms: n.at_ms,
                by: n.by,
                withdrawn: n.withdrawn,
            })
            .collect();
        customer
    }

    /// A personal field's plaintext, if it has one and it opens.
    pub(crate) fn open_field(&self, field: Field, key: &CustomerKey) -> Option<Vec<u8>> {
        match self.field(field)?.value {
            ScalarValue::Bytes(sealed) => key.open(self.id, field.key(), &sealed).ok(),
            _ => None,
        }
    }

    pub(crate) fn open_note(&self, key: &CustomerKey, note: &StoredNote) -> Option<String> {
        let plain = key.open(self.id, &note_field(note.id), &note.sealed).ok()?;
        String::from_utf8(plain).ok()
    }

    fn tags(&self) -> std::collections::BTreeSet<String> {
        let Ok(layout) = self.layout() else { return Default::default() };
        self.doc
            .keys(&layout.tags)
            .filter(|tag| {
                let cell = winner(self.cells(&layout.tags, tag, None));
                cell.is_some_and(|c| c.value.as_bool() == Some(true))
            })
            .collect()
    }

    fn consents(&self) -> Vec<Consent> {
        let Ok(layout) = self.layout() else { return Vec::new() };
        let mut all: Vec<(Option<Timestamp>, Consent)> = self
            .items(&layout.consent)
            .into_iter()
            .map(|obj| {
                let consent = Consent {
                    granted: self.scalar_at(&obj, "granted", None).and_then(|v| v.as_bool())
                        == Some(true),
                    at_ms: self.u64_at(&obj, "at"),
                    source: self.str_at(&obj, "source", None).unwrap_or_default(),
                    by: self.replica_at(&obj, "by"),
                };
                (self.timestamp(&obj), consent)
            })
            .collect();
        all.sort_by_key(|(ts, _)| *ts);
        all.into_iter().map(|(_, consent)| consent).collect()
    }

    fn incidents(&self) -> Vec<Incident> {
        let Ok(layout) = self.layout() else { return Vec::new() };
        let mut all: Vec<Incident> = self
            .items(&layout.incidents)
            .into_iter()
            .filter_map(|obj| {
                Some(Incident {
                    at: self.timestamp(&obj)?,
                    code: self.str_at(&obj, "code", None).unwrap_or_default(),
                    target: self.str_at(&obj, "target", None).unwrap_or_default(),
                    action: self.str_at(&obj, "action", None).unwrap_or_default(),
                })
            })
            .collect();
        all.sort_by_key(|i| i.at);
        all
    }

    /// The map objects of a list, in list order.
    pub(crate) fn items(&self, list: &ObjId) -> Vec<ObjId> {
        (0..self.doc.length(list))
            .filter_map(|i| match self.doc.get(list, i) {
                Ok(Some((Value::Object(ObjType::Map), obj))) => Some(obj),
                _ => None,
            })
            .collect()
    }

    fn scalar_at(
        &self,
        obj: &ObjId,
        key: &str,
        heads: Option<&[ChangeHash]>,
    ) -> Option<ScalarValue> {
        let got = match heads {
            Some(heads) => self.doc.get_at(obj, key, heads),
            None => self.doc.get(obj, key),
        };
        match got {
            Ok(Some((Value::Scalar(v), _))) => Some(v.into_owned()),
            _ => None,
        }
    }

    fn str_at(&self, obj: &ObjId, key: &str, heads: Option<&[ChangeHash]>) -> Option<String> {
        self.scalar_at(obj, key, heads)?.as_str().map(String::from)
    }

    fn u64_at(&self, obj: &ObjId, key: &str) -> u64 {
        self.scalar_at(obj, key, None).and_then(|v| v.as_u64()).unwrap_or(0)
    }

    fn replica_at(&self, obj: &ObjId, key: &str) -> ReplicaId {
        let id = self.str_at(obj, key, None).and_then(|s| s.parse().ok()).unwrap_or_default();
        ReplicaId(id)
    }

    fn timestamp(&self, obj: &ObjId) -> Option<Timestamp> {
        self.str_at(obj, "hlc", None)?.parse().ok()
    }
}

/// The associated-data name of a note's text.
pub(crate) fn note_field(note: Uuid) -> String {
    format!("note:{note}")
}

/// The cell that wins: largest timestamp, then largest op id.
pub(crate) fn winner(cells: Vec<Cell>) -> Option<Cell> {
    cells.into_iter().max_by(|a, b| (a.ts, &a.op).cmp(&(b.ts, &b.op)))
}

fn apply(tx: &mut impl Transactable, layout: &Layout, write: Write) -> Result<(), AutomergeError> {
    match write {
        Write::Cell { tags, key, ts, value } => {
            let map = if tags { &layout.tags } else { &layout.fields };
            let cell = tx.put_object(map, key.as_str(), ObjType::Map)?;
            tx.put(&cell, "hlc", ts.to_string())?;
            tx.put(&cell, "v", value)?;
        }
        Write::Consent { ts, granted, at_ms, source } => {
            let item = append(tx, &layout.consent, ts, at_ms)?;
            tx.put(&item, "granted", granted)?;
            tx.put(&item, "source", source)?;
        }
        Write::Note { id, ts, at_ms, sealed } => {
            let item = append(tx, &layout.notes, ts, at_ms)?;
            tx.put(&item, "id", id.to_string())?;
            tx.put(&item, "ct", sealed)?;
        }
        Write::Increment(by) => tx.increment(ROOT, K_VISITS, by)?,
        Write::Withdraw { note, code } => tx.put(&note, "withdrawn", code)?,
        Write::Tombstone { ts, at_ms } => {
            append(tx, &layout.erasure, ts, at_ms)?;
        }
        Write::Incident { ts, at_ms, code, target, action } => {
            let item = append(tx, &layout.incidents, ts, at_ms)?;
            tx.put(&item, "code", code)?;
            tx.put(&item, "target", target)?;
            tx.put(&item, "action", action)?;
        }
    }
    Ok(())
}

/// Appends `{hlc, at, by}` to a list and returns the new map.
fn append(
    tx: &mut impl Transactable,
    list: &ObjId,
    ts: Timestamp,
    at_ms: u64,
) -> Result<ObjId, AutomergeError> {
    let item = tx.insert_object(list, tx.length(list), ObjType::Map)?;
    tx.put(&item, "hlc", ts.to_string())?;
    tx.put(&item, "at", at_ms)?;
    tx.put(&item, "by", ts.replica.to_string())?;
    Ok(item)
}
