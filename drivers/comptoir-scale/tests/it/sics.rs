//! The MT-SICS parser against answers written as the reference manuals print them.
//!
//! Sources: "MT-SICS Interface Command Reference Manual" (Mettler Toledo; sections "Format of
//! responses with weight value", "Error messages" and the S, SI, T, TA, TAC, Z, ZI, I4 and @
//! command pages) and the MT-SICS chapter of the New Classic operating instructions, whose
//! example is `S` answered by `S S     100.00 g`. The weight is right-aligned in a field of 10
//! characters, then a space and the unit; every line ends with CR LF.

use comptoir_scale::sics::{Command, Id, Reply, SicsError, Status, parse_reply};
use comptoir_scale::{Stability, Unit, Weight};
use rust_decimal_macros::dec;

fn answer(id: Id, status: Status) -> Result<Reply, SicsError> {
    Ok(Reply::Answer { id, status })
}

fn weight(stability: Stability, value: rust_decimal::Decimal, unit: Unit) -> Status {
    Status::Weight { stability, weight: Weight::new(value, unit) }
}

#[test]
fn the_manuals_stable_weight_example() {
    // New Classic operating instructions, MT-SICS: "S S 100.00 g: the current stable weight
    // value is 100.00 g".
    assert_eq!(
        parse_reply(b"S S     100.00 g\r\n"),
        answer(Id::S, weight(Stability::Stable, dec!(100.00), Unit::Gram))
    );
}

#[test]
fn a_dynamic_weight_is_read_as_not_stable() {
    // SI: "S D WeightValue Unit: non-stable (dynamic) weight value".
    assert_eq!(
        parse_reply(b"S D       0.254 kg\r\n"),
        answer(Id::S, weight(Stability::Dynamic, dec!(0.254), Unit::Kilogram))
    );
}

#[test]
fn the_decimals_the_scale_sent_are_kept() {
    let Ok(Reply::Answer { status: Status::Weight { weight, .. }, .. }) =
        parse_reply(b"S S      0.250 kg\r\n")
    else {
        panic!("not a weight");
    };
    assert_eq!(weight.value.to_string(), "0.250");
}

#[test]
fn a_negative_weight_is_read_with_its_sign() {
    assert_eq!(
        parse_reply(b"S S     -0.012 kg\r\n"),
        answer(Id::S, weight(Stability::Stable, dec!(-0.012), Unit::Kilogram))
    );
}

#[test]
fn busy_overload_and_underload() {
    // S: "S I command not executable (balance is currently executing another command, e.g.
    // taring, or timeout as stability was not reached); S + balance in overload range;
    // S - balance in underload range".
    assert_eq!(parse_reply(b"S I\r\n"), answer(Id::S, Status::NotExecutable));
    assert_eq!(parse_reply(b"S +\r\n"), answer(Id::S, Status::Overload));
    assert_eq!(parse_reply(b"S -\r\n"), answer(Id::S, Status::Underload));
}

#[test]
fn pounds_and_ounces() {
    assert_eq!(
        parse_reply(b"S S       1.25 lb\r\n"),
        answer(Id::S, weight(Stability::Stable, dec!(1.25), Unit::Pound))
    );
    assert_eq!(
        parse_reply(b"S S        8.0 oz\r\n"),
        answer(Id::S, weight(Stability::Stable, dec!(8.0), Unit::Ounce))
    );
}

#[test]
fn tare_answers() {
    // T: "T S WeightValue Unit: taring performed, stable tare value"; "T +" / "T -": upper or
    // lower limit of the taring range exceeded. TA: "TA A TareValue Unit". TAC: "TAC A".
    assert_eq!(
        parse_reply(b"T S      0.050 kg\r\n"),
        answer(Id::T, weight(Stability::Stable, dec!(0.050), Unit::Kilogram))
    );
    assert_eq!(parse_reply(b"T +\r\n"), answer(Id::T, Status::Overload));
    assert_eq!(
        parse_reply(b"TA A      0.050 kg\r\n"),
        answer(Id::TA, Status::Value(Weight::new(dec!(0.050), Unit::Kilogram)))
    );
    assert_eq!(parse_reply(b"TAC A\r\n"), answer(Id::TAC, Status::Done));
    assert_eq!(parse_reply(b"TAC I\r\n"), answer(Id::TAC, Status::NotExecutable));
}

#[test]
fn zero_answers() {
    // Z: "Z A zero setting performed"; ZI: "ZI D re-zero performed under non-stable (dynamic)
    // conditions", "ZI S re-zero performed under stable conditions".
    assert_eq!(parse_reply(b"Z A\r\n"), answer(Id::Z, Status::Done));
    assert_eq!(parse_reply(b"Z I\r\n"), answer(Id::Z, Status::NotExecutable));
    assert_eq!(parse_reply(b"Z +\r\n"), answer(Id::Z, Status::Overload));
    assert_eq!(parse_reply(b"ZI D\r\n"), answer(Id::ZI, Status::Performed(Stability::Dynamic)));
    assert_eq!(parse_reply(b"ZI S\r\n"), answer(Id::ZI, Status::Performed(Stability::Stable)));
}

#[test]
fn serial_number_and_reset() {
    // I4: `I4 A "<SNR>"`, the serial number in quotes; @ answers the same way.
    assert_eq!(
        parse_reply(b"I4 A \"B021002593\"\r\n"),
        answer(Id::I4, Status::Text("B021002593".to_owned()))
    );
}

#[test]
fn general_errors() {
    // "ES syntax error: the balance has not recognized the received command; ET transmission
    // error: the balance has received a faulty command, e.g. owing to a parity error or
    // interface break; EL logical error: the balance can not execute the received command".
    assert_eq!(parse_reply(b"ES\r\n"), Ok(Reply::SyntaxError));
    assert_eq!(parse_reply(b"ET\r\n"), Ok(Reply::TransmissionError));
    assert_eq!(parse_reply(b"EL\r\n"), Ok(Reply::LogicalError));
    assert_eq!(parse_reply(b"S L\r\n"), answer(Id::S, Status::Parameter));
}

#[test]
fn a_line_without_its_terminator_parses_the_same() {
    assert_eq!(parse_reply(b"S S     100.00 g"), parse_reply(b"S S     100.00 g\r\n"));
}

#[test]
fn commands_on_the_wire() {
    // "Each command must be closed by CR LF (ASCII 13 dec., 10 dec.)".
    let wire: Vec<(Command, &[u8])> = vec![
        (Command::Stable, b"S\r\n"),
        (Command::Immediate, b"SI\r\n"),
        (Command::ImmediateRepeat, b"SIR\r\n"),
        (Command::Tare, b"T\r\n"),
        (Command::TareValue, b"TA\r\n"),
        (Command::ClearTare, b"TAC\r\n"),
        (Command::Zero, b"Z\r\n"),
        (Command::ZeroImmediate, b"ZI\r\n"),
        (Command::SerialNumber, b"I4\r\n"),
        (Command::Reset, b"@\r\n"),
    ];
    for (command, bytes) in wire {
        assert_eq!(command.bytes(), bytes, "{command:?}");
        assert_eq!(Command::parse(bytes), Some(command));
    }
    assert_eq!(Command::parse(b"s\r\n"), None, "commands are upper case only");
}
