//! Generates the crate's typed Box client from the vendored spec fragment.
//!
//! Pipeline: `cargo xtask spec update` slices Box's published spec into
//! `openapi/box-openapi.json`; this script runs progenitor over it and writes the
//! client to `$OUT_DIR/box_client.rs`, which `src/generated.rs` includes privately.
//! The generated code is never committed or edited: to change it, change the
//! normalizations in `xtask/src/normalize.rs` or the settings in
//! `xtask/src/generator.rs`.

use std::path::{Path, PathBuf};

// The generator settings live beside the xtask, which measures the whole spec with
// the same settings.
#[path = "xtask/src/generator.rs"]
mod generator;

const FRAGMENT: &str = "openapi/box-openapi.json";

fn main() {
    // Only the fragment and the generator settings decide what is generated;
    // touching `src/` must not re-run this script. Cargo re-runs it by itself when
    // this file or the features change.
    println!("cargo:rerun-if-changed={FRAGMENT}");
    println!("cargo:rerun-if-changed=xtask/src/generator.rs");
    println!("cargo:rustc-env=BOX_SDK_RUSTC_VERSION={}", rustc_version());

    let text =
        std::fs::read_to_string(FRAGMENT).unwrap_or_else(|e| panic!("cannot read {FRAGMENT}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FRAGMENT} is not JSON: {e}"));
    let schemars = std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some();
    let code = generator::generate(&json, schemars).unwrap_or_else(|e| panic!("{FRAGMENT}: {e}"));

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write_if_changed(&out.join("box_client.rs"), &code);
}

/// The version of the compiler building the crate, for the `X-Box-UA` header.
fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

/// Writes `code` unless the file already holds it, so that an unchanged client
/// does not make cargo recompile the crate.
fn write_if_changed(path: &Path, code: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == code) {
        return;
    }
    std::fs::write(path, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
