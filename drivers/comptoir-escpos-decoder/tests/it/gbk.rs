//! The real GBK restaurant bill: Kanji mode, a weighed item and a partial cut.

use comptoir_escpos_decoder::{
    Command, CutMark, DecodeOptions, Justification, decode, decode_with, render,
};
use expect_test::expect;

use crate::fixture;

fn bill() -> Vec<u8> {
    fixture("chinese_restaurant_gbk.bin")
}

#[test]
fn bill_text_decodes_to_chinese() {
    let preview = render(&bill()).expect("renders");
    // Lines 4 and 12 are separators; the first half of line 4 is GBK's user-defined area
    // (AA A1), decoded to U+E000 as GB18030 assigns it.
    expect![[r#"
        ***餐馆
        客人就餐消费单
        桌号：28
        \u{e000}\u{e000}\u{e000}\u{e000}\u{e000}\u{e000}\u{e000}\u{e000}\u{e000}\u{e000}\u{e000}\u{e000}——————————
        酒店日期：2016-5-6                餐段：晚餐
        单号：0012                      服务员：小小
        菜品名称         数量       规格        小计
        ——————————————————————
        健怡雪碧         4            瓶       40.00
        鲟龙鱼         1.5            斤       28.00
        ——————————————————————
                                     消费合计：68.00
        折扣代码：                   折扣金额： 0.00
                                     应收金额：68.00
        打印时间：2016-5-6   21:32:49
        餐饮系统 www.***.com.cn





        [partial cut]"#]]
    .assert_eq(&preview.text().replace('\u{e000}', "\\u{e000}"));
}

#[test]
fn weighed_item_keeps_its_quantity_and_unit() {
    let preview = render(&bill()).expect("renders");
    let line = preview.lines.iter().find(|line| line.text.starts_with("鲟龙鱼")).expect("item");
    let fields: Vec<&str> = line.text.split_whitespace().collect();
    assert_eq!(fields, ["鲟龙鱼", "1.5", "斤", "28.00"]);
}

#[test]
fn title_is_centred_bold_and_double_width() {
    let preview = render(&bill()).expect("renders");
    let title = &preview.lines[0];
    assert_eq!(title.text, "***餐馆");
    assert_eq!(title.justify, Justification::Center);
    assert!(title.bold);
    assert_eq!((title.width, title.height), (2, 1));
}

#[test]
fn bill_ends_with_a_partial_cut_at_the_current_position() {
    let commands = decode(&bill()).expect("decodes");
    let tail: Vec<&Command> = commands.iter().rev().take(3).collect();
    assert_eq!(
        tail,
        [&Command::Init, &Command::Cut { partial: true, feed: None }, &Command::FeedLines(3)]
    );
    let preview = render(&bill()).expect("renders");
    assert_eq!(preview.cuts, [CutMark { partial: true, feed: None }]);
}

#[test]
fn without_kanji_mode_the_bytes_are_pc437() {
    // What a printer left in single-byte mode would print: each GBK byte as a PC437 glyph.
    let bytes = b"\xb2\xcd\xb9\xdd";
    assert_eq!(decode(bytes).expect("decodes"), [Command::Text("▓═╣▌".into())]);
    let chinese_model = DecodeOptions { kanji_mode_at_init: true, ..DecodeOptions::default() };
    let commands = decode_with(bytes, chinese_model).expect("decodes");
    assert_eq!(commands, [Command::Text("餐馆".into())]);
}
