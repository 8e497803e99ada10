//! Result codes: a stable code and a message for the cashier that says what to do next.

use comptoir_zvt::ResultCode;

#[test]
fn result_codes_have_stable_codes_and_messages_that_say_what_to_do() {
    let expected = [
        (0x00, "card_approved"),
        (0x05, "card_declined"),
        (0x6C, "card_aborted"),
        (0x64, "card_not_readable"),
        (0x78, "card_expired"),
        (0x9C, "terminal_busy"),
        (0xB4, "card_already_reversed"),
        (0x7D, "terminal_offline"),
        (0x42, "terminal_error"),
    ];
    for (byte, code) in expected {
        assert_eq!(ResultCode(byte).code(), code, "{byte:02X}");
    }
    for byte in 0..=255u8 {
        let code = ResultCode(byte);
        let message = code.message();
        assert!(message.contains(':') || byte == 0, "{byte:02X}: {message}");
        assert!(!code.description().is_empty());
        assert!(code.code().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    }
    assert!(ResultCode(0x6C).is_abort() && !ResultCode(0x05).is_abort());
}
