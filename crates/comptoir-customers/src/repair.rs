//! After a merge: find what the rules refuse, and write the correction instead of refusing the
//! change (automerge's sync cannot refuse one change; a document that tries never converges).

use automerge::ScalarValue;

use crate::crypto::CustomerKey;
use crate::doc::{CustomerDoc, StoredNote, Write, note_field};
use crate::error::CustomerError;
use crate::hlc::{Hlc, Timestamp};
use crate::model::{Field, PostalAddress};
use crate::rules::{MAX_NOTES, Problem, check_address, check_text, note_too_long};

/// Every problem in the document. Without the key, only what can be seen without reading the
/// personal fields (values after an erasure, the number of notes).
pub fn validate(doc: &CustomerDoc, key: Option<&CustomerKey>) -> Vec<Problem> {
    let notes = doc.notes();
    if doc.erasure().is_some() {
        return erased_problems(doc, &notes);
    }

    let mut problems: Vec<Problem> = Vec::new();
    for field in Field::ALL {
        let Some(cell) = doc.field(field) else { continue };
        if let Some(problem) = value_problem(doc, field, &cell.value, key) {
            problems.push(problem);
        }
    }
    let live: Vec<&StoredNote> = notes.iter().filter(|n| n.withdrawn.is_none()).collect();
    if let Some(key) = key {
        let bad = live.iter().filter(|n| doc.open_note(key, n).is_none_or(|t| note_too_long(&t)));
        problems.extend(bad.map(|n| Problem::BadNote { note: n.id }));
    }
    if live.len() > MAX_NOTES {
        problems.push(Problem::TooManyNotes { count: live.len() });
    }
    problems
}

/// Writes one change that corrects every problem [`validate`] finds, and an incident for each
/// correction; returns the problems corrected. A field goes back to its latest valid value
/// before the bad one (or is cleared); a bad note, a note over the limit or a note readable
/// after an erasure is withdrawn (the list is never shortened). Two replicas compensating the
/// same merge write the same values, so they still converge.
pub fn compensate(
    doc: &mut CustomerDoc,
    key: Option<&CustomerKey>,
    hlc: &mut Hlc,
    now_ms: u64,
) -> Result<Vec<Problem>, CustomerError> {
    let problems = validate(doc, key);
    if problems.is_empty() {
        return Ok(problems);
    }
    if let Some(seen) = doc.max_timestamp() {
        hlc.observe(seen);
    }

    let mut writes = Vec::new();
    for problem in &problems {
        correct(doc, key, hlc, now_ms, problem, &mut writes);
    }
    doc.commit(now_ms, writes)?;
    tracing::info!(customer = %doc.id(), corrections = problems.len(), "customer compensated");
    Ok(problems)
}

fn correct(
    doc: &CustomerDoc,
    key: Option<&CustomerKey>,
    hlc: &mut Hlc,
    now_ms: u64,
    problem: &Problem,
    writes: &mut Vec<Write>,
) {
    let code = problem.code();
    let incident = |writes: &mut Vec<Write>,
                    hlc: &mut Hlc,
                    target: String,
                    action: &'static str| {
        writes.push(Write::Incident { ts: hlc.tick(now_ms), at_ms: now_ms, code, target, action });
    };
    let notes = doc.notes();
    let withdraw = |writes: &mut Vec<Write>, note: &StoredNote| {
        writes.push(Write::Withdraw { note: note.obj.clone(), code });
    };
    match problem {
        Problem::InvalidEmail
        | Problem::InvalidPhone
        | Problem::TooLong { .. }
        | Problem::InvalidLabel { .. }
        | Problem::Unreadable { .. }
        | Problem::FieldAfterErasure { .. } => {
            let field = problem_field(problem);
            let bad = doc.field(field).and_then(|c| c.ts);
            let erased = matches!(problem, Problem::FieldAfterErasure { .. });
            let restored = if erased { None } else { previous_valid(doc, field, key, bad) };
            let action = if restored.is_some() { "restored" } else { "cleared" };
            let value = restored.unwrap_or(ScalarValue::Null);
            let ts = hlc.tick(now_ms);
            writes.push(Write::Cell { tags: false, key: field.key().to_owned(), ts, value });
            incident(writes, hlc, field.key().to_owned(), action);
        }
        Problem::BadNote { note } | Problem::NoteAfterErasure { note } => {
            for stored in notes.iter().filter(|n| n.id == *note) {
                withdraw(writes, stored);
            }
            incident(writes, hlc, note_field(*note), "withdrawn");
        }
        // Refused before it is written; never found in a document.
        Problem::NoteTooLong { .. } => {}
        Problem::TooManyNotes { .. } => {
            // The notes past the limit in list order: the same notes on every replica.
            let live = notes.iter().filter(|n| n.withdrawn.is_none());
            let excess: Vec<&StoredNote> = live.skip(MAX_NOTES).collect();
            for stored in excess {
                withdraw(writes, stored);
                incident(writes, hlc, note_field(stored.id), "withdrawn");
            }
        }
    }
}

fn problem_field(problem: &Problem) -> Field {
    match problem {
        Problem::InvalidEmail => Field::Email,
        Problem::InvalidPhone => Field::Phone,
        Problem::TooLong { field, .. }
        | Problem::InvalidLabel { field }
        | Problem::Unreadable { field }
        | Problem::FieldAfterErasure { field } => *field,
        Problem::TooManyNotes { .. }
        | Problem::NoteTooLong { .. }
        | Problem::BadNote { .. }
        | Problem::NoteAfterErasure { .. } => Field::Name,
    }
}

fn erased_problems(doc: &CustomerDoc, notes: &[StoredNote]) -> Vec<Problem> {
    let mut problems: Vec<Problem> = Field::PERSONAL
        .into_iter()
        .filter(|field| doc.field(*field).is_some_and(|c| !matches!(c.value, ScalarValue::Null)))
        .map(|field| Problem::FieldAfterErasure { field })
        .collect();
    let live = notes.iter().filter(|n| n.withdrawn.is_none());
    problems.extend(live.map(|n| Problem::NoteAfterErasure { note: n.id }));
    problems
}

/// What is wrong with one value of a field, if anything. Null (a cleared field) is valid.
/// Without the key a sealed value cannot be judged, and passes.
fn value_problem(
    doc: &CustomerDoc,
    field: Field,
    value: &ScalarValue,
    key: Option<&CustomerKey>,
) -> Option<Problem> {
    if matches!(value, ScalarValue::Null) {
        return None;
    }
    let unreadable = Some(Problem::Unreadable { field });
    if field.is_personal() {
        let ScalarValue::Bytes(sealed) = value else { return unreadable };
        let plain = key?.open(doc.id(), field.key(), sealed).ok();
        let Some(plain) = plain else { return unreadable };
        if field == Field::Address {
            let Ok(address) = serde_json::from_slice::<PostalAddress>(&plain) else {
                return unreadable;
            };
            return check_address(&address);
        }
        let Ok(text) = String::from_utf8(plain) else { return unreadable };
        return check_text(field, &text);
    }
    match field {
        Field::Language | Field::Segment => match value.as_str() {
            Some(text) => check_text(field, text),
            None => Some(Problem::InvalidLabel { field }),
        },
        Field::Status => match value.as_str() {
            Some("active" | "inactive") => None,
            _ => Some(Problem::InvalidLabel { field }),
        },
        _ => None,
    }
}

/// The latest valid value the field held before `before`, found by reading the field at every
/// change of the document's history (a customer has tens of changes, not thousands).
fn previous_valid(
    doc: &CustomerDoc,
    field: Field,
    key: Option<&CustomerKey>,
    before: Option<Timestamp>,
) -> Option<ScalarValue> {
    let fields = doc.layout().ok()?.fields;
    let mut best: Option<(Timestamp, ScalarValue)> = None;
    for change in doc.automerge().get_changes(&[]) {
        for cell in doc.cells(&fields, field.key(), Some(&[change.hash()])) {
            let Some(ts) = cell.ts else { continue };
            let older = before.is_none_or(|before| ts < before);
            let newer_than_best = best.as_ref().is_none_or(|(b, _)| ts > *b);
            if older && newer_than_best && value_problem(doc, field, &cell.value, key).is_none() {
                best = Some((ts, cell.value));
            }
        }
    }
    best.map(|(_, value)| value)
}
