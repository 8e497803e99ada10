//! The simulated scale's answers, command by command, as the MT-SICS manual gives them.

use comptoir_scale::sim::{GARBAGE, Scale, Step, parse_script, parse_step};

fn scale(steps: &[&str]) -> Scale {
    let steps = steps.iter().map(|s| parse_step(s).unwrap()).collect();
    Scale::new(steps, None, "B021002593".to_owned())
}

fn answer(scale: &mut Scale, command: &str) -> Option<String> {
    let (bytes, _) = scale.answer(format!("{command}\r\n").as_bytes())?;
    Some(String::from_utf8(bytes).unwrap())
}

#[test]
fn s_waits_for_stability_and_si_answers_at_once() {
    let mut moving = scale(&["dynamic 0.254 kg"]);
    assert_eq!(answer(&mut moving, "S").as_deref(), Some("S I\r\n"));
    assert_eq!(answer(&mut moving, "SI").as_deref(), Some("S D      0.254 kg\r\n"));
}

#[test]
fn each_weight_command_plays_the_next_step_and_the_last_repeats() {
    let mut scale = scale(&["dynamic 0.254 kg", "stable 0.256 kg"]);
    assert_eq!(answer(&mut scale, "SI").as_deref(), Some("S D      0.254 kg\r\n"));
    assert_eq!(answer(&mut scale, "SI").as_deref(), Some("S S      0.256 kg\r\n"));
    assert_eq!(answer(&mut scale, "SI").as_deref(), Some("S S      0.256 kg\r\n"));
}

#[test]
fn tare_zero_and_their_arithmetic() {
    let mut scale = scale(&["stable 0.300 kg"]);
    assert_eq!(answer(&mut scale, "T").as_deref(), Some("T S      0.300 kg\r\n"));
    assert_eq!(answer(&mut scale, "TA").as_deref(), Some("TA A      0.300 kg\r\n"));
    assert_eq!(answer(&mut scale, "SI").as_deref(), Some("S S      0.000 kg\r\n"));
    assert_eq!(answer(&mut scale, "TAC").as_deref(), Some("TAC A\r\n"));
    assert_eq!(answer(&mut scale, "SI").as_deref(), Some("S S      0.300 kg\r\n"));
    assert_eq!(answer(&mut scale, "Z").as_deref(), Some("Z A\r\n"));
    assert_eq!(answer(&mut scale, "SI").as_deref(), Some("S S      0.000 kg\r\n"));
    assert_eq!(answer(&mut scale, "ZI").as_deref(), Some("ZI S\r\n"));
    assert_eq!(answer(&mut scale, "TA").as_deref(), Some("TA A      0.000 kg\r\n"));
}

#[test]
fn serial_number_reset_unknown_commands() {
    let mut scale = scale(&["stable 0.256 kg"]);
    assert_eq!(answer(&mut scale, "I4").as_deref(), Some("I4 A \"B021002593\"\r\n"));
    assert_eq!(answer(&mut scale, "@").as_deref(), Some("I4 A \"B021002593\"\r\n"));
    assert_eq!(answer(&mut scale, "XYZ").as_deref(), Some("ES\r\n"));
    assert_eq!(answer(&mut scale, "s").as_deref(), Some("ES\r\n"));
}

#[test]
fn overload_underload_silent_garbage() {
    assert_eq!(answer(&mut scale(&["overload"]), "SI").as_deref(), Some("S +\r\n"));
    assert_eq!(answer(&mut scale(&["underload"]), "T").as_deref(), Some("T -\r\n"));
    assert_eq!(answer(&mut scale(&["silent"]), "SI"), None);
    assert_eq!(answer(&mut scale(&["silent"]), "XYZ"), None);
    let (bytes, _) = scale(&["garbage"]).answer(b"SI\r\n").unwrap();
    assert_eq!(bytes, GARBAGE);
}

#[test]
fn scripts_name_the_line_they_refuse() {
    assert_eq!(
        parse_script("# a demo\nstable 0.256 kg\n\ndynamic 0.2 kg # moving\n"),
        Ok(vec![parse_step("stable 0.256 kg").unwrap(), parse_step("dynamic 0.2 kg").unwrap()])
    );
    assert!(parse_script("stable 0.256 kg\nheavy\n").unwrap_err().starts_with("line 2:"));
    assert!(parse_script("stable 0.256 stone").unwrap_err().contains("stone"));
    assert_eq!(parse_script("# nothing\n"), Err("the script has no step".to_owned()));
    assert_eq!(parse_step("silent"), Ok(Step::Silent));
}
