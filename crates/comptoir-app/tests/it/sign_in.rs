//! PIN sign-in: argon2id hashes, lockout after repeated failures, lock and switch cashier.

use chrono::Duration;
use comptoir_app::Pin;

use crate::common::*;

#[test]
fn five_wrong_pins_lock_the_pad_for_five_minutes() {
    let mut till = till("montreal");
    let first = till.register.sign_in(&Pin::new("0000")).unwrap_err();
    // Said whole in the cashier's language, with what is at stake.
    assert!(
        first.message("fr").starts_with("NIP incorrect : encore 4 NIP"),
        "{}",
        first.message("fr")
    );
    assert!(first.message("en").contains("within 15 minutes lock it for everyone"));
    for _ in 0..3 {
        assert_eq!(till.register.sign_in(&Pin::new("0000")).unwrap_err().code, "wrong_pin");
    }
    let locked = till.register.sign_in(&Pin::new("0000")).unwrap_err();
    assert_eq!(locked.code, "locked_out");
    assert!(locked.message("fr").contains("encore 5 minute(s)"), "{}", locked.message("fr"));
    assert!(!locked.message("fr").contains(" for "), "{}", locked.message("fr"));
    assert_eq!(
        till.register.sign_in(&Pin::new("1234")).unwrap_err().code,
        "locked_out",
        "even the right PIN"
    );
    till.clock.advance(Duration::minutes(5) + Duration::seconds(1));
    assert_eq!(till.register.sign_in(&Pin::new("1234")).unwrap().name, "Camille Tremblay");
}

#[test]
fn signing_in_with_ones_own_pin_buys_no_more_guesses_of_a_managers() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    let approve = |till: &mut Till, pin: &str| {
        till.register
            .override_price(1, "1.00", "guess", &Pin::new(pin))
            .map(|_| ())
            .map_err(|e| e.code)
    };
    for round in 0..2 {
        for _ in 0..2 {
            assert_eq!(approve(&mut till, "0000"), Err("wrong_pin"), "round {round}");
        }
        // The cashier signs in again, with their own right PIN: the count goes on.
        till.register.lock();
        till.register.sign_in(&Pin::new("2468")).unwrap();
    }
    assert_eq!(approve(&mut till, "0000"), Err("locked_out"), "the fifth wrong PIN locks");
    assert_eq!(approve(&mut till, "1234"), Err("locked_out"), "even the manager's right PIN");
    // Past the lock and the window, a mistyped PIN is one of five again.
    till.clock.advance(Duration::minutes(16));
    assert_eq!(approve(&mut till, "0000"), Err("wrong_pin"));
    assert_eq!(approve(&mut till, "1234"), Ok(()));
}

#[test]
fn the_lockout_survives_a_restart_and_pins_are_stored_hashed() {
    let mut till = till("montreal");
    for _ in 0..5 {
        let _ = till.register.sign_in(&Pin::new("9999"));
    }
    let mut till = till.restart();
    assert_eq!(till.register.sign_in(&Pin::new("1234")).unwrap_err().code, "locked_out");
    let cashiers = till.register.database().cashiers().unwrap();
    assert!(
        cashiers
            .iter()
            .all(|c| c.pin_hash.starts_with("$argon2id$") && !c.pin_hash.contains("1234"))
    );
}

#[test]
fn lock_then_another_cashier_takes_over_the_same_cart() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    till.register.lock();
    assert_eq!(till.register.view().unwrap().screen, "locked");
    assert_eq!(till.register.scan(PEANUTS).unwrap_err().code, "not_signed_in");
    till.register.sign_in(&Pin::new("2468")).unwrap();
    let view = till.register.view().unwrap();
    assert_eq!(view.cashier.unwrap().name, "Noah Gagnon");
    assert_eq!(view.cart.lines.len(), 1);
    assert_eq!(format!("{:?}", Pin::new("2468")), "Pin(****)");
}

#[test]
fn a_refused_permission_says_what_in_words() {
    let mut till = open_till();
    till.register.lock();
    till.register.sign_in(&Pin::new("2468")).unwrap();
    let error = till
        .register
        .drawer_movement(comptoir_app::DrawerMovement::PaidOut, Some("5"), "x")
        .unwrap_err();
    assert_eq!(
        error.message("en"),
        "You may not take money out of the drawer: ask a manager to sign in."
    );
}
