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
    let mut file: syn::File = syn::parse2(client)
        .map_err(|e| format!("progenitor generated code that does not parse: {e}"))?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut DropApiVersionHeader, &mut file);
    syn::visit_mut::VisitMut::visit_file_mut(&mut DecodeWithoutHeaderCopy, &mut file);
    let mut code = prettyplease::unparse(&file);
    code.push_str(&operation_table(json));
    Ok(code)
}

/// Removes the `api-version` header progenitor adds to every request.
///
/// progenitor sends the spec's `info.version` (`2024.0`) as `api-version` with
/// each operation. Box does not read it and its own SDKs do not send it. Removed
/// here rather than in the transport: a header inserted and then removed again
/// costs every call.
struct DropApiVersionHeader;

impl syn::visit_mut::VisitMut for DropApiVersionHeader {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !is_api_version_append(stmt));
        if block.stmts.len() < before {
            // The header map was sized for the header: one less, so that an
            // operation with no other headers allocates nothing for them.
            for stmt in &mut block.stmts {
                shrink_header_map_capacity(stmt);
            }
        }
        syn::visit_mut::visit_block_mut(self, block);
    }
}

/// In `let mut header_map = HeaderMap::with_capacity(N);`, makes `N` one less, and
/// drops the `mut` when that leaves no room for any header.
fn shrink_header_map_capacity(stmt: &mut syn::Stmt) {
    let syn::Stmt::Local(syn::Local {
        pat: syn::Pat::Ident(name),
        init: Some(init),
        ..
    }) = stmt
    else {
        return;
    };
    let syn::Expr::Call(call) = init.expr.as_mut() else {
        return;
    };
    let is_with_capacity = matches!(call.func.as_ref(), syn::Expr::Path(path)
        if path.path.segments.last().is_some_and(|s| s.ident == "with_capacity"));
    if name.ident != "header_map" || !is_with_capacity {
        return;
    }
    if let Some(syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(capacity),
        ..
    })) = call.args.first_mut()
        && let Ok(n) = capacity.base10_parse::<usize>()
    {
        let left = n.saturating_sub(1);
        *capacity = syn::LitInt::new(&format!("{left}usize"), capacity.span());
        // The map was sized for its appends: with none left, nothing mutates it,
        // and a `mut` would warn in every operation without header parameters.
        if left == 0 {
            name.mutability = None;
        }
    }
}

/// Whether `stmt` is `header_map.append(HeaderName::from_static("api-version"), ..)`.
fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    let Some(syn::Expr::Call(name)) = call.args.first() else {
        return false;
    };
    call.method == "append"
        && matches!(
            name.args.first(),
            Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }))
                if text.value() == "api-version"
        )
}

/// Sends every decoded answer through `crate::transport::decode_response`.
///
/// progenitor decodes answers with `ResponseValue::from_response`, which clones the
/// response's headers before reading the body, and drops the originals: a copy
/// made and thrown away on every call. The transport's function has the same
/// signature and errors, and moves the headers out instead.
struct DecodeWithoutHeaderCopy;

impl syn::visit_mut::VisitMut for DecodeWithoutHeaderCopy {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let syn::Expr::Path(path) = call.func.as_ref() {
            let names: Vec<String> = path
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if names == ["ResponseValue", "from_response"] {
                *call.func = syn::parse_quote!(crate::transport::decode_response);
            }
        }
        syn::visit_mut::visit_expr_call_mut(self, call);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fragment() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/box-openapi.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn generated_operations_send_no_api_version_header() {
        let spec = fragment();
        // progenitor would add it: the fragment has the version it sends.
        assert_eq!(spec["info"]["version"], "2024.0");
        let code = generate(&spec, false).unwrap();
        assert!(!code.contains("\"api-version\""));
        // The rest of each operation's header handling is kept.
        assert!(code.contains("pub async fn post_users_terminate_sessions"));
        assert!(code.contains(".headers(header_map)"));
        // Sized for no header at all where the operation has none, and immutable.
        assert!(
            code.contains("let header_map = ::reqwest::header::HeaderMap::with_capacity(0usize)")
        );
        assert!(
            !code.contains(
                "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(0usize)"
            )
        );
    }

    #[test]
    fn answers_are_decoded_by_the_transport() {
        let code = generate(&fragment(), false).unwrap();

        assert!(!code.contains("ResponseValue::from_response"));
        assert!(code.contains("202u16 => crate::transport::decode_response(response).await"));
    }

    #[test]
    fn only_from_response_calls_are_rewritten() {
        let mut block: syn::Block = syn::parse_quote!({
            let a = ResponseValue::from_response(response).await;
            let b = ResponseValue::empty(response);
            let c = other::from_response(response);
        });

        syn::visit_mut::VisitMut::visit_block_mut(&mut DecodeWithoutHeaderCopy, &mut block);

        let code = prettyplease::unparse(&syn::parse_quote!(
            fn f() #block
        ));
        assert!(code.contains("let a = crate::transport::decode_response(response).await"));
        assert!(code.contains("let b = ResponseValue::empty(response)"));
        assert!(code.contains("let c = other::from_response(response)"));
    }

    #[test]
    fn only_the_api_version_append_is_dropped() {
        let mut block: syn::Block = syn::parse_quote!({
            let mut header_map = HeaderMap::with_capacity(2usize);
            header_map.append(HeaderName::from_static("api-version"), v());
            header_map.append(HeaderName::from_static("if-match"), v());
            other.append(1);
        });
        syn::visit_mut::VisitMut::visit_block_mut(&mut DropApiVersionHeader, &mut block);
        assert_eq!(block.stmts.len(), 3);
        let kept = prettyplease::unparse(&syn::parse_quote!(
            fn f() #block
        ));
        assert!(kept.contains("if-match") && !kept.contains("api-version"));
        assert!(
            kept.contains("let mut header_map = HeaderMap::with_capacity(1usize)"),
            "{kept}"
        );
    }
}
