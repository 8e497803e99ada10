//! Builds the Tauri context; capabilities live under src-tauri/ beside the shell's sources.

fn main() {
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build: {error:#}");
    }
}
