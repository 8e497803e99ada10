//! The CLI on a store PC's config file: settings applied at start, a bad one named on stderr
//! while the JSON on stdout stays whole, and log files only where `[log] dir` asks for them.

use crate::support::*;

#[test]
fn the_config_file_is_applied_at_start_and_a_bad_value_is_named_on_stderr() {
    let dir = montreal();
    let logs = dir.path().join("logs");
    let config = dir.path().join("register.toml");
    let text = format!(
        "[printer]\nprofile = \"TM-T88IV\"\n\n[drawer]\npin = 9\non_ms = 80\n\n[log]\ndir = \"{}\"\nlevel = \"debug\"\n",
        logs.display()
    );
    std::fs::write(&config, text).unwrap();

    let output = run(comptoir(dir.path()).env("COMPTOIR_CONFIG", &config).arg("config"), "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let saved = json(&output);
    assert_eq!(saved["printer.profile"], "TM-T88IV");
    assert_eq!(saved["drawer.on_ms"], "80");
    assert_eq!(saved["drawer.pin"], "2", "the refused pin keeps the value the register had");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected =
        format!("comptoir: {} line 5, drawer.pin: drawer.pin is 2 or 5", config.display());
    assert!(stderr.contains(&expected), "{stderr}");

    let files: Vec<String> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].starts_with("comptoir-cli.") && files[0].ends_with(".log"), "{files:?}");
    let log = std::fs::read_to_string(logs.join(&files[0])).unwrap();
    assert!(log.contains("setting refused") && log.contains("drawer.pin"), "{log}");
}

#[test]
fn without_a_log_folder_in_the_file_the_cli_writes_no_log_file() {
    let dir = montreal();
    let state = dir.path().join("state");
    let output = run(comptoir(dir.path()).env("XDG_STATE_HOME", &state).arg("config"), "");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!state.exists());
}
