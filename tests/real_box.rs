//! Against the real Box API: opt-in, because it needs credentials and ends real
//! sessions. Every behaviour here is also tested against the sandbox and httpmock.
//!
//! Run with `cargo test --test real_box -- --ignored` and, in the environment,
//! `BOX_DEVELOPER_TOKEN` and `BOX_TEST_USER_ID` (a test user whose sessions may be
//! ended; it will be signed out) and optionally `BOX_TEST_GROUP_ID`.

use box_sdk_gen::auth::BoxDeveloperTokenAuth;
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::schemas::{
    CreateGroupTerminateSessionRequestBody, CreateUserTerminateSessionRequestBody,
};

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[tokio::test]
#[ignore = "needs Box credentials and ends real sessions"]
async fn terminates_a_test_users_and_groups_sessions_on_box() {
    let (Some(token), Some(user_id)) = (var("BOX_DEVELOPER_TOKEN"), var("BOX_TEST_USER_ID")) else {
        panic!("set BOX_DEVELOPER_TOKEN and BOX_TEST_USER_ID to run this test");
    };
    let client = BoxClient::new(BoxDeveloperTokenAuth::new(token)).unwrap();

    let users = client
        .session_termination
        .create_user_terminate_session(
            &CreateUserTerminateSessionRequestBody::new([user_id], Vec::<String>::new()),
            Default::default(),
            None,
        )
        .await
        .unwrap();

    assert!(users.message.is_some_and(|m| !m.is_empty()));
    if let Some(group_id) = var("BOX_TEST_GROUP_ID") {
        let groups = client
            .session_termination
            .create_group_terminate_session(
                &CreateGroupTerminateSessionRequestBody::new([group_id]),
                Default::default(),
                None,
            )
            .await
            .unwrap();
        assert!(groups.message.is_some_and(|m| !m.is_empty()));
    }
}
