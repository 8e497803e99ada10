//! Currencies from CLDR and the cash rounding rules file, and their cash rounding worked out
//! by hand from the rules' own wording.

use comptoir_core::{Currency, Money, RoundingMode};
use comptoir_protocol::currency::{
    CashSource, CurrencyError, CurrencyTables, currency, rounding_mode,
};

fn loaded(code: &str) -> Currency {
    currency(code, None).unwrap()
}

/// `(amount, rounded)` in minor units, and the same negated.
fn check_cash(currency: &Currency, cases: &[(i64, i64)]) {
    for &(amount, rounded) in cases {
        let got = currency.cash_round(Money::from_minor(amount)).minor();
        assert_eq!(got, rounded, "{} {amount}", currency.code);
        let negative = currency.cash_round(Money::from_minor(-amount)).minor();
        assert_eq!(negative, -rounded, "{} -{amount}", currency.code);
    }
}

#[test]
fn canadian_dollar_rounds_cash_to_five_cents() {
    let cad = loaded("CAD");
    assert_eq!((cad.digits, cad.cash_increment, cad.cash_mode), (2, 5, RoundingMode::HalfUp));
    // .01/.02 -> .00; .03/.04 -> .05; .06/.07 -> .05; .08/.09 -> .10
    check_cash(&cad, &[(1002, 1000), (1003, 1005), (1007, 1005), (1008, 1010), (1000, 1000)]);
}

#[test]
fn swiss_franc_rounds_to_five_rappen_at_the_quarter_boundaries() {
    let chf = loaded("CHF");
    assert_eq!(chf.cash_increment, 5);
    // x.x00-x.x24 -> x.x0; x.x25-x.x74 -> x.x5; x.x75-x.x99 -> next x.x0. In cents the
    // boundary 0.025 lies between .x2 (down) and .x3 (up), 0.075 between .x7 and .x8.
    check_cash(&chf, &[(1932, 1930), (1933, 1935), (1937, 1935), (1938, 1940), (2, 0), (3, 5)]);
}

#[test]
fn swedish_and_norwegian_krona_round_to_whole_units() {
    for code in ["SEK", "NOK"] {
        let currency = loaded(code);
        assert_eq!((currency.digits, currency.cash_increment), (2, 100), "{code}");
        // 1-49 öre down, 50-99 up.
        check_cash(&currency, &[(1249, 1200), (1250, 1300), (1201, 1200), (1299, 1300)]);
    }
}

#[test]
fn danish_krone_rounds_to_fifty_ore() {
    let dkk = loaded("DKK");
    assert_eq!(dkk.cash_increment, 50);
    // .01-.24 -> whole krone; .25-.74 -> .50; .75-.99 -> next krone.
    check_cash(&dkk, &[(1024, 1000), (1025, 1050), (1074, 1050), (1075, 1100)]);
}

#[test]
fn australian_and_new_zealand_dollars_come_from_the_rules_file() {
    let tables = CurrencyTables::embedded();
    let aud = tables.rules("AUD", None).unwrap();
    assert_eq!((aud.currency.cash_increment, aud.cash_source), (5, CashSource::Rules));
    // 1,2 -> down; 3,4 -> up; 6,7 -> down; 8,9 -> up.
    check_cash(&aud.currency, &[(1001, 1000), (1002, 1000), (1003, 1005), (1004, 1005)]);
    check_cash(&aud.currency, &[(1006, 1005), (1007, 1005), (1008, 1010), (1009, 1010)]);
    let nzd = tables.rules("NZD", None).unwrap();
    assert_eq!(nzd.currency.cash_increment, 10);
    check_cash(&nzd.currency, &[(1004, 1000), (1005, 1010), (1015, 1020), (1014, 1010)]);
    assert_eq!(tables.rules("CAD", None).unwrap().cash_source, CashSource::Cldr);
}

#[test]
fn zero_decimal_currencies() {
    let jpy = loaded("JPY");
    assert_eq!((jpy.digits, jpy.cash_increment), (0, 1));
    assert_eq!(jpy.parse("1234"), Ok(Money::from_minor(1234)));
    assert!(jpy.parse("12.5").is_err());
    check_cash(&jpy, &[(1234, 1234), (1, 1)]);
    assert_eq!(Money::from_minor(1234).format(&jpy), "1234");
    // Forint: no decimals, cash to 5 Ft.
    let huf = loaded("HUF");
    assert_eq!((huf.digits, huf.cash_increment), (0, 5));
    check_cash(&huf, &[(1002, 1000), (1003, 1005), (1007, 1005), (1008, 1010)]);
    let czk = loaded("CZK");
    assert_eq!((czk.digits, czk.cash_increment), (2, 100));
    let kwd = loaded("KWD");
    assert_eq!((kwd.digits, kwd.cash_increment), (3, 1));
    assert_eq!(Money::from_minor(1250).format(&kwd), "1.250");
}

#[test]
fn the_euro_rounds_cash_by_country() {
    let tables = CurrencyTables::embedded();
    for country in ["FI", "NL", "BE", "IE", "IT", "fi"] {
        let eur = tables.rules("EUR", Some(country)).unwrap();
        assert_eq!(eur.currency.cash_increment, 5, "{country}");
        assert_eq!(eur.cash_source, CashSource::Rules);
    }
    for country in ["FR", "DE", "ES"] {
        let eur = tables.rules("EUR", Some(country)).unwrap();
        assert_eq!((eur.currency.cash_increment, eur.cash_source), (1, CashSource::None));
    }
    assert_eq!(tables.rules("EUR", None), Err(CurrencyError::CountryNeeded("EUR".into())));
    assert_eq!(loaded("GBP").cash_increment, 1);
    assert_eq!(loaded("USD").digits, 2);
}

#[test]
fn the_rules_file_agrees_with_cldr_where_both_round() {
    let overlaps = CurrencyTables::embedded().overlaps();
    let codes: Vec<&str> = overlaps.iter().map(|(code, _, _)| code.as_str()).collect();
    assert_eq!(codes, ["CAD", "CHF", "CZK", "DKK", "HUF", "NOK", "SEK"]);
    for (code, rules, cldr) in &overlaps {
        assert_eq!(rules, cldr, "{code}");
    }
}

#[test]
fn an_unknown_currency_is_refused() {
    assert_eq!(currency("XYZ", None), Err(CurrencyError::Unknown("XYZ".into())));
    assert_eq!(currency("cad", None), Err(CurrencyError::Unknown("cad".into())));
    assert!(currency("XYZ", None).unwrap_err().to_string().contains("ISO 4217"));
}

#[test]
fn rounding_modes_by_name() {
    assert_eq!(rounding_mode("half_even"), Some(RoundingMode::HalfEven));
    assert_eq!(rounding_mode("down"), Some(RoundingMode::Down));
    assert_eq!(rounding_mode("nearest"), None);
}
