//! The main loop: split the job into control bytes, commands and runs of text.

use crate::charset::{DecodeOptions, TextState};
use crate::command::Command;
use crate::error::DecodeError;
use crate::reader::Reader;
use crate::{dle, esc, fs, gs};

const HT: u8 = 0x09;
const LF: u8 = 0x0A;
const CR: u8 = 0x0D;
const DLE: u8 = 0x10;
const ESC: u8 = 0x1B;
const FS: u8 = 0x1C;
const GS: u8 = 0x1D;
const DEL: u8 = 0x7F;

/// Decodes a whole job, following the state (code table, Kanji mode) that commands change.
pub(crate) fn decode(bytes: &[u8], options: DecodeOptions) -> Result<Vec<Command>, DecodeError> {
    let mut reader = Reader::new(bytes);
    let mut state = TextState::new(options);
    let mut commands = Vec::new();
    while !reader.at_end() {
        reader.begin();
        let command = next(&mut reader, &state)?;
        state.apply(&command);
        commands.push(command);
    }
    Ok(commands)
}

fn next(r: &mut Reader<'_>, state: &TextState) -> Result<Command, DecodeError> {
    if r.peek().is_some_and(printable) {
        let run = r.take_while(printable);
        return state.decode(run, r.start()).map(Command::Text);
    }
    Ok(match r.u8()? {
        HT => Command::HorizontalTab,
        LF => Command::LineFeed,
        CR => Command::CarriageReturn,
        DLE => dle::parse(r)?,
        ESC => esc::parse(r)?,
        FS => fs::parse(r)?,
        GS => gs::parse(r)?,
        // NUL and the other control bytes are no commands: a stray one is an encoder bug.
        _ => return Err(r.unknown()),
    })
}

/// Bytes the printer prints rather than executes. DEL is left out: no code table the
/// decoder maps gives it a glyph, so a DEL in a job is an encoder bug.
fn printable(byte: u8) -> bool {
    byte >= 0x20 && byte != DEL
}
