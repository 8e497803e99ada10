//! escpos-php's character encoding demo: each language through its own code table.

use comptoir_escpos_decoder::{Command, code_table_name, decode, render};
use expect_test::expect;

use crate::fixture;

#[test]
fn character_encodings_decode_to_the_right_unicode() {
    let preview = render(&fixture("character-encodings.bin")).expect("renders");
    expect![[r#"
        Implemented languages
        Danish:
        Quizdeltagerne spiste jordbær med fløde, mens cirkusklovnen Wolther spillede på xylofon.
        German:
        Falsches Üben von Xylophonmusik quält jeden größeren Zwerg.
        Greek:
        Ξεσκεπάζω την ψυχοφθόρα βδελυγμία
        English:
        The quick brown fox jumps over the lazy dog.
        Spanish:
        El pingüino Wenceslao hizo kilómetros bajo exhaustiva lluvia y frío, añoraba a su querido cachorro.
        French:
        Le cœur déçu mais l'âme plutôt naïve, Louÿs rêva de crapaüter en canoë au delà des îles, près du mälström où brûlent les novæ.
        Irish Gaelic:
        D'fhuascail Íosa, Úrmhac na hÓighe Beannaithe, pór Éava agus Ádhaimh.
        Hungarian:
        Árvíztűrő tükörfúrógép.
        Icelandic:
        Kæmi ný öxi hér ykist þjófum nú bæði víl og ádrepa.
        Latvian:
        Glāžšķūņa rūķīši dzērumā čiepj Baha koncertflīģeļu vākus.
        Polish:
        Pchnąć w tę łódź jeża lub ośm skrzyń fig.
        Russian:
        В чащах юга жил бы цитрус? Да, но фальшивый экземпляр!
        Turkish:
        Pijamalı hasta, yağız şoföre çabucak güvendi.
        Japanese (Katakana half-width):
        ｲﾛﾊﾆﾎﾍﾄ ﾁﾘﾇﾙｦ ﾜｶﾖﾀﾚｿ ﾂﾈﾅﾗﾑ
        ｳｲﾉｵｸﾔﾏ ｹﾌｺｴﾃ ｱｻｷﾕﾒﾐｼ ｴﾋﾓｾｽﾝ
        Vietnamese:
        Tiếng Việt, còn gọi tiếng Việt Nam hay Việt ngữ, là ngôn ngữ của người Việt (người Kinh) và là ngôn ngữ chính thức tại Việt Nam.

        Works in progress
        Thai (No character encoder available):
        นายสังฆภัณฑ์ เฮงพิทักษ์ฝั่ง ผู้เฒ่าซึ่งมีอาชีพเป็นฅนขายฃวด ถูกตำรวจปฏิบัติการจับฟ้องศาล ฐานลักนาฬิกาคุณหญิงฉัตรชฎา ฌานสมาธิ
        Japanese (Hiragana):
        ????????????
         ???????????
        ????????????
        ????????????
        Japanese (Katakana full-width):
        ??????? ????? ?????? ?????
        ??????? ????? ??????? ??????
        Arabic (RTL not supported, encoding issues):
        صِف خَلقَ خَودِ كَمِثلِ الشَمسِ إِذ بَزَغَت — يَحظى الضَجيعُ بِها نَجلاءَ مِعطارِ
        Hebrew (RTL not supported, line break issues):
        דג סקרן שט בים מאוכזב ולפתע מצא לו חברה איך הקליטה
        [cut]"#]]
    .assert_eq(&preview.text());
}

#[test]
fn a_code_table_switch_inside_a_word_joins_on_paper() {
    // "fløde": escpos-php switches to PC850 for the ø alone, in the middle of the word.
    let commands = decode(&fixture("character-encodings.bin")).expect("decodes");
    let switch = commands.iter().position(|c| *c == Command::SelectCodeTable(2));
    let Some(at) = switch else { panic!("no ESC t 2 in {commands:?}") };
    assert_eq!(commands[at - 1], Command::Text("Quizdeltagerne spiste jordbær med fl".into()));
    assert!(matches!(&commands[at + 1], Command::Text(text) if text.starts_with("øde, mens")));
}

#[test]
fn headings_are_bold_and_the_title_is_large() {
    let preview = render(&fixture("character-encodings.bin")).expect("renders");
    let title = &preview.lines[0];
    assert_eq!((title.bold, title.width, title.height), (true, 2, 2));
    let greek = preview.lines.iter().position(|line| line.text == "Greek:").expect("Greek:");
    assert!(preview.lines[greek].bold);
    assert!(!preview.lines[greek + 1].bold);
}

#[test]
fn every_code_table_of_the_table_demo_is_mapped_or_unused() {
    // character-tables.bin prints all 128 upper bytes under each table escpos-php supports;
    // decoding it whole proves each of them is mapped.
    let preview = render(&fixture("character-tables.bin")).expect("renders");
    let text = preview.text();
    assert!(text.contains("Table 17: CP866"));
    assert!(text.contains("АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"));
    assert!(text.contains("ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒ"));
}

#[test]
fn code_table_names_follow_epson_numbering() {
    let names: Vec<_> = [0, 2, 16, 17, 19, 40, 6, 255].map(code_table_name).into();
    let expected = [Some("PC437"), Some("PC850"), Some("WPC1252"), Some("PC866"), Some("PC858")];
    assert_eq!(names[..5], expected);
    assert_eq!(names[5..], [Some("ISO8859-15"), None, None]);
}
