//! Carts of the two demo stores priced by hand: taxes per rate, totals, cash rounding, change.

use chrono::NaiveDate;
use comptoir_core::catalog::{Item, ItemKind, Sku};
use comptoir_core::gtin::Gtin14;
use comptoir_core::money::{Currency, Money};
use comptoir_core::tax::{TaxClass, TaxDefinition, TaxRate, TaxRegime, TaxRounding};
use comptoir_core::tender::{Settlement, Tender, TenderError, check_new_tender};
use comptoir_core::{Cart, Catalog};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rate(class: &str, rate: Decimal, from: NaiveDate, to: Option<NaiveDate>) -> TaxRate {
    TaxRate { class: TaxClass::new(class), rate, from, to }
}

fn quebec() -> TaxRegime {
    TaxRegime {
        prices_include_tax: false,
        rounding: TaxRounding::PerRateOverSale,
        taxes: vec![
            TaxDefinition {
                code: "GST".into(),
                rates: vec![
                    rate("standard", dec!(0.05), day(2008, 1, 1), None),
                    rate("zero_rated", dec!(0), day(2008, 1, 1), None),
                ],
            },
            TaxDefinition {
                code: "QST".into(),
                rates: vec![
                    rate("standard", dec!(0.09975), day(2013, 1, 1), None),
                    rate("zero_rated", dec!(0), day(2013, 1, 1), None),
                ],
            },
        ],
    }
}

fn uk() -> TaxRegime {
    TaxRegime {
        prices_include_tax: true,
        rounding: TaxRounding::PerRateOverSale,
        taxes: vec![TaxDefinition {
            code: "VAT".into(),
            rates: vec![
                rate("standard", dec!(0.175), day(2010, 1, 1), Some(day(2011, 1, 3))),
                rate("standard", dec!(0.20), day(2011, 1, 4), None),
            ],
        }],
    }
}

fn item(sku: &str, price: i64, class: &str) -> Item {
    Item {
        sku: Sku(sku.into()),
        gtin: None,
        name: sku.into(),
        name_fr: None,
        price: Some(Money::from_minor(price)),
        tax_class: TaxClass::new(class),
        kind: ItemKind::Item,
        schedule: Vec::new(),
    }
}

fn cad() -> Currency {
    Currency::new("CAD", 2, 5)
}

fn montreal_cart() -> Cart {
    let mut cart = Cart::new();
    cart.add_item(&item("chips", 349, "standard"), dec!(1)).unwrap();
    cart.add_item(&item("cola", 299, "standard"), dec!(1)).unwrap();
    cart.add_item(&item("milk", 429, "zero_rated"), dec!(1)).unwrap();
    cart
}

#[test]
fn montreal_gst_and_qst_apply_to_taxable_lines_only() {
    let priced = montreal_cart().price(&quebec(), day(2026, 12, 3));
    // Taxable base 3.49 + 2.99 = 6.48; GST 6.48 × 5% = 0.324 → 0.32;
    // QST 6.48 × 9.975% = 0.64638 → 0.65. Zero-rated milk is taxed at 0%.
    assert_eq!(priced.subtotal, Money::from_minor(1077));
    let taxes: Vec<(String, String, i64, i64)> = priced
        .taxes
        .lines
        .iter()
        .map(|t| (t.code.clone(), t.rate.to_string(), t.base.minor(), t.amount.minor()))
        .collect();
    assert_eq!(
        taxes,
        vec![
            ("GST".into(), "0".into(), 429, 0),
            ("GST".into(), "0.05".into(), 648, 32),
            ("QST".into(), "0".into(), 429, 0),
            ("QST".into(), "0.09975".into(), 648, 65),
        ]
    );
    assert_eq!(priced.total, Money::from_minor(1174));
}

#[test]
fn cash_rounds_the_total_to_five_cents_and_gives_change() {
    let total = Money::from_minor(1174);
    let paid = Settlement::of(total, &[Tender::Cash { tendered: Money::from_minor(2000) }], &cad());
    // 11.74 ends in 4: rounded up to 11.75, +0.01 recorded as cash rounding.
    assert!(paid.paid);
    assert_eq!(paid.cash_due_rounded, Money::from_minor(1175));
    assert_eq!(paid.cash_rounding, Money::from_minor(1));
    assert_eq!(paid.change, Money::from_minor(825));
    assert_eq!(paid.cash_kept(), Money::from_minor(1175));
}

#[test]
fn card_legs_are_never_rounded_and_split_tender_rounds_only_the_cash_part() {
    let total = Money::from_minor(1174);
    let card = Tender::ExternalCard { amount: Money::from_minor(500), reference: "A1".into() };
    let half = Settlement::of(total, std::slice::from_ref(&card), &cad());
    assert!(!half.paid);
    assert_eq!(half.remaining, Money::from_minor(674));
    assert_eq!(half.cash_remaining, Money::from_minor(675));

    let done =
        Settlement::of(total, &[card, Tender::Cash { tendered: Money::from_minor(1000) }], &cad());
    assert!(done.paid);
    assert_eq!(done.cash_rounding, Money::from_minor(1));
    assert_eq!(done.change, Money::from_minor(325));

    let all_card = Tender::ExternalCard { amount: total, reference: "A2".into() };
    let exact = Settlement::of(total, &[all_card], &cad());
    assert!(exact.paid);
    assert_eq!(exact.cash_rounding, Money::ZERO);
}

#[test]
fn a_card_cannot_pay_more_than_is_left_and_needs_its_reference() {
    let total = Money::from_minor(1174);
    let too_much = Tender::ExternalCard { amount: Money::from_minor(1175), reference: "X".into() };
    assert_eq!(
        check_new_tender(total, &[], &too_much, &cad()),
        Err(TenderError::ExceedsDue { remaining: total })
    );
    let no_ref = Tender::ExternalCard { amount: Money::from_minor(100), reference: " ".into() };
    assert_eq!(check_new_tender(total, &[], &no_ref, &cad()), Err(TenderError::ReferenceRequired));
}

#[test]
fn london_vat_is_included_at_the_rate_of_the_sale_date() {
    let mut cart = Cart::new();
    cart.add_item(&item("85123A", 255, "standard"), dec!(6)).unwrap();
    cart.add_item(&item("71053", 339, "standard"), dec!(6)).unwrap();
    // Gross 15.30 + 20.34 = 35.64. At 17.5%: 35.64 × 0.175 / 1.175 = 5.308… → 5.31.
    let before = cart.price(&uk(), day(2010, 12, 1));
    assert_eq!(before.total, Money::from_minor(3564));
    assert_eq!(before.taxes.included(), Money::from_minor(531));
    assert_eq!(before.taxes.lines[0].base, Money::from_minor(3033));
    // From 2011-01-04 at 20%: 35.64 / 6 = 5.94 exactly; the amount due is still the shelf sum.
    let after = cart.price(&uk(), day(2011, 1, 4));
    assert_eq!(after.total, Money::from_minor(3564));
    assert_eq!(after.taxes.included(), Money::from_minor(594));
}

#[test]
fn per_line_and_per_rate_rounding_differ_by_a_cent_on_the_same_basket() {
    let mut cart = Cart::new();
    for sku in ["a", "b", "c"] {
        cart.add_item(&item(sku, 10, "standard"), dec!(1)).unwrap();
    }
    let mut regime = quebec();
    regime.taxes.truncate(1);
    // Per rate: 0.30 × 5% = 0.015 → 0.02. Per line: 0.005 → 0.01, three times: 0.03.
    assert_eq!(cart.price(&regime, day(2026, 1, 1)).taxes.added(), Money::from_minor(2));
    regime.rounding = TaxRounding::PerLine;
    assert_eq!(cart.price(&regime, day(2026, 1, 1)).taxes.added(), Money::from_minor(3));
}

#[test]
fn each_line_knows_its_share_of_the_tax_and_the_shares_sum_to_the_tax_line() {
    let priced = montreal_cart().price(&quebec(), day(2026, 12, 3));
    for (column, tax_line) in priced.taxes.lines.iter().enumerate() {
        let sum: Money = priced.taxes.per_line.iter().map(|shares| shares[column]).sum();
        assert_eq!(sum, tax_line.amount, "{}", tax_line.code);
    }
}

#[test]
fn scanning_the_same_item_again_adds_to_its_line_and_bad_quantities_are_refused() {
    let mut cart = Cart::new();
    let chips = item("chips", 349, "standard");
    let first = cart.add_item(&chips, dec!(1)).unwrap();
    let again = cart.add_item(&chips, dec!(2)).unwrap();
    assert_eq!(first, again);
    assert_eq!(cart.lines()[0].quantity, dec!(3));
    assert!(cart.set_quantity(first, dec!(0)).is_err());
    assert!(cart.set_quantity(first, dec!(10000)).is_err());
    assert!(cart.set_quantity(first, dec!(1.2345)).is_err());
    assert!(cart.remove(first).is_ok());
    assert!(cart.is_empty());
}

#[test]
fn a_12_digit_upc_a_scan_finds_the_zero_prefixed_ean_13_and_search_ignores_accents() {
    let mut creme = item("M1", 499, "zero_rated");
    creme.name = "Crème fraîche épaisse".into();
    creme.gtin = Some(Gtin14::parse("0036000291452").unwrap());
    let catalog = Catalog::new(vec![creme, item("85123A", 255, "standard")]);
    assert_eq!(catalog.lookup("036000291452").map(|i| i.sku.as_str()), Some("M1"));
    assert_eq!(catalog.lookup("85123a").map(|i| i.sku.as_str()), Some("85123A"));
    assert_eq!(catalog.search("CREME", 10).len(), 1);
    assert!(catalog.lookup("4006381333931").is_none());
}
