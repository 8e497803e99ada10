//! Garbage, half lines and endless lines from a scale end in a typed error, never a panic.

use comptoir_scale::sics::{Lines, MAX_LINE, SicsError, parse_reply};
use comptoir_scale::sim::parse_script;

/// A line and a check of the error it must give.
type Case = (&'static [u8], fn(&SicsError) -> bool);

#[test]
fn garbage_is_a_typed_error() {
    let cases: Vec<Case> = vec![
        (b"", |e| *e == SicsError::Empty),
        (b"\r\n", |e| *e == SicsError::Empty),
        (b"S \xfe 0.2#5\r\n", |e| *e == SicsError::NotAscii),
        (b"S S\x00 1 g", |e| *e == SicsError::NotAscii),
        (b"X S 1.0 g", |e| matches!(e, SicsError::Unknown(_))),
        (b"S", |e| matches!(e, SicsError::Unknown(_))),
        (b"S X", |e| matches!(e, SicsError::Unknown(_))),
        (b"S SS 1 g", |e| matches!(e, SicsError::Unknown(_))),
        (b"S I 1 g", |e| matches!(e, SicsError::Unknown(_))),
        (b"S S     1.2.3 g", |e| matches!(e, SicsError::BadWeight(_))),
        (b"S S     1,5 kg", |e| matches!(e, SicsError::BadWeight(_))),
        (b"S S 12345678901 g", |e| matches!(e, SicsError::BadWeight(_))),
        (b"S S      .5 kg", |e| matches!(e, SicsError::BadWeight(_))),
        (b"S S      1e3 kg", |e| matches!(e, SicsError::BadWeight(_))),
        (b"S S      0.256", |e| matches!(e, SicsError::BadWeight(_))),
        (b"S S      0.256 kg kg", |e| matches!(e, SicsError::BadWeight(_))),
        (b"S S      0.256 stone", |e| matches!(e, SicsError::UnknownUnit(_))),
        (b"S S      0.256 KG", |e| matches!(e, SicsError::UnknownUnit(_))),
        (b"I4 A \"B0210", |e| matches!(e, SicsError::BadText(_))),
        (b"I4 A \"B0\"21\"", |e| matches!(e, SicsError::BadText(_))),
    ];
    for (line, expected) in cases {
        let error = parse_reply(line).expect_err(&String::from_utf8_lossy(line));
        assert!(expected(&error), "{:?} gave {error:?}", String::from_utf8_lossy(line));
    }
}

#[test]
fn an_oversize_line_is_refused() {
    let line = vec![b'S'; MAX_LINE + 1];
    assert_eq!(parse_reply(&line), Err(SicsError::TooLong));
}

#[test]
fn lines_are_joined_across_reads() {
    let mut lines = Lines::new();
    assert!(lines.push(b"S S     10").is_empty(), "half a line is no line");
    assert!(lines.push(b"0.00 g\r").is_empty());
    assert_eq!(
        lines.push(b"\nS I\r\n"),
        vec![Ok(b"S S     100.00 g".to_vec()), Ok(b"S I".to_vec())]
    );
}

#[test]
fn an_endless_line_is_reported_once_and_the_next_line_is_read() {
    let mut lines = Lines::new();
    let noise = vec![b'#'; MAX_LINE * 10];
    let reported = lines.push(&noise);
    assert_eq!(reported, vec![Err(SicsError::TooLong)]);
    assert_eq!(
        lines.push(b"still noise\r\nS S      0.256 kg\r\n"),
        vec![Ok(b"S S      0.256 kg".to_vec())]
    );
}

/// A small deterministic generator, so a failure can be replayed.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u8 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as u8
    }
}

#[test]
fn random_bytes_and_mutated_answers_never_panic() {
    let mut noise = Noise(0x5eed);
    let answers: [&[u8]; 6] = [
        b"S S     100.00 g\r\n",
        b"S D       0.254 kg\r\n",
        b"TA A      0.050 kg\r\n",
        b"I4 A \"B021002593\"\r\n",
        b"ZI D\r\n",
        b"ES\r\n",
    ];
    let mut lines = Lines::new();
    for round in 0..20_000 {
        let mut bytes = answers[round % answers.len()].to_vec();
        for _ in 0..(noise.next() % 4) {
            let at = usize::from(noise.next()) % bytes.len();
            bytes[at] = noise.next();
        }
        bytes.truncate(usize::from(noise.next()) % (bytes.len() + 1));
        let _ = parse_reply(&bytes);
        for line in lines.push(&bytes).into_iter().flatten() {
            let _ = parse_reply(&line);
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_script(&text);
    }
}
