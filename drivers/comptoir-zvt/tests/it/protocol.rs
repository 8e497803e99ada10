//! Protocol bytes taken from published sources, never from our own encoder: the ZVT tests of
//! Portalum.Zvt (github.com/Portalum/Portalum.Zvt, src/Portalum.Zvt.UnitTest), of ecrterm
//! (github.com/wirelane/ecrterm, ecrterm/tests) and the Wireshark ZVT dissector
//! (epan/dissectors/packet-zvt.c) for field layouts.

use comptoir_zvt::apdu::{apdu_len, parse_apdu};
use comptoir_zvt::frame::{crc16_kermit, encode_frame, parse_frame};
use comptoir_zvt::messages::{Password, command};
use comptoir_zvt::tlv::parse_tlv_container;
use comptoir_zvt::{ClientConfig, Command, TerminalMessage, parse_message};

use crate::support::hex;

fn status(bytes: &[u8]) -> comptoir_zvt::StatusInformation {
    match parse_message(bytes).unwrap() {
        TerminalMessage::StatusInformation(info) => info,
        other => panic!("not a status information: {other:?}"),
    }
}

#[test]
fn authorization_of_ten_euros_is_the_bytes_portalum_sends() {
    // Portalum ZvtClientTest.PaymentAsync_SuccessfulPayment: PaymentAsync(10) sends this.
    let apdu = command::authorization(1000, None).unwrap().encode().unwrap();
    assert_eq!(apdu, hex("06 01 07 04 00 00 00 00 10 00"));
}

#[test]
fn registration_is_the_bytes_ecrterm_sends() {
    // ecrterm test_apdu.py: Registration('987654', config_byte=0x41) and
    // Registration('777777', 0xa0, cc='0978') with service_byte 0x0a.
    let plain = command::registration(Password::parse("987654").unwrap(), 0x41, None, None);
    assert_eq!(plain.encode().unwrap(), hex("06 00 04 98 76 54 41"));
    let full =
        command::registration(Password::parse("777777").unwrap(), 0xA0, Some(978), Some(0x0A));
    assert_eq!(full.encode().unwrap(), hex("06 00 08 77 77 77 a0 09 78 03 0a"));
}

#[test]
fn log_off_is_the_bytes_ecrterm_sends() {
    // ecrterm test_apdu.py test_serialize_simple: LogOff() is 06 02 00.
    assert_eq!(command::log_off().encode().unwrap(), hex("06 02 00"));
    let config = ClientConfig::default();
    assert_eq!(Command::LogOff.apdu(&config).unwrap().encode().unwrap(), hex("06 02 00"));
}

#[test]
fn a_real_status_enquiry_completion_frame_reads_and_its_crc_matches() {
    // ecrterm test_parsing.py test_version_completion: a terminal's answer to a status
    // enquiry over the serial line, CRC included.
    let frame = hex("10 02 06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00 10 03 B1 11");
    let apdu = parse_frame(&frame).unwrap();
    assert_eq!(apdu, hex("06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00"));
    let TerminalMessage::Completion(done) = parse_message(&apdu).unwrap() else { panic!() };
    assert_eq!(done.software.as_deref(), Some("2.14.15"));
    assert_eq!(done.terminal_status, Some(0x00));
    // Our framing of the same APDU must be that very frame.
    assert_eq!(encode_frame(&apdu), frame);
}

#[test]
fn crc_is_crc16_kermit() {
    // The CRC RevEng catalogue's check value of CRC-16/KERMIT for "123456789"; Portalum's
    // ChecksumHelper uses this polynomial (0x8408 reflected, initial 0).
    assert_eq!(crc16_kermit(b"123456789"), 0x2189);
}

#[test]
fn a_frame_with_a_flipped_crc_byte_is_refused() {
    let frame = hex("10 02 06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00 10 03 B1 12");
    assert_eq!(parse_frame(&frame), Err(comptoir_zvt::ParseError::BadCrc));
}

#[test]
fn a_dle_in_the_apdu_is_doubled_in_the_frame() {
    // The serial framing doubles DLE inside the APDU (ecrterm SerialMessage.enrich,
    // Portalum SerialPortDeviceCommunication); a trace number 10 carries a DLE byte.
    let apdu = hex("04 0F 04 0B 00 00 10");
    let frame = encode_frame(&apdu);
    assert_eq!(&frame[..9], hex("10 02 04 0F 04 0B 00 00 10").as_slice());
    assert_eq!(frame[9], 0x10, "the DLE is doubled");
    assert_eq!(parse_frame(&frame).unwrap(), apdu);
}

#[test]
fn a_payment_status_information_reads_amount_reference_brand_and_masked_number() {
    // Portalum StatusInformationParserTest.Parse_PaymentGood1.
    let bytes = hex(
        "04 0F 77 27 00 04 00 00 00 00 20 40 0B 00 04 70 0C 22 39 53 0D 10 06 0E 25 12 17 00 01 19 70 \
         22 F0 F8 EE EE EE EE EE EE 47 71 29 28 00 48 69 2A 31 30 30 34 36 31 37 36 33 20 20 20 20 20 20 \
         3B 36 31 31 38 30 34 00 00 3C F0 F1 F4 47 45 4E 2E 4E 52 2E 3A 36 31 31 38 30 34 49 09 78 \
         87 04 70 88 00 04 70 8A 2E 8B F1 F7 44 65 62 69 74 20 4D 61 73 74 65 72 63 61 72 64 00",
    );
    let info = status(&bytes);
    assert_eq!(info.result, Some(0));
    assert_eq!(info.amount, Some(2040));
    assert_eq!(info.currency, Some(978));
    assert_eq!(info.trace, Some(470));
    assert_eq!(info.receipt_no, Some(470));
    assert_eq!(info.turnover_no, Some(470));
    assert_eq!(info.time, Some(223953));
    assert_eq!(info.terminal_id.as_deref(), Some("28004869"));
    assert_eq!(info.card_type, Some(0x2E));
    assert_eq!(info.card_name.as_deref(), Some("Debit Mastercard"));
    assert_eq!(info.additional_text.as_deref(), Some("GEN.NR.:611804"));
    assert_eq!(info.card_number.unwrap().as_str(), "************4771");
}

#[test]
fn an_abort_by_key_status_information_reads_result_6c_and_its_text() {
    // Portalum StatusInformationParserTest.Parse_AbortByKey.
    let bytes = hex(
        "04 0F 1E 27 6C 29 28 00 48 69 3C F0 F1 F9 41 62 62 72 75 63 68 20 64 75 72 63 68 20 4B 75 6E 64 65",
    );
    let info = status(&bytes);
    assert_eq!(info.result, Some(0x6C));
    assert_eq!(info.additional_text.as_deref(), Some("Abbruch durch Kunde"));
}

#[test]
fn a_status_information_with_a_tlv_container_reads_the_card_name() {
    // Portalum StatusInformationParserTest.Parse_TlvInfos1.
    let bytes = hex(
        "04-0F-65-27-00-0C-23-13-55-0D-10-29-0E-99-99-22-F0-F8-EE-EE-EE-EE-EE-EE-47-71-A0-01-29-00-00-00-06-87-00-08-0B-00-00-00-8A-06-8B-F1-F1-4D-41-53-54-45-52-43-41-52-44-00-06-2E-2F-08-1F-12-01-02-1F-10-01-00-60-1B-43-07-A0-00-00-00-04-10-10-44-10-44-65-62-69-74-20-4D-61-73-74-65-72-63-61-72-64-1F-2B-04-10-01-50-08",
    );
    let info = status(&bytes);
    assert_eq!(info.card_name.as_deref(), Some("MASTERCARD"));
    assert_eq!(info.receipt_no, Some(8));
    assert_eq!(info.terminal_id.as_deref(), Some("00000006"));
    assert_eq!(info.brand().as_deref(), Some("MASTERCARD"));
}

#[test]
fn a_rejected_card_reads_result_05_and_its_display_text() {
    // Portalum ZvtClientTest.PaymentAsync_CardRejected, then its abort 06 1E 01 05.
    let bytes = hex(
        "04-0F-25-27-05-29-29-00-02-74-3C-F0-F0-F9-41-62-67-65-6C-65-68-6E-74-8A-06-06-0D-24-0B-07-09-41-62-67-65-6C-65-68-6E-74",
    );
    let info = status(&bytes);
    assert_eq!(info.result, Some(0x05));
    assert_eq!(info.card_type, Some(0x06));
    assert_eq!(info.texts, vec!["Abgelehnt".to_owned()]);
    let TerminalMessage::Abort { code, .. } = parse_message(&hex("06 1E 01 05")).unwrap() else {
        panic!()
    };
    assert_eq!(code, Some(0x05));
}

#[test]
fn aborts_with_and_without_a_result_code() {
    // Portalum ZvtClientTest EndOfDayAsync: 06 1E 00 and 06 1E 01 64.
    assert!(matches!(
        parse_message(&hex("06 1E 00")).unwrap(),
        TerminalMessage::Abort { code: None, .. }
    ));
    assert!(matches!(
        parse_message(&hex("06 1E 01 64")).unwrap(),
        TerminalMessage::Abort { code: Some(0x64), .. }
    ));
}

#[test]
fn acknowledgements() {
    // Portalum ZvtClientTest: 80 00 00 and the timeout extension 84 9C 00.
    assert_eq!(parse_message(&hex("80 00 00")).unwrap(), TerminalMessage::Ack);
    assert_eq!(parse_message(&hex("84 9C 00")).unwrap(), TerminalMessage::Nack(0x9C));
    assert_eq!(
        parse_message(&hex("06 0F 00")).unwrap(),
        TerminalMessage::Completion(Default::default())
    );
}

#[test]
fn an_intermediate_status_with_display_texts() {
    // ecrterm test_parsing.py PACKET_LIST: 04 FF with a TLV of display texts.
    let bytes = hex(
        "04 FF 1E 0A 01 06 1A 24 18 07 16 42 69 74 74 65 20 4B 61 72 74 65 20 65 69 6E 73 74 65 63 6B 65 6E",
    );
    let TerminalMessage::IntermediateStatus { code, timeout, text } =
        parse_message(&bytes).unwrap()
    else {
        panic!()
    };
    assert_eq!((code, timeout), (0x0A, Some(1)));
    assert_eq!(text, "Bitte Karte einstecken");
    // Portalum IntermediateStatusInformationParserTest: code 0A alone is "insert card".
    let TerminalMessage::IntermediateStatus { text, timeout, .. } =
        parse_message(&hex("04 FF 01 0A")).unwrap()
    else {
        panic!()
    };
    assert!(text.contains("insert"), "{text}");
    assert_eq!(timeout, None);
    // A timeout byte of 0 gives no timeout.
    let TerminalMessage::IntermediateStatus { timeout, .. } =
        parse_message(&hex("04 FF 02 0A 00")).unwrap()
    else {
        panic!()
    };
    assert_eq!(timeout, None);
}

#[test]
fn print_lines_with_and_without_a_trailing_receipt_type() {
    // Portalum PrintLineTest: ProcessData_LineReceived1 and ..CardCompleteWithTlv (C4 is Ä).
    let TerminalMessage::PrintLine { attribute, text } =
        parse_message(&hex("06-D1-14-40-2A-2A-20-4B-41-53-53-45-4E-53-43-48-4E-49-54-54-20-2A-2A"))
            .unwrap()
    else {
        panic!()
    };
    assert_eq!((attribute, text.as_str()), (0x40, "** KASSENSCHNITT **"));
    let TerminalMessage::PrintLine { text, .. } = parse_message(&hex(
        "06-D1-19-40-2A-2A-20-48-C4-4E-44-4C-45-52-42-45-4C-45-47-20-2A-2A-06-04-1F-07-01-01",
    ))
    .unwrap() else {
        panic!()
    };
    assert_eq!(text, "** HÄNDLERBELEG **");
    let TerminalMessage::PrintLine { text, .. } = parse_message(&hex(
        "06-D1-1F-00-4E-72-3A-20-20-2A-2A-2A-2A-20-2A-2A-2A-2A-20-2A-2A-2A-2A-20-34-38-32-31-06-04-1F-07-01-01",
    ))
    .unwrap() else {
        panic!()
    };
    assert_eq!(text, "Nr:  **** **** **** 4821");
}

#[test]
fn print_lines_whose_length_lies_are_refused() {
    // Portalum PrintLineTest.ProcessData_LineReceived2: lengths too large and too short.
    assert!(
        parse_message(&hex("06-D1-10-40-2A-2A-20-4B-41-53-53-45-4E-53-43-48-4E-49-54-54-20-2A-2A"))
            .is_err()
    );
    assert!(
        parse_message(&hex("06-D1-18-40-2A-2A-20-4B-41-53-53-45-4E-53-43-48-4E-49-54-54-20-2A-2A"))
            .is_err()
    );
}

#[test]
fn completions_with_a_lone_status_byte() {
    // ecrterm test_apdu.py test_parse_cursed_completion: 06 0F 01 06 and 06 0F 03 06 06 00.
    let TerminalMessage::Completion(done) = parse_message(&hex("06 0F 01 06")).unwrap() else {
        panic!()
    };
    assert_eq!(done.terminal_status, Some(0x06));
    let TerminalMessage::Completion(done) = parse_message(&hex("06 0F 03 06 06 00")).unwrap()
    else {
        panic!()
    };
    assert_eq!(done.terminal_status, Some(0x06));
    // ecrterm test_parsing.py: a registration's completion with TID, currency and a TLV.
    let TerminalMessage::Completion(done) =
        parse_message(&hex("06 0F 11 19 00 29 52 00 12 33 49 09 78 06 05 27 03 14 01 FF")).unwrap()
    else {
        panic!()
    };
    assert_eq!(done.info.terminal_id.as_deref(), Some("52001233"));
    assert_eq!(done.info.currency, Some(978));
}

#[test]
fn a_nested_tlv_container_reads() {
    // ecrterm test_apdu.py test_parse_with_tlv: an end of day with password and TLV.
    let apdu = parse_apdu(&hex("06501712345606123f210c60065501aa0501bb1002abba110177")).unwrap();
    assert_eq!(apdu.control(), [0x06, 0x50]);
    assert_eq!(&apdu.data[..3], &[0x12, 0x34, 0x56]);
    assert_eq!(apdu.data[3], 0x06);
    let (items, used) = parse_tlv_container(&apdu.data[4..]).unwrap();
    assert_eq!(used, apdu.data.len() - 4);
    let tags: Vec<u32> = items.iter().map(|t| t.tag).collect();
    assert_eq!(tags, vec![0x3F21, 0x11]);
    assert_eq!(items[1].value, vec![0x77]);
    let application = &items[0].children[0];
    assert_eq!(application.tag, 0x60);
    assert_eq!(application.children[0].tag, 0x55);
    assert_eq!(application.children[0].value, vec![0xAA]);
    assert_eq!(items[0].children[1].value, vec![0xAB, 0xBA]);
}

#[test]
fn extended_length_apdus() {
    // Wireshark packet-zvt.c: a length byte FF is followed by two bytes, little-endian.
    let mut bytes = hex("06 D3 FF 2C 01");
    bytes.extend(std::iter::repeat_n(0x20, 0x012C));
    assert_eq!(apdu_len(&bytes), Some(5 + 300));
    let apdu = parse_apdu(&bytes).unwrap();
    assert_eq!(apdu.data.len(), 300);
    assert_eq!(apdu.encode().unwrap(), bytes);
}
