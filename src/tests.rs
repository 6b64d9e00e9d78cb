//! Tests of the crate's internals: the generated operation table and host routing.
//! What goes over the wire is tested through the public API under `tests/`.

use crate::network::{BaseUrlKind, BaseUrls};
use crate::transport::{self, OperationMeta};

#[test]
fn the_operation_table_is_sorted_for_binary_search() {
    let ids: Vec<&str> = crate::generated::OPERATIONS
        .iter()
        .map(|(id, _)| *id)
        .collect();

    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert_eq!(
        ids,
        [
            "get_users_me",
            "post_groups_terminate_sessions",
            "post_oauth2_revoke",
            "post_oauth2_token",
            "post_users_terminate_sessions",
            "put_files_id_metadata_id_id"
        ]
    );
}

#[test]
fn api_operations_are_authenticated_and_token_endpoints_are_not() {
    let api = OperationMeta {
        base_url: BaseUrlKind::Api,
        authenticated: true,
        content_type: None,
    };
    let token_endpoint = OperationMeta {
        base_url: BaseUrlKind::Api,
        authenticated: false,
        content_type: None,
    };

    assert_eq!(
        transport::operation_meta("post_users_terminate_sessions"),
        api
    );
    assert_eq!(
        transport::operation_meta("post_groups_terminate_sessions"),
        api
    );
    assert_eq!(
        transport::operation_meta("post_oauth2_token"),
        token_endpoint
    );
    assert_eq!(
        transport::operation_meta("post_oauth2_revoke"),
        token_endpoint
    );
    assert_eq!(transport::operation_meta("not_an_operation"), api);
    assert_eq!(
        transport::operation_meta("put_files_id_metadata_id_id"),
        OperationMeta {
            content_type: Some("application/json-patch+json"),
            ..api
        }
    );
}

#[test]
fn an_upload_operation_is_moved_to_the_upload_base_url() {
    let base_urls = BaseUrls::default()
        .with_base_url("http://127.0.0.1:1")
        .with_upload_url("http://127.0.0.1:2/api");
    let url = reqwest::Url::parse("http://127.0.0.1:1/2.0/files/content?x=1").unwrap();
    let mut request = reqwest::Request::new(reqwest::Method::POST, url);

    transport::route_to_host(&mut request, &base_urls, BaseUrlKind::Upload).unwrap();

    assert_eq!(
        request.url().as_str(),
        "http://127.0.0.1:2/api/2.0/files/content?x=1"
    );
}
