//! The config file `/etc/comptoir/register.toml`: every setting read with its line, a bad value
//! refused with the file, line and key while the register keeps the value it had, and the
//! sample shipped in the .deb naming every setting.

use std::path::Path;

use comptoir_app::config_file::{ConfigFile, check_setting};
use comptoir_app::{OpenOptions, Register};

use crate::common::till;

const FILE: &str = "/etc/comptoir/register.toml";

fn parse(text: &str) -> ConfigFile {
    ConfigFile::parse(Path::new(FILE), text)
}

fn entries(file: &ConfigFile) -> Vec<String> {
    file.entries.iter().map(|e| format!("{}:{}={}", e.line, e.key, e.value)).collect()
}

#[test]
fn each_section_maps_to_the_settings_with_its_line() {
    let file = parse(
        "data_dir = \"/var/lib/comptoir\"\n\
         [printer]\n\
         connection = \"tcp://192.168.1.50:9100\"\n\
         profile = \"TM-T88V\"\n\
         auto_status = true\n\
         [drawer]\n\
         pin = 5\n\
         [scanner]\n\
         connection = \"serial:/dev/ttyACM0@9600,suffix=cr,country=FR\"\n\
         [ui]\n\
         kiosk = true\n\
         autostart = true\n\
         [log]\n\
         dir = \"/var/log/comptoir\"\n\
         keep_days = 30\n",
    );
    assert_eq!(file.problems, vec![]);
    assert_eq!(
        entries(&file),
        [
            "3:printer=tcp://192.168.1.50:9100",
            "4:printer.profile=TM-T88V",
            "5:printer.auto_status=true",
            "7:drawer.pin=5",
            "9:scanner=serial:/dev/ttyACM0@9600,suffix=cr,country=FR",
            "11:ui.kiosk=true",
        ]
    );
    assert_eq!(file.data_dir.as_deref(), Some(Path::new("/var/lib/comptoir")));
    assert!(file.autostart);
    assert_eq!(file.log.dir.as_deref(), Some(Path::new("/var/log/comptoir")));
    assert_eq!(file.log.keep_days, Some(30));
}

#[test]
fn a_bad_value_is_refused_by_file_line_and_key_and_the_register_keeps_its_value() {
    let mut till = till("montreal");
    let good = parse("[drawer]\npin = 5\non_ms = 100\n");
    let applied = good.apply(&till.register).unwrap();
    assert_eq!(applied.changed, ["drawer.pin", "drawer.on_ms"]);

    let bad = parse("[drawer]\npin = 7\non_ms = 120\n\n[terminal]\npassword = \"12345\"\n");
    let applied = bad.apply(&till.register).unwrap();
    assert_eq!(applied.changed, ["drawer.on_ms"]);
    let refused: Vec<String> = applied.refused.iter().map(ToString::to_string).collect();
    assert_eq!(
        refused,
        [
            "/etc/comptoir/register.toml line 2, drawer.pin: drawer.pin is 2 or 5 (the drawer's \
             connector pin); the register keeps its previous value: fix the file and restart",
            "/etc/comptoir/register.toml line 6, terminal.password: terminal.password is the \
             terminal's password: 6 digits; the register keeps its previous value: fix the file \
             and restart",
        ]
    );

    till = till.restart();
    let db = till.register.database();
    assert_eq!(db.setting("drawer.pin").unwrap().as_deref(), Some("5"));
    assert_eq!(db.setting("drawer.on_ms").unwrap().as_deref(), Some("120"));
    assert_eq!(db.setting("terminal.password").unwrap(), None);
}

#[test]
fn a_file_that_is_not_toml_changes_nothing_and_names_its_line() {
    let till = till("montreal");
    let file = parse("[printer]\nprofile = \"TM-T88V\"\npin = = 2\n");
    assert_eq!(file.entries, vec![]);
    assert_eq!(file.problems.len(), 1);
    assert_eq!(file.problems[0].line, Some(3));
    let applied = file.apply(&till.register).unwrap();
    assert!(applied.changed.is_empty());
    assert_eq!(till.register.database().setting("printer.profile").unwrap(), None);
}

#[test]
fn an_unknown_section_or_key_or_a_value_of_the_wrong_kind_is_refused() {
    let section = parse("[printr]\nprofile = \"TM-T88V\"\n");
    assert_eq!(section.problems[0].line, Some(1), "{}", section.problems[0]);
    assert!(section.problems[0].message.contains("printr"), "{}", section.problems[0]);

    let file = parse("[drawer]\npins = 2\non_ms = 1.5\n[log]\nkeep_days = 0\n");
    let problems: Vec<(Option<usize>, Option<&str>)> =
        file.problems.iter().map(|p| (p.line, p.key.as_deref())).collect();
    assert_eq!(
        problems,
        [
            (Some(2), Some("drawer.pins")),
            (Some(3), Some("drawer.on_ms")),
            (Some(5), Some("log.keep_days"))
        ]
    );
    assert!(file.problems[0].message.contains("pin, on_ms"), "{}", file.problems[0]);
}

#[test]
fn device_settings_follow_the_spec() {
    let accepted = [
        ("printer", "virtual"),
        ("printer", "tcp://printer.local:9100"),
        ("printer.auto_status", "false"),
        ("drawer.realtime_ms", "100"),
        ("drawer.realtime_ms", "800"),
        ("drawer.realtime_in_error", "true"),
        ("drawer.open_when_high", "false"),
        ("drawer.warn_open_secs", "0"),
        ("drawer.warn_open_secs", "3600"),
        ("scanner", "none"),
        ("scanner", "serial:/dev/ttyACM0"),
        ("scanner", "serial:/dev/ttyACM0@115200,suffix=crlf,country=CA"),
        ("scanner.burst_max_gap_ms", "30"),
        ("scale", "serial:/dev/ttyUSB1@9600,7E1"),
        ("scale", "none"),
        ("display", "printer"),
        ("display", "serial:/dev/ttyUSB2@9600"),
        ("display.idle", "Bienvenue / Welcome"),
        ("terminal", "zvt+tcp://192.168.1.60"),
        ("terminal", "zvt+tcp://terminal.local:20007"),
        ("terminal", "zvt+serial:/dev/ttyS0@9600"),
        ("terminal.password", "000000"),
        ("ui.kiosk", "true"),
    ];
    for (key, value) in accepted {
        assert_eq!(check_setting(key, value), Ok(()), "{key} = {value}");
    }
    let refused = [
        ("printer", "tcp://bad host"),
        ("printer.auto_status", "yes"),
        ("printer.logo", "logo.pbm"),
        ("printer.logo", "/nowhere/logo.pbm"),
        ("printer.logo", "/etc/hostname"),
        ("drawer.realtime_ms", "99"),
        ("drawer.realtime_ms", "801"),
        ("drawer.warn_open_secs", "3601"),
        ("drawer.off_ms", "1"),
        ("scanner", "/dev/ttyACM0"),
        ("scanner", "serial:/dev/ttyACM0,suffix=tab"),
        ("scanner", "serial:/dev/ttyACM0,country=FRA"),
        ("scanner", "serial:COM3"),
        ("scanner.burst_min_len", "65"),
        ("scale", "serial:/dev/ttyUSB1@fast"),
        ("scale", "serial:/dev/ttyUSB1@9600,9X1"),
        ("display", "serial:../../etc/passwd"),
        ("display.idle", "a line that is longer than the two lines of a pole display"),
        ("display.idle", "two\nlines"),
        ("terminal", "zvt://192.168.1.60"),
        ("terminal", "zvt+tcp://192.168.1.60:0"),
        ("terminal", "zvt+tcp://bad host"),
        ("terminal.password", "12345a"),
        ("ui.kiosk", "1"),
        ("ui.colour", "red"),
    ];
    for (key, value) in refused {
        assert!(check_setting(key, value).is_err(), "{key} = {value} was taken");
    }
}

#[test]
fn a_changed_setting_reopens_the_register_on_it() {
    let till = till("montreal");
    let dir = till.dir;
    let file = parse("[printer]\nconnection = \"tcp://127.0.0.1:9\"\n");
    let (mut register, applied) =
        file.apply_and_reopen(till.register, || Ok(OpenOptions::default())).unwrap();
    assert_eq!(applied.changed, ["printer"]);
    assert_eq!(register.view().unwrap().printer.kind, "tcp://127.0.0.1:9");

    // The lock went with the first register: nothing else may open the folder now.
    let second = Register::open(dir.path(), OpenOptions::default());
    assert_eq!(second.err().map(|e| e.code), Some("already_running"));
}

/// The sample shipped in the .deb: every setting is there once, as an example line to
/// uncomment, and every example is a value the register takes.
#[test]
fn the_sample_config_names_every_setting_with_a_value_the_register_takes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/register.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let as_shipped = ConfigFile::parse(&path, &text);
    assert_eq!(as_shipped.problems, vec![]);

    let uncommented: String = text
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if rest.contains(" = ") && !rest.starts_with(' ') => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let every = ConfigFile::parse(&path, &uncommented);
    assert_eq!(every.problems, vec![]);
    let mut keys: Vec<&str> = every.entries.iter().map(|e| e.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "display",
            "display.idle",
            "drawer.off_ms",
            "drawer.on_ms",
            "drawer.open_when_high",
            "drawer.pin",
            "drawer.realtime_in_error",
            "drawer.realtime_ms",
            "drawer.warn_open_secs",
            "printer",
            "printer.auto_status",
            "printer.logo",
            "printer.profile",
            "scale",
            "scanner",
            "scanner.burst_max_gap_ms",
            "scanner.burst_min_len",
            "terminal",
            "terminal.password",
            "ui.kiosk",
        ]
    );
    assert!(every.data_dir.is_some() && every.log.dir.is_some());
    assert!(every.log.keep_days.is_some() && every.log.level.is_some());
    for entry in every.entries.iter().filter(|e| e.key != "printer.logo") {
        assert_eq!(check_setting(&entry.key, &entry.value), Ok(()), "{entry:?}");
    }
}
