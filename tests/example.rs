//! The terminate-sessions example, run as the built binary, end to end: on its own
//! embedded sandbox, and on a sandbox this test controls (through `BOX_BASE_URL`
//! and the sandbox's developer token or app credentials) so that requests and
//! faults can be checked.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use box_sdk_gen::testing::{self, Fault, Sandbox};
use serde_json::Value;

/// The example binary, built once per test run with the same profile as the tests,
/// so that an edited example is never tested stale.
fn example() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let test_binary = std::env::current_exe().unwrap();
        let profile_dir = test_binary.parent().unwrap().parent().unwrap();
        let mut build = Command::new(env!("CARGO"));
        build.current_dir(env!("CARGO_MANIFEST_DIR")).args([
            "build",
            "--quiet",
            "--example",
            "terminate_sessions",
        ]);
        if profile_dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "the example builds");
        profile_dir.join("examples").join("terminate_sessions")
    })
}

/// Runs the example with no Box variables from the caller's environment, plus
/// `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(example());
    command.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("BOX_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("the example runs")
}

/// Runs the example against `sandbox` as if it were Box, with the sandbox's
/// developer token, off the async runtime.
async fn run_on(sandbox: &Sandbox, args: &[&str]) -> Output {
    run_on_with(
        sandbox,
        args,
        &[("BOX_DEVELOPER_TOKEN", testing::DEVELOPER_TOKEN)],
    )
    .await
}

/// Runs the example against `sandbox` as if it were Box, with the credentials in
/// `env`, off the async runtime.
async fn run_on_with(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut env: Vec<(String, String)> = env
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    env.push(("BOX_BASE_URL".into(), sandbox.base_url().into()));
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        run(&args, &env)
    })
    .await
    .unwrap()
}

/// The sandbox app's Client Credentials Grant variables, for its enterprise.
fn ccg_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("BOX_CLIENT_ID", testing::CLIENT_ID),
        ("BOX_CLIENT_SECRET", testing::CLIENT_SECRET),
        ("BOX_ENTERPRISE_ID", testing::ENTERPRISE_ID),
    ]
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("box-sdk-gen-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn without_credentials_it_terminates_users_on_the_embedded_sandbox() {
    let output = run(
        &["--user-id", "123456", "--user-login", "leaver@example.com"],
        &[],
    );

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let errors = stderr(&output);
    let notice: Vec<&str> = errors.lines().collect();
    assert_eq!(notice.len(), 1, "one line says where it runs: {notice:?}");
    assert!(notice[0].starts_with(
        "No Box credentials in the environment: running against the embedded local Box sandbox at http://127.0.0.1:"
    ));
    assert_eq!(
        stdout(&output),
        format!(
            "batch 1/1: 2 users: accepted: {}\n1 of 1 batches accepted, 0 failed\n",
            testing::TERMINATION_MESSAGE
        )
    );
}

#[test]
fn whoami_says_whose_credentials_are_in_use() {
    let output = run(&["--whoami", "--as-user", "77"], &[]);

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let errors = stderr(&output);
    assert_eq!(
        errors.lines().nth(1),
        Some("Acting as Sandbox User 77 (user-77@sandbox.example), user ID 77, role user")
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn groups_are_reported_as_json() {
    let output = run(&["--group-id", "42", "--group-id", "43", "--json"], &[]);

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["target"], "sandbox");
    assert_eq!(report["accepted"], 1);
    assert_eq!(report["failed"], 0);
    assert_eq!(report["batches"][0]["kind"], "groups");
    assert_eq!(
        report["batches"][0]["group_ids"],
        serde_json::json!(["42", "43"])
    );
    assert_eq!(report["batches"][0]["status"], "accepted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_logins_go_out_in_batches_with_every_login_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let logins: Vec<String> = (0..1000).map(|i| format!("user{i}@example.com")).collect();
    let file = temp_file("logins.txt", &logins.join("\n"));

    let output = run_on(&sandbox, &["--from-file", file.to_str().unwrap(), "--json"]).await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["target"], "box");
    assert_eq!(report["accepted"], 10);
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 10);
    let sent: Vec<String> = requests
        .iter()
        .flat_map(|r| {
            let body = r.json().unwrap();
            assert_eq!(body["user_logins"].as_array().unwrap().len(), 100);
            assert_eq!(body["user_ids"], serde_json::json!([]));
            serde_json::from_value::<Vec<String>>(body["user_logins"].clone()).unwrap()
        })
        .collect();
    assert_eq!(sent, logins);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fault_midway_is_reported_for_its_batch_and_the_rest_still_go_out() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fail_request(
        3,
        Fault::status(
            403,
            "access_denied_insufficient_permissions",
            "Access denied",
        ),
    );
    let logins: Vec<String> = (0..250).map(|i| format!("u{i}@example.com")).collect();
    let file = temp_file("fault.txt", &logins.join("\n"));

    let output = run_on(
        &sandbox,
        &[
            "--from-file",
            file.to_str().unwrap(),
            "--batch-size",
            "50",
            "--json",
        ],
    )
    .await;

    assert_eq!(
        output.status.code(),
        Some(1),
        "a failed batch fails the run"
    );
    let report = json(&output);
    assert_eq!(report["accepted"], 4);
    assert_eq!(report["failed"], 1);
    let failed = &report["batches"][2];
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["status"], 403);
    assert_eq!(
        failed["error"]["code"],
        "access_denied_insufficient_permissions"
    );
    assert_eq!(
        failed["user_logins"],
        serde_json::json!(logins[100..150]),
        "the failed batch names every login it did not sign out"
    );
    assert_eq!(sandbox.requests().len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn text_output_lists_what_a_failed_batch_did_not_sign_out() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fail_request(1, Fault::status(404, "not_found", "Not Found"));

    let output = run_on(
        &sandbox,
        &["--group-id", "7", "--user-id", "1", "--as-user", "99"],
    )
    .await;

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "batch 1/2: 1 user: FAILED: 404 not_found: Not Found (request ID sandbox-request)\n  \
             not terminated: 1\nbatch 2/2: 1 group: accepted: {}\n1 of 2 batches accepted, 1 failed\n",
            testing::TERMINATION_MESSAGE
        )
    );
    assert!(
        sandbox
            .requests()
            .iter()
            .all(|r| r.header("as-user") == Some("99"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_names_users_and_groups_by_column() {
    let sandbox = Sandbox::start().await.unwrap();
    let file = temp_file(
        "targets.csv",
        "user_id,user_login,group_id\n1,a@example.com,\n,\"b@example.com\",42\n",
    );

    let output = run_on(&sandbox, &["--from-file", file.to_str().unwrap()]).await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bodies: Vec<Value> = sandbox
        .requests()
        .iter()
        .map(|r| r.json().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            serde_json::json!({"user_ids": ["1"], "user_logins": ["a@example.com", "b@example.com"]}),
            serde_json::json!({"group_ids": ["42"]}),
        ]
    );
}

#[test]
fn a_byte_order_mark_at_the_start_of_a_file_is_ignored() {
    let csv = temp_file("bom.csv", "\u{feff}user_id,user_login\n1,a@example.com\n");
    let lines = temp_file("bom.txt", "\u{feff}2\nb@example.com\n");

    let from_csv = run(&["--from-file", csv.to_str().unwrap(), "--dry-run"], &[]);
    let from_lines = run(&["--from-file", lines.to_str().unwrap(), "--dry-run"], &[]);

    assert_eq!(from_csv.status.code(), Some(0), "{}", stderr(&from_csv));
    assert_eq!(
        stdout(&from_csv),
        "batch 1/1: 2 users: 1, a@example.com\ndry run: nothing was sent\n"
    );
    assert_eq!(from_lines.status.code(), Some(0), "{}", stderr(&from_lines));
    assert_eq!(
        stdout(&from_lines),
        "batch 1/1: 2 users: 2, b@example.com\ndry run: nothing was sent\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn client_credentials_from_the_environment_get_a_token_that_the_batches_carry() {
    let sandbox = Sandbox::start().await.unwrap();

    let output = run_on_with(
        &sandbox,
        &["--user-id", "1", "--group-id", "42", "--json"],
        &ccg_env(),
    )
    .await;

    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["target"], "box");
    assert_eq!(report["accepted"], 2);
    assert_eq!(report["failed"], 0);
    let requests = sandbox.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/oauth2/token",
            "/2.0/users/terminate_sessions",
            "/2.0/groups/terminate_sessions"
        ],
        "one token request, before the batches"
    );
    let form = requests[0].form();
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        fields,
        [
            ("box_subject_id", testing::ENTERPRISE_ID),
            ("box_subject_type", "enterprise"),
            ("client_id", testing::CLIENT_ID),
            ("client_secret", testing::CLIENT_SECRET),
            ("grant_type", "client_credentials"),
        ]
    );
    let issued = sandbox.issued_access_tokens();
    assert_eq!(issued.len(), 1);
    let bearer = format!("Bearer {}", issued[0]);
    for request in &requests[1..] {
        assert_eq!(request.header("authorization"), Some(bearer.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_the_token_endpoint_refuses_exit_with_code_2_and_nothing_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let ccg = "the Client Credentials Grant credentials (BOX_CLIENT_ID, BOX_CLIENT_SECRET, \
               BOX_ENTERPRISE_ID or BOX_USER_ID)";
    let cases = [
        (
            ("BOX_CLIENT_SECRET", "not-the-secret"),
            format!(
                "error: Box refused {ccg}: 400 invalid_client: The client credentials are invalid"
            ),
        ),
        (
            ("BOX_ENTERPRISE_ID", "another-enterprise"),
            format!(
                "error: Box refused {ccg}: 400 invalid_grant: Grant credentials are invalid: the \
                 box_subject_id is not known to the app"
            ),
        ),
    ];
    for ((name, wrong), message) in cases {
        let mut env = ccg_env();
        env.retain(|(n, _)| *n != name);
        env.push((name, wrong));
        let before = sandbox.requests().len();

        let output = run_on_with(&sandbox, &["--user-id", "1", "--json"], &env).await;

        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert_eq!(stderr(&output).trim_end(), message, "{name}");
        assert!(stdout(&output).is_empty(), "{name}: {}", stdout(&output));
        let paths: Vec<String> = sandbox.requests()[before..]
            .iter()
            .map(|r| r.path.clone())
            .collect();
        assert_eq!(paths, ["/oauth2/token"], "{name}: no batch was sent");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_endpoint_failure_that_is_not_a_refusal_exits_with_code_1() {
    let server = httpmock::MockServer::start_async().await;
    // A success without a token is not a refusal of the credentials, and it is not
    // retried, so the run ends at once.
    let token = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path("/oauth2/token");
            then.status(200)
                .json_body(serde_json::json!({"token_type": "bearer"}));
        })
        .await;
    let mut env = ccg_env();
    let base_url = server.base_url();
    env.push(("BOX_BASE_URL", &base_url));

    let output = tokio::task::block_in_place(|| run(&["--user-id", "1"], &env));

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output).trim_end(),
        "error: cannot get an access token, so nothing was sent: the token endpoint answered \
         without an access token"
    );
    assert!(stdout(&output).is_empty());
    token.assert_calls_async(1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_sends_nothing() {
    let sandbox = Sandbox::start().await.unwrap();

    let output = run_on(&sandbox, &["--user-login", "a@example.com", "--dry-run"]).await;

    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "batch 1/1: 1 user: a@example.com\ndry run: nothing was sent\n"
    );
    assert!(sandbox.requests().is_empty());
}

/// Arguments, environment, and the message the example must print.
type BadInput<'a> = (Vec<&'a str>, &'a [(&'a str, &'a str)], String);

#[test]
fn bad_input_exits_with_code_2_and_a_clear_message() {
    let malformed = temp_file("malformed.csv", "user_id,user_login\n1,a@example.com\n2\n");
    let unknown_column = temp_file("columns.csv", "user_id,email\n1,a@example.com\n");
    let not_an_id = temp_file("plain.txt", "123\nnot-a-login\n");
    let cases: Vec<BadInput> = vec![
        (
            vec![],
            &[],
            "error: nothing to terminate: give --user-id, --user-login, --group-id or --from-file"
                .into(),
        ),
        (
            vec!["--from-file", "/no/such/file"],
            &[],
            "error: cannot read /no/such/file: No such file or directory (os error 2)".into(),
        ),
        (
            vec!["--from-file", malformed.to_str().unwrap()],
            &[],
            format!(
                "error: {}: line 3 has 1 fields, but the header has 2",
                malformed.display()
            ),
        ),
        (
            vec!["--from-file", unknown_column.to_str().unwrap()],
            &[],
            format!(
                "error: {}: unknown CSV column `email`: the columns are user_id, user_login and \
                 group_id",
                unknown_column.display()
            ),
        ),
        (
            vec!["--from-file", not_an_id.to_str().unwrap()],
            &[],
            format!(
                "error: {}: line 2: `not-a-login` is neither a user ID (digits) nor a login \
                 (with @)",
                not_an_id.display()
            ),
        ),
        (
            vec!["--user-id", "1"],
            &[("BOX_CLIENT_ID", "id")],
            "error: BOX_CLIENT_ID is set but BOX_CLIENT_SECRET is not".into(),
        ),
    ];
    for (args, env, message) in cases {
        let output = run(&args, env);

        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output).trim_end(), message, "{args:?}");
        assert!(stdout(&output).is_empty());
    }
}

#[test]
fn an_out_of_range_batch_size_is_a_usage_error() {
    let output = run(&["--user-id", "1", "--batch-size", "0"], &[]);

    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the batch size is a whole number from 1 to 1000"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn on_a_terminal_the_batches_are_shown_with_a_progress_bar_and_elsewhere_not() {
    // `script` (util-linux) runs the example on a pseudo-terminal and copies what
    // the terminal showed, stdout and stderr together, to its own stdout.
    let command = format!(
        "{} --user-id 1 --user-id 2 --batch-size 1",
        example().display()
    );
    let mut script = Command::new("script");
    script.args(["--quiet", "--return", "--command", &command, "/dev/null"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("BOX_") {
            script.env_remove(name);
        }
    }

    let on_terminal = script.output().expect("util-linux's `script` runs");
    let piped = run(
        &["--user-id", "1", "--user-id", "2", "--batch-size", "1"],
        &[],
    );

    assert!(on_terminal.status.success(), "{on_terminal:?}");
    let shown = String::from_utf8_lossy(&on_terminal.stdout);
    let half = format!("\r[{}{}] 1/2 batches", "#".repeat(15), " ".repeat(15));
    let full = format!("\r[{}] 2/2 batches", "#".repeat(30));
    assert!(shown.contains(&half), "{shown:?}");
    assert!(shown.contains(&full), "{shown:?}");
    assert!(piped.status.success(), "{piped:?}");
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("batches"), "{stderr:?}");
}
