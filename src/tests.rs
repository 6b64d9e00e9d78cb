//! Tests of the crate's internals: the generated operation table and host routing.
//! What goes over the wire is tested through the public API under `tests/`.

use crate::network::{BaseUrlKind, BaseUrls};
use crate::transport;

#[test]
fn the_operation_table_is_sorted_for_binary_search() {
    let ids: Vec<&str> = crate::generated::OPERATION_BASE_URLS
        .iter()
        .map(|(id, _)| *id)
        .collect();

    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(ids.contains(&"post_users_terminate_sessions"));
    assert!(ids.contains(&"post_groups_terminate_sessions"));
}

#[test]
fn session_termination_operations_are_served_from_the_api_host() {
    assert_eq!(
        transport::base_url_kind("post_users_terminate_sessions"),
        BaseUrlKind::Api
    );
    assert_eq!(
        transport::base_url_kind("not_an_operation"),
        BaseUrlKind::Api
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
