//! The generator settings and code generation shared by build.rs and the xtask.
//!
//! build.rs includes this file (`#[path]`) to generate the crate's client; `cargo
//! xtask spec coverage` uses it to generate a client for the whole upstream spec.
//! One file, so the coverage check measures exactly what the crate would build.

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypePatch};

/// Generates the client for the normalized spec `json`, formatted, followed by the
/// operation table the transport reads.
///
/// `schemars` adds `schemars::JsonSchema` to every type's derives.
pub fn generate(json: &serde_json::Value, schemars: bool) -> Result<String, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(json.clone())
        .map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;
    let mut generator = Generator::new(&settings(json, schemars));
    let client = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor cannot generate a client: {e}"))?;
    let file: syn::File = syn::parse2(client)
        .map_err(|e| format!("progenitor generated code that does not parse: {e}"))?;
    let mut code = prettyplease::unparse(&file);
    code.push_str(&operation_table(json));
    Ok(code)
}

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
    (
        "AMetadataInstanceUpdateOperation",
        "UpdateFileMetadataByIdRequestBody",
    ),
    (
        "AMetadataInstanceUpdateOperationOp",
        "UpdateFileMetadataByIdRequestBodyOp",
    ),
    ("PutFilesIdMetadataIdIdScope", "UpdateFileMetadataByIdScope"),
];

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
pub fn settings(spec: &serde_json::Value, schemars: bool) -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote_path("crate::transport::Transport"))
        .with_hooks(HooksMode::Expected)
        .with_derive("PartialEq");
    if schemars {
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

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    path.parse().expect("a Rust path is a token stream")
}

/// Emits what the transport must know of each operation that progenitor's
/// `OperationInfo` does not carry: the Box host it is served from, as named by the
/// `x-box-base-url` mark the normalizer puts on every operation (`api`, `upload` or
/// `oauth2`), and whether it is authenticated. An operation whose `security` is an
/// empty list (the token endpoints) gets no `Authorization` and none of the
/// client's own headers, such as As-User.
pub fn operation_table(spec: &serde_json::Value) -> String {
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
                Some("download") => "Download",
                other => panic!("operation {id} names an unknown base URL {other:?}"),
            };
            let authenticated = match op.get("security").and_then(|s| s.as_array()) {
                Some(requirements) => !requirements.is_empty(),
                None => authenticated_by_default,
            };
            let content_type = match op
                .get("x-box-request-content-type")
                .and_then(|v| v.as_str())
            {
                Some(content_type) => format!("Some({content_type:?})"),
                None => "None".to_string(),
            };
            entries.push(format!(
                "    ({id:?}, crate::transport::OperationMeta {{ \
                 base_url: crate::network::BaseUrlKind::{variant}, \
                 authenticated: {authenticated}, content_type: {content_type} }}),\n"
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
