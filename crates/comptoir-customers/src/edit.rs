//! Turning a cashier's edits into timestamped, sealed writes.

use crate::crypto::CustomerKey;
use crate::doc::{CustomerDoc, Write, note_field};
use crate::error::CustomerError;
use crate::hlc::Hlc;
use crate::model::{Edit, Field, v7_at};
use crate::rules::{MAX_NOTES, Problem, check_address, check_text, is_label, note_too_long};
use automerge::ScalarValue;

/// The writes for `edits`, checked by the same rules `validate` applies after a merge, so a
/// register never writes what the server would have to correct.
pub(crate) fn prepare(
    doc: &CustomerDoc,
    key: Option<&CustomerKey>,
    hlc: &mut Hlc,
    now_ms: u64,
    edits: &[Edit],
) -> Result<Vec<Write>, CustomerError> {
    if let Some(seen) = doc.max_timestamp() {
        hlc.observe(seen);
    }
    let id = doc.id();
    let key = || key.ok_or(CustomerError::NoKey(id));
    let mut visits = doc.visits();
    let mut notes = doc.notes().iter().filter(|n| n.withdrawn.is_none()).count();
    let mut writes = Vec::with_capacity(edits.len());
    for edit in edits {
        let ts = hlc.tick(now_ms);
        let cell = |field: Field, value: ScalarValue| Write::Cell {
            tags: false,
            key: field.key().to_owned(),
            ts,
            value,
        };
        let sealed = |field: Field, text: &Option<String>| -> Result<Write, CustomerError> {
            let Some(text) = text else { return Ok(cell(field, ScalarValue::Null)) };
            refuse(check_text(field, text))?;
            let sealed = key()?.seal(id, field.key(), text.as_bytes())?;
            Ok(cell(field, ScalarValue::Bytes(sealed)))
        };
        let write = match edit {
            Edit::Name(v) => sealed(Field::Name, v)?,
            Edit::Email(v) => sealed(Field::Email, v)?,
            Edit::Phone(v) => sealed(Field::Phone, v)?,
            Edit::Address(None) => cell(Field::Address, ScalarValue::Null),
            Edit::Address(Some(address)) => {
                refuse(check_address(address))?;
                let json =
                    serde_json::to_vec(address).map_err(|e| CustomerError::Batch(e.to_string()))?;
                cell(
                    Field::Address,
                    ScalarValue::Bytes(key()?.seal(id, Field::Address.key(), &json)?),
                )
            }
            Edit::Language(v) | Edit::Segment(v) => {
                let field = if matches!(edit, Edit::Language(_)) {
                    Field::Language
                } else {
                    Field::Segment
                };
                match v {
                    Some(v) => {
                        refuse(check_text(field, v))?;
                        cell(field, ScalarValue::from(v.as_str()))
                    }
                    None => cell(field, ScalarValue::Null),
                }
            }
            Edit::Tag(tag) | Edit::Untag(tag) => {
                refuse(label(tag))?;
                let value = ScalarValue::Boolean(matches!(edit, Edit::Tag(_)));
                Write::Cell { tags: true, key: tag.clone(), ts, value }
            }
            Edit::Consent { granted, source } => {
                refuse(label(source))?;
                Write::Consent { ts, granted: *granted, at_ms: now_ms, source: source.clone() }
            }
            Edit::Note(text) => {
                let note = v7_at(now_ms);
                if note_too_long(text) {
                    let len = text.chars().count();
                    return Err(CustomerError::Invalid(Problem::NoteTooLong { len }));
                }
                if notes >= MAX_NOTES {
                    return Err(CustomerError::Invalid(Problem::TooManyNotes { count: notes + 1 }));
                }
                notes += 1;
                let sealed = key()?.seal(id, &note_field(note), text.as_bytes())?;
                Write::Note { id: note, ts, at_ms: now_ms, sealed }
            }
            Edit::Visit => {
                visits += 1;
                Write::Increment(1)
            }
            Edit::RecountVisits(counted) => {
                // A put would wipe the visits other registers counted offline meanwhile; the
                // difference adds up with them instead.
                let delta = counted - visits;
                visits = *counted;
                Write::Increment(delta)
            }
            Edit::Deactivate => cell(Field::Status, ScalarValue::from("inactive")),
            Edit::Reactivate => cell(Field::Status, ScalarValue::from("active")),
        };
        writes.push(write);
    }
    Ok(writes)
}

fn label(value: &str) -> Option<Problem> {
    (!is_label(value)).then_some(Problem::InvalidLabel { field: Field::Segment })
}

fn refuse(problem: Option<Problem>) -> Result<(), CustomerError> {
    problem.map_or(Ok(()), |p| Err(CustomerError::Invalid(p)))
}
