//! The daily log files: the file of the day appears in the folder, the oldest go past
//! `keep_days`.

use std::io::Write;

use comptoir_app::logs::daily_file;

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn the_day_s_file_appears_in_a_folder_made_for_it() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("state/comptoir/logs");
    let mut file = daily_file(&dir, "comptoir-register", 14).unwrap();
    file.write_all(b"register opened\n").unwrap();
    file.flush().unwrap();

    let names = names(&dir);
    assert_eq!(names.len(), 1, "{names:?}");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(names[0], format!("comptoir-register.{today}.log"));
    let text = std::fs::read_to_string(dir.join(&names[0])).unwrap();
    assert_eq!(text, "register opened\n");
}

#[test]
fn past_keep_days_the_oldest_files_are_removed_and_others_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    for day in 1..=5 {
        let name = format!("comptoir-register.2026-11-0{day}.log");
        std::fs::write(dir.path().join(name), "old\n").unwrap();
        // Creation times order the files: keep them apart on coarse clocks.
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::fs::write(dir.path().join("comptoir-cli.2026-11-01.log"), "the CLI's\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "IT's\n").unwrap();

    let _file = daily_file(dir.path(), "comptoir-register", 3).unwrap();

    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(
        names(dir.path()),
        [
            "comptoir-cli.2026-11-01.log".to_owned(),
            "comptoir-register.2026-11-04.log".to_owned(),
            "comptoir-register.2026-11-05.log".to_owned(),
            format!("comptoir-register.{today}.log"),
            "notes.txt".to_owned(),
        ]
    );
}

#[test]
fn a_folder_that_cannot_be_made_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let error = daily_file(&blocker.join("logs"), "comptoir", 14).unwrap_err();
    assert_eq!(error.code, "log_unwritable");
    assert!(error.detail.contains("[log] dir"), "{}", error.detail);
}
