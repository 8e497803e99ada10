//! The register's desktop app: see `lib.rs`.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    comptoir_register::run();
}
