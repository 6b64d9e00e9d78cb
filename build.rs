//! Generates the crate's typed Box client from the vendored spec fragment.
//!
//! Pipeline: `cargo xtask spec update` slices Box's published spec into
//! `openapi/box-openapi.json`; this script runs progenitor over it and writes the
//! client to `$OUT_DIR/box_client.rs`, which `src/generated.rs` includes privately.
//! The generated code is never committed or edited: to change it, change the
//! normalizations in `xtask/src/normalize.rs` or the settings below.

use std::path::{Path, PathBuf};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypePatch};

const FRAGMENT: &str = "openapi/box-openapi.json";

/// Generated type names replaced by the names Box's own SDKs document.
///
/// progenitor names an inline request body after its operation id
/// (`PostUsersTerminateSessionsBody`); the facade's documented API calls it
/// `CreateUserTerminateSessionRequestBody`. Renaming here keeps one type, instead
/// of a generated one and a hand-written copy.
const RENAMES: &[(&str, &str)] = &[
    (
        "PostUsersTerminateSessionsBody",
        "CreateUserTerminateSessionRequestBody",
    ),
    (
        "PostGroupsTerminateSessionsBody",
        "CreateGroupTerminateSessionRequestBody",
    ),
];

fn main() {
    // Only the fragment decides what is generated; touching `src/` must not re-run
    // this script. Cargo re-runs it by itself when this file or the features change.
    println!("cargo:rerun-if-changed={FRAGMENT}");

    let text =
        std::fs::read_to_string(FRAGMENT).unwrap_or_else(|e| panic!("cannot read {FRAGMENT}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FRAGMENT} is not JSON: {e}"));
    let spec: openapiv3::OpenAPI = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("{FRAGMENT} is not an OpenAPI 3.0 document: {e}"));

    println!("cargo:rustc-env=BOX_SDK_RUSTC_VERSION={}", rustc_version());

    let mut generator = Generator::new(&settings(&json));
    let client = generator
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("progenitor cannot generate a client from {FRAGMENT}: {e}"));
    let file: syn::File = syn::parse2(client)
        .unwrap_or_else(|e| panic!("progenitor generated code that does not parse: {e}"));
    let mut code = prettyplease::unparse(&file);
    code.push_str(&operation_table(&json));

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write_if_changed(&out.join("box_client.rs"), &code);
}

/// The generator settings, each chosen for a reason:
///
/// - **Positional interface.** Each operation is one method taking its parameters
///   in order. Callers never see it (the facade in `src/managers` is the public
///   API), and it generates far less code than per-operation builders.
/// - **Merged tags.** One `Client` with every operation, so one hooks
///   implementation serves them all.
/// - **Inner type `crate::transport::Transport`.** Per-client state the generated
///   code knows nothing of (base URLs of the other Box hosts, and later auth,
///   retries and tracing) travels with the generated client to every operation.
/// - **Hooks expected.** `crate::transport` must implement `ClientHooks` for the
///   generated client, or the crate does not compile: no operation can bypass the
///   shared request path.
/// - **Derives.** `PartialEq` so callers and tests can compare values;
///   `schemars::JsonSchema` when the `schemars` feature is on, so callers can
///   publish or validate the JSON shapes.
/// - **`#[non_exhaustive]` on every named type.** Box adds fields to its
///   requests and answers; with the attribute, a field added in a later version of
///   this crate does not break code that built or matched the type. Request bodies
///   get constructors in `src/schemas.rs` instead of struct literals.
fn settings(spec: &serde_json::Value) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote_path("crate::transport::Transport"))
        .with_hooks(HooksMode::Expected)
        .with_derive("PartialEq");
    if std::env::var_os("CARGO_FEATURE_SCHEMARS").is_some() {
        settings.with_derive("schemars::JsonSchema");
    }
    for (generated, documented) in RENAMES {
        settings.with_patch(
            generated,
            TypePatch::default()
                .with_rename(documented)
                .with_attr("#[non_exhaustive]"),
        );
    }
    let components = spec["components"]["schemas"].as_object();
    for name in components.into_iter().flat_map(|c| c.keys()) {
        settings.with_patch(
            rust_type_name(name),
            TypePatch::default().with_attr("#[non_exhaustive]"),
        );
    }
    settings
}

/// The Rust name typify gives a component: its words joined in PascalCase
/// (`File--Mini` becomes `FileMini`). A name this misses only loses its patch.
fn rust_type_name(component: &str) -> String {
    component
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
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

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("a Rust path is a token stream")
}

/// Emits what the transport must know of each operation that progenitor's
/// `OperationInfo` does not carry: the Box host it is served from, as named by the
/// `x-box-base-url` mark the normalizer puts on every operation (`api`, `upload` or
/// `oauth2`), and whether it is authenticated. An operation whose `security` is an
/// empty list (the token endpoints) gets no `Authorization` and none of the
/// client's own headers, such as As-User.
fn operation_table(spec: &serde_json::Value) -> String {
    let authenticated_by_default = spec
        .get("security")
        .and_then(|s| s.as_array())
        .is_some_and(|s| !s.is_empty());
    let mut entries = Vec::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|i| i.values()) {
            let Some(id) = op.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            let base = op.get("x-box-base-url").and_then(|v| v.as_str());
            let variant = match base {
                Some("api") => "Api",
                Some("upload") => "Upload",
                Some("oauth2") => "OAuth2",
                other => panic!("operation {id} names an unknown base URL {other:?}"),
            };
            let authenticated = match op.get("security").and_then(|s| s.as_array()) {
                Some(requirements) => !requirements.is_empty(),
                None => authenticated_by_default,
            };
            entries.push(format!(
                "    ({id:?}, crate::transport::OperationMeta {{ \
                 base_url: crate::network::BaseUrlKind::{variant}, \
                 authenticated: {authenticated} }}),\n"
            ));
        }
    }
    entries.sort();
    format!(
        "\n/// What the transport knows of each operation, by operation id, sorted for \
         binary search.\n\
         pub(crate) static OPERATIONS: &[(&str, crate::transport::OperationMeta)] = &[\n\
         {}];\n",
        entries.concat()
    )
}

/// Writes `code` unless the file already holds it, so that an unchanged client
/// does not make cargo recompile the crate.
fn write_if_changed(path: &Path, code: &str) {
    if std::fs::read_to_string(path).is_ok_and(|old| old == code) {
        return;
    }
    std::fs::write(path, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
