//! A customer's data-access export.

use serde_json::json;

use super::*;
use crate::PostalAddress;

#[test]
fn the_export_holds_everything_about_the_customer_decrypted() {
    let (mut a, mut server) = (replica(1), replica(9));
    let address = PostalAddress {
        lines: vec!["123 rue Saint-Denis".into(), "app. 4".into()],
        city: "Montréal".into(),
        region: "QC".into(),
        postal_code: "H2X 3K8".into(),
        country: "CA".into(),
    };
    let id = a
        .create(
            T0,
            &[
                Edit::Name(Some("Marie Tremblay".into())),
                Edit::Email(Some("marie@example.com".into())),
                Edit::Address(Some(address)),
                Edit::Language(Some("fr-CA".into())),
                Edit::Consent { granted: true, source: "register".into() },
            ],
        )
        .unwrap();
    sync_pair(&mut a, &mut server);
    server
        .edit(id, T0 + 60_000, &[Edit::Phone(Some("514 555 0100".into())), Edit::Tag("vip".into())])
        .unwrap();
    server
        .edit(
            id,
            T0 + 120_000,
            &[
                Edit::Consent { granted: false, source: "web".into() },
                Edit::Note("aime le café".into()),
                Edit::Visit,
            ],
        )
        .unwrap();

    let export = server.export(id).unwrap();
    assert_eq!(export["customer_id"], json!(id.to_string()));
    assert_eq!(export["status"], "active");
    assert_eq!(
        export["created"],
        json!({ "at": "2025-10-09T08:53:20.000Z", "by": rid(1).to_string() })
    );
    assert_eq!(export["fields"]["name"]["value"], "Marie Tremblay");
    assert_eq!(export["fields"]["email"]["edited_by"], json!(rid(1).to_string()));
    assert_eq!(
        export["fields"]["phone"],
        json!({
            "value": "514 555 0100", "edited_at": "2025-10-09T08:54:20.000Z", "edited_by": rid(9).to_string(),
        })
    );
    assert_eq!(
        export["fields"]["address"]["value"]["lines"],
        json!(["123 rue Saint-Denis", "app. 4"])
    );
    assert_eq!(export["fields"]["language"]["value"], "fr-CA");
    assert_eq!(export["fields"]["segment"]["value"], json!(null));
    assert_eq!(export["tags"], json!(["vip"]));
    let history = export["consent_history"].as_array().unwrap();
    assert_eq!(
        history.iter().map(|c| c["granted"].clone()).collect::<Vec<_>>(),
        [json!(true), json!(false)]
    );
    assert_eq!(export["marketing_consent"]["source"], "web");
    assert_eq!(export["notes"][0]["text"], "aime le café");
    assert_eq!(export["notes"][0]["by"], json!(rid(9).to_string()));
    assert_eq!(export["visits"], 1);

    server.erase(id, T0 + 200_000).unwrap();
    let export = server.export(id).unwrap();
    assert_eq!(export["status"], "erased");
    assert_eq!(export["erased"]["by"], json!(rid(9).to_string()));
    assert_eq!(export["fields"]["name"]["value"], json!(null));
    assert_eq!(export["notes"], json!([]));
    assert!(!export.to_string().contains("Marie"));
}
