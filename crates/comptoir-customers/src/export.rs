//! A customer's data-access export: everything this replica holds about them, readable.

use serde_json::{Value, json};

use crate::hlc::{ReplicaId, Timestamp};
use crate::model::{Customer, Field, Status};

/// The export format's version.
pub const EXPORT_VERSION: u32 = 1;

/// The customer as JSON: decrypted fields with when and where each was last edited, consent
/// history, notes, tags, visits, corrections, creation and erasure. Times are RFC 3339 in UTC.
pub fn export(customer: &Customer, exported_by: ReplicaId) -> Value {
    let (status, erased) = match customer.status {
        Status::Active => ("active", Value::Null),
        Status::Inactive => ("inactive", Value::Null),
        Status::Erased(e) => ("erased", json!({ "at": time(e.at_ms), "by": e.by.to_string() })),
    };
    let text = |v: &Option<crate::Personal<String>>| v.as_ref().map(|p| p.expose().clone());
    let mut fields = serde_json::Map::new();
    let values = [
        (Field::Name, text(&customer.name).map(Value::from)),
        (Field::Email, text(&customer.email).map(Value::from)),
        (Field::Phone, text(&customer.phone).map(Value::from)),
        (Field::Address, customer.address.as_ref().map(|a| address(a.expose()))),
        (Field::Language, customer.language.clone().map(Value::from)),
        (Field::Segment, customer.segment.clone().map(Value::from)),
    ];
    for (field, value) in values {
        let edited = customer.edited.get(&field);
        fields.insert(
            field.key().to_owned(),
            json!({
                "value": value,
                "edited_at": edited.map(|ts| time(ts.ms)),
                "edited_by": edited.map(|ts| ts.replica.to_string()),
            }),
        );
    }
    json!({
        "export_version": EXPORT_VERSION,
        "customer_id": customer.id.to_string(),
        "exported_by": exported_by.to_string(),
        "status": status,
        "erased": erased,
        "readable": customer.readable,
        "created": customer.created.map(|(at, by)| json!({ "at": time(at), "by": by.to_string() })),
        "fields": fields,
        "tags": customer.tags,
        "marketing_consent": customer.consent.as_ref().map(consent),
        "consent_history": customer.consent_history.iter().map(consent).collect::<Vec<_>>(),
        "notes": customer.notes.iter().map(|n| json!({
            "id": n.id.to_string(),
            "text": n.text.as_ref().map(|t| t.expose().clone()),
            "at": time(n.at_ms),
            "by": n.by.to_string(),
            "withdrawn": n.withdrawn,
        })).collect::<Vec<_>>(),
        "visits": customer.visits,
        "incidents": customer.incidents.iter().map(|i| json!({
            "at": stamp(i.at),
            "code": i.code,
            "target": i.target,
            "action": i.action,
        })).collect::<Vec<_>>(),
    })
}

fn consent(c: &crate::Consent) -> Value {
    json!({ "granted": c.granted, "at": time(c.at_ms), "source": c.source, "by": c.by.to_string() })
}

fn address(a: &crate::PostalAddress) -> Value {
    json!({
        "lines": a.lines,
        "city": a.city,
        "region": a.region,
        "postal_code": a.postal_code,
        "country": a.country,
    })
}

fn stamp(ts: Timestamp) -> Value {
    time(ts.ms)
}

fn time(ms: u64) -> Value {
    let at = i64::try_from(ms).ok().and_then(chrono::DateTime::from_timestamp_millis);
    at.map_or(Value::Null, |at| {
        Value::from(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    })
}
