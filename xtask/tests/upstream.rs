//! Spec checks against Box's real published spec.
//!
//! These are the only tests that read `../shared/box-openapi/openapi.json`; the
//! crate itself never needs it. Where the file is absent they say so and pass
//! without checking (CI always has it, and `.ci/run` also runs `spec check`).

use std::path::{Path, PathBuf};

use xtask::spec::{self, Files, UpdateOutcome, Upstream};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn upstream() -> Option<Upstream> {
    let path = workspace_root().join("../shared/box-openapi/openapi.json");
    if !path.exists() {
        eprintln!(
            "skipped: {} is absent, so the vendored fragment is not checked against it",
            path.display()
        );
        return None;
    }
    Some(Upstream::read(path.to_str().expect("a UTF-8 path")).expect("the upstream spec reads"))
}

/// A scratch copy of `openapi/` for tests that write.
fn scratch_copy(name: &str) -> Files {
    let dir = std::env::temp_dir().join(format!("box-sdk-gen-xtask-{name}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    for file in [spec::FRAGMENT_PATH, spec::OPERATIONS_PATH] {
        std::fs::copy(workspace_root().join(file), dir.join(file)).unwrap();
    }
    Files::new(dir)
}

#[test]
fn slicing_the_upstream_spec_gives_exactly_the_committed_fragment() {
    let Some(upstream) = upstream() else { return };
    let files = Files::of_this_workspace();

    let report = spec::check(&files, &upstream).unwrap();

    assert_eq!(report, None, "{}", report.clone().unwrap_or_default());
}

#[test]
fn the_recorded_provenance_names_the_upstream_bytes() {
    let Some(upstream) = upstream() else { return };
    let text = std::fs::read_to_string(workspace_root().join(spec::OPERATIONS_PATH)).unwrap();

    let provenance = spec::Operations::parse(&text)
        .unwrap()
        .provenance()
        .unwrap();

    assert_eq!(provenance.sha256, upstream.sha256());
    assert_eq!(provenance.info_version.as_deref(), Some("2024.0"));
}

#[test]
fn update_rewrites_a_deleted_fragment_byte_for_byte() {
    let Some(upstream) = upstream() else { return };
    let files = scratch_copy("update");
    let committed = std::fs::read(files.fragment()).unwrap();
    std::fs::remove_file(files.fragment()).unwrap();

    let outcome = spec::update(&files, &upstream, None).unwrap();

    assert_eq!(outcome, UpdateOutcome::Changed);
    assert_eq!(std::fs::read(files.fragment()).unwrap(), committed);
    assert_eq!(
        spec::update(&files, &upstream, None).unwrap(),
        UpdateOutcome::Unchanged,
        "a second update finds nothing to do"
    );
}

#[test]
fn check_reports_a_hand_edited_fragment() {
    let Some(upstream) = upstream() else { return };
    let files = scratch_copy("check");
    let text = std::fs::read_to_string(files.fragment()).unwrap();
    let edited = text.replace(
        "\"summary\": \"Create jobs to terminate users session\"",
        "\"summary\": \"Edited by hand\"",
    );
    assert_ne!(edited, text, "the edit applies");
    std::fs::write(files.fragment(), edited).unwrap();

    let report = spec::check(&files, &upstream)
        .unwrap()
        .expect("a difference");

    assert!(
        report.contains(
            "changed /paths/~12.0~1users~1terminate_sessions/post/summary: \
             \"Edited by hand\" → \"Create jobs to terminate users session\""
        ),
        "{report}"
    );
    assert!(
        report.contains("cargo xtask spec update --from"),
        "{report}"
    );
}

#[test]
fn check_reports_a_fragment_that_differs_only_in_formatting() {
    let Some(upstream) = upstream() else { return };
    let files = scratch_copy("format");
    let text = std::fs::read_to_string(files.fragment()).unwrap();
    std::fs::write(files.fragment(), text.trim_end()).unwrap();

    let report = spec::check(&files, &upstream)
        .unwrap()
        .expect("a difference");

    assert!(report.contains("only its formatting differs"), "{report}");
}

#[test]
fn the_check_command_exits_non_zero_on_a_hand_edited_fragment() {
    let Some(upstream) = upstream() else { return };
    let files = scratch_copy("cli");
    let root = files
        .fragment()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["--root", root.to_str().unwrap(), "spec", "check", "--from"])
            .arg(&upstream.source)
            .output()
            .unwrap()
    };
    assert!(run().status.success(), "the copy matches before the edit");
    let text = std::fs::read_to_string(files.fragment()).unwrap();
    std::fs::write(files.fragment(), text.replace("\"202\"", "\"200\"")).unwrap();

    let output = run();

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("removed /paths/~12.0~1users~1terminate_sessions/post/responses/200"),
        "{stderr}"
    );
}
