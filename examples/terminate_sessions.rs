//! Ends the Box sessions of users and groups, in batches, and reports every batch.
//!
//! ```text
//! cargo run --example terminate_sessions -- --user-login leaver@example.com --group-id 42
//! ```
//!
//! Credentials come from the environment, checked in this order:
//!
//! - `BOX_DEVELOPER_TOKEN`: a developer token;
//! - `BOX_CLIENT_ID`, `BOX_CLIENT_SECRET` and `BOX_ENTERPRISE_ID` (or `BOX_USER_ID`):
//!   Client Credentials Grant;
//! - `BOX_JWT_CONFIG_FILE`: the path of a JWT config from the Developer Console.
//!
//! With none set, the example starts the crate's embedded Box sandbox on loopback,
//! says so in one line, and runs there. `BOX_BASE_URL` sends API calls to another
//! base URL, such as a proxy.
//!
//! With Client Credentials Grant or JWT, the example asks Box for an access token
//! before it sends any batch, so that credentials Box refuses stop the run with
//! nothing sent.
//!
//! Exit codes:
//!
//! - 0 when every batch was accepted;
//! - 1 when any batch failed, or when no access token could be had for a reason
//!   that may pass, such as a network error or a 5xx (nothing was sent then);
//! - 2 for bad input or configuration, including credentials that Box's token
//!   endpoint refuses (`invalid_client`, `invalid_grant` and its other 4xx
//!   answers): running again without changing them cannot help.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use box_sdk_gen::auth::{
    Authentication, BoxCcgAuth, BoxDeveloperTokenAuth, BoxJwtAuth, CcgConfig, JwtConfig,
};
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::errors::{BoxError, ErrorKind};
use box_sdk_gen::managers::users::GetUserMeQueryParams;
use box_sdk_gen::network::{BaseUrls, NetworkSession};
use box_sdk_gen::schemas::{
    CreateGroupTerminateSessionRequestBody, CreateUserTerminateSessionRequestBody,
};
use box_sdk_gen::testing::Sandbox;
use clap::Parser;
use serde_json::{Value, json};

/// How many users or groups one request names by default. Box documents no limit;
/// 100 keeps each request small and a failed batch easy to retry.
const DEFAULT_BATCH_SIZE: usize = 100;

/// Ends the Box sessions of users and groups.
#[derive(Debug, Parser)]
#[command(
    name = "terminate_sessions",
    after_help = "Credentials come from BOX_DEVELOPER_TOKEN; BOX_CLIENT_ID, BOX_CLIENT_SECRET and \
                  BOX_ENTERPRISE_ID (or BOX_USER_ID); or BOX_JWT_CONFIG_FILE. With none set, the \
                  example runs against an embedded local Box sandbox.\n\n\
                  Exit codes: 0 all batches accepted; 1 a batch failed, or no access token \
                  could be had (network error, 5xx); 2 bad input or configuration, including \
                  credentials that Box's token endpoint refuses."
)]
struct Args {
    /// A user ID whose sessions to end; repeatable.
    #[arg(long = "user-id", value_name = "ID")]
    user_ids: Vec<String>,
    /// A user login (email) whose sessions to end; repeatable.
    #[arg(long = "user-login", value_name = "LOGIN")]
    user_logins: Vec<String>,
    /// A group ID whose members' sessions to end; repeatable.
    #[arg(long = "group-id", value_name = "ID")]
    group_ids: Vec<String>,
    /// A file of users: one user ID (digits) or login (with @) per line, `#` for
    /// comments; or a CSV whose header names `user_id`, `user_login` and/or
    /// `group_id` columns.
    #[arg(long, value_name = "PATH")]
    from_file: Option<PathBuf>,
    /// Act as this user (Box's As-User header).
    #[arg(long, value_name = "USER_ID")]
    as_user: Option<String>,
    /// How many users or groups each request names.
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE, value_parser = parse_batch_size)]
    batch_size: usize,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// Print the batches without sending anything.
    #[arg(long)]
    dry_run: bool,
    /// Say whose credentials are in use (Box's `GET /users/me`) before anything else.
    #[arg(long)]
    whoami: bool,
}

fn parse_batch_size(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(size) if (1..=1000).contains(&size) => Ok(size),
        _ => Err("the batch size is a whole number from 1 to 1000".into()),
    }
}

/// Who to sign out.
#[derive(Debug, Default, PartialEq, Eq)]
struct Targets {
    user_ids: Vec<String>,
    user_logins: Vec<String>,
    group_ids: Vec<String>,
}

/// One request's worth of targets.
#[derive(Debug)]
enum Batch {
    Users {
        user_ids: Vec<String>,
        user_logins: Vec<String>,
    },
    Groups {
        group_ids: Vec<String>,
    },
}

impl Batch {
    fn describe(&self) -> String {
        match self {
            Batch::Users {
                user_ids,
                user_logins,
            } => count(user_ids.len() + user_logins.len(), "user"),
            Batch::Groups { group_ids } => count(group_ids.len(), "group"),
        }
    }

    fn items(&self) -> Vec<&str> {
        match self {
            Batch::Users {
                user_ids,
                user_logins,
            } => user_ids
                .iter()
                .chain(user_logins)
                .map(String::as_str)
                .collect(),
            Batch::Groups { group_ids } => group_ids.iter().map(String::as_str).collect(),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Batch::Users {
                user_ids,
                user_logins,
            } => json!({"kind": "users", "user_ids": user_ids, "user_logins": user_logins}),
            Batch::Groups { group_ids } => json!({"kind": "groups", "group_ids": group_ids}),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::WARN)
        .try_init();
    match run(args).await {
        Ok(code) => code,
        Err(Stop::Config(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Stop::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Why the run stopped before it could report on the batches.
#[derive(Debug)]
enum Stop {
    /// Bad input or configuration, for exit code 2: fix it and run again.
    Config(String),
    /// A failure that may pass, for exit code 1: running again may work.
    Failed(String),
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Stop::Config(message)
    }
}

/// Runs the command.
async fn run(args: Args) -> Result<ExitCode, Stop> {
    if args.whoami
        && args.user_ids.is_empty()
        && args.user_logins.is_empty()
        && args.group_ids.is_empty()
        && args.from_file.is_none()
    {
        let (client, _, _sandbox) = connect().await?;
        let client = as_user(client, &args)?;
        return Ok(whoami(&client).await);
    }
    let targets = read_targets(&args)?;
    let batches = plan(&targets, args.batch_size);
    if args.dry_run {
        print_plan(&batches, args.json);
        return Ok(ExitCode::SUCCESS);
    }

    let (client, place, _sandbox) = connect().await?;
    let client = as_user(client, &args)?;
    if args.whoami && whoami(&client).await != ExitCode::SUCCESS {
        return Ok(ExitCode::FAILURE);
    }
    let outcomes = send(&client, &batches, !args.json).await;

    report(&batches, &outcomes, place, args.json);
    let failed = outcomes.iter().any(Result::is_err);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn as_user(client: BoxClient, args: &Args) -> Result<BoxClient, String> {
    match &args.as_user {
        Some(user_id) => client
            .with_as_user_header(user_id)
            .map_err(|e| format!("--as-user: {e}")),
        None => Ok(client),
    }
}

/// Prints who the credentials act as, on stderr so that `--json` output stays one
/// document.
async fn whoami(client: &BoxClient) -> ExitCode {
    match client
        .users
        .get_user_me(
            GetUserMeQueryParams::default().with_fields(["id", "name", "login", "role"]),
            Default::default(),
            None,
        )
        .await
    {
        Ok(me) => {
            eprintln!(
                "Acting as {} ({}), user ID {}, role {}",
                me.name.as_deref().unwrap_or("an unnamed user"),
                me.login.as_deref().unwrap_or("no login"),
                me.id,
                me.role.as_deref().unwrap_or("unknown"),
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("cannot tell whose credentials these are: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Gathers targets from the flags and the file, in that order.
fn read_targets(args: &Args) -> Result<Targets, String> {
    let mut targets = Targets {
        user_ids: args.user_ids.clone(),
        user_logins: args.user_logins.clone(),
        group_ids: args.group_ids.clone(),
    };
    if let Some(path) = &args.from_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let from_file = parse_file(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        targets.user_ids.extend(from_file.user_ids);
        targets.user_logins.extend(from_file.user_logins);
        targets.group_ids.extend(from_file.group_ids);
    }
    let all = targets
        .user_ids
        .iter()
        .chain(&targets.user_logins)
        .chain(&targets.group_ids);
    for item in all {
        if item.trim().is_empty() {
            return Err("an ID or login is empty".into());
        }
    }
    if targets == Targets::default() {
        return Err(
            "nothing to terminate: give --user-id, --user-login, --group-id or --from-file".into(),
        );
    }
    Ok(targets)
}

const CSV_COLUMNS: [&str; 3] = ["user_id", "user_login", "group_id"];

/// Reads a list file: a CSV when its first line is a header of known columns,
/// otherwise one user ID or login per line.
fn parse_file(text: &str) -> Result<Targets, String> {
    // Excel and Notepad start UTF-8 files with a byte-order mark, which would
    // otherwise be read as part of the first column name or ID.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
    let Some((_, first)) = lines.next() else {
        return Err("the file names no user or group".into());
    };
    let header: Vec<String> = first.split(',').map(field).collect();
    let is_csv = first.contains(',') || CSV_COLUMNS.contains(&header[0].as_str());
    let mut targets = Targets::default();
    if !is_csv {
        for (number, line) in std::iter::once((0, first)).chain(lines) {
            let place = if number == 0 {
                "the first line".to_string()
            } else {
                format!("line {number}")
            };
            if line.contains('@') {
                targets.user_logins.push(line.to_string());
            } else if line.bytes().all(|b| b.is_ascii_digit()) {
                targets.user_ids.push(line.to_string());
            } else {
                return Err(format!(
                    "{place}: `{line}` is neither a user ID (digits) nor a login (with @)"
                ));
            }
        }
        return Ok(targets);
    }

    for column in &header {
        if !CSV_COLUMNS.contains(&column.as_str()) {
            return Err(format!(
                "unknown CSV column `{column}`: the columns are user_id, user_login and group_id"
            ));
        }
    }
    for (number, line) in lines {
        let cells: Vec<String> = line.split(',').map(field).collect();
        if cells.len() != header.len() {
            return Err(format!(
                "line {number} has {} fields, but the header has {}",
                cells.len(),
                header.len()
            ));
        }
        for (column, cell) in header.iter().zip(cells) {
            if cell.is_empty() {
                continue;
            }
            match column.as_str() {
                "user_id" => targets.user_ids.push(cell),
                "user_login" => targets.user_logins.push(cell),
                _ => targets.group_ids.push(cell),
            }
        }
    }
    if targets == Targets::default() {
        return Err("the CSV names no user or group".into());
    }
    Ok(targets)
}

/// A CSV cell without its surrounding spaces and quotes. Quoted commas are not
/// supported: IDs and logins never contain them.
fn field(cell: &str) -> String {
    let cell = cell.trim();
    cell.strip_prefix('"')
        .and_then(|c| c.strip_suffix('"'))
        .unwrap_or(cell)
        .to_string()
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Splits the targets into requests of at most `size` users or groups each.
fn plan(targets: &Targets, size: usize) -> Vec<Batch> {
    let users: Vec<(bool, &String)> = targets
        .user_ids
        .iter()
        .map(|id| (true, id))
        .chain(targets.user_logins.iter().map(|login| (false, login)))
        .collect();
    let mut batches: Vec<Batch> = users
        .chunks(size)
        .map(|chunk| Batch::Users {
            user_ids: chunk
                .iter()
                .filter(|(id, _)| *id)
                .map(|(_, v)| (*v).clone())
                .collect(),
            user_logins: chunk
                .iter()
                .filter(|(id, _)| !*id)
                .map(|(_, v)| (*v).clone())
                .collect(),
        })
        .collect();
    batches.extend(targets.group_ids.chunks(size).map(|chunk| Batch::Groups {
        group_ids: chunk.to_vec(),
    }));
    batches
}

fn print_plan(batches: &[Batch], as_json: bool) {
    if as_json {
        let planned: Vec<Value> = batches.iter().map(Batch::to_json).collect();
        println!("{}", json!({"dry_run": true, "batches": planned}));
        return;
    }
    for (i, batch) in batches.iter().enumerate() {
        println!(
            "batch {}/{}: {}: {}",
            i + 1,
            batches.len(),
            batch.describe(),
            batch.items().join(", ")
        );
    }
    println!("dry run: nothing was sent");
}

/// Where the calls go, for the report.
#[derive(Debug, Clone, Copy)]
enum Place {
    Box,
    Sandbox,
}

/// A client from the environment's credentials, or on a new sandbox without them.
/// The sandbox is returned so that it lives as long as the calls.
async fn connect() -> Result<(BoxClient, Place, Option<Sandbox>), Stop> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let base_urls = match var("BOX_BASE_URL") {
        Some(url) => BaseUrls::default().with_base_url(url),
        None => BaseUrls::default(),
    };
    if let Some(token) = var("BOX_DEVELOPER_TOKEN") {
        let client =
            BoxClient::with_network_session(BoxDeveloperTokenAuth::new(token), session(base_urls)?);
        return Ok((client, Place::Box, None));
    }
    if let Some(auth) = ccg_from_env(&var)? {
        let credentials = "the Client Credentials Grant credentials (BOX_CLIENT_ID, \
                           BOX_CLIENT_SECRET, BOX_ENTERPRISE_ID or BOX_USER_ID)";
        let client = server_app_client(auth, session(base_urls)?, credentials).await?;
        return Ok((client, Place::Box, None));
    }
    if let Some(path) = var("BOX_JWT_CONFIG_FILE") {
        let config = JwtConfig::from_config_file(Path::new(&path))
            .map_err(|e| format!("BOX_JWT_CONFIG_FILE: {e}"))?;
        let credentials = "the JWT config in BOX_JWT_CONFIG_FILE";
        let client =
            server_app_client(BoxJwtAuth::new(config), session(base_urls)?, credentials).await?;
        return Ok((client, Place::Box, None));
    }

    let sandbox = Sandbox::start().await.map_err(|e| e.to_string())?;
    eprintln!(
        "No Box credentials in the environment: running against the embedded local Box \
         sandbox at {}.",
        sandbox.base_url()
    );
    let client = BoxClient::with_network_session(
        BoxDeveloperTokenAuth::new(box_sdk_gen::testing::DEVELOPER_TOKEN),
        session(sandbox.base_urls())?,
    );
    Ok((client, Place::Sandbox, Some(sandbox)))
}

/// A client for a server app (CCG or JWT) that already holds an access token.
///
/// Asking for the token first, rather than with the first batch, tells refused
/// credentials (exit code 2) apart from a failed batch (exit code 1), and stops
/// before anything is sent. The token stays in `auth`'s storage for the batches.
async fn server_app_client(
    auth: impl Authentication,
    session: NetworkSession,
    credentials: &str,
) -> Result<BoxClient, Stop> {
    if let Err(error) = auth.retrieve_token(&session).await {
        return Err(if is_refusal(&error) {
            Stop::Config(format!("Box refused {credentials}: {error}"))
        } else {
            Stop::Failed(format!(
                "cannot get an access token, so nothing was sent: {error}"
            ))
        });
    }
    Ok(BoxClient::with_network_session(auth, session))
}

/// Whether the token endpoint refused the request itself: a 4xx such as
/// `invalid_client` or `invalid_grant`, which the same credentials will get again.
/// 408 and 429 are about timing, so they are not refusals.
fn is_refusal(error: &BoxError) -> bool {
    error.kind() == ErrorKind::Api
        && error
            .status()
            .is_some_and(|status| (400..500).contains(&status) && status != 408 && status != 429)
}

fn session(base_urls: BaseUrls) -> Result<NetworkSession, String> {
    NetworkSession::builder()
        .base_urls(base_urls)
        .build()
        .map_err(|e| format!("BOX_BASE_URL: {e}"))
}

/// Client Credentials Grant from the environment: all of its variables or none.
fn ccg_from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<BoxCcgAuth>, String> {
    let (id, secret) = (var("BOX_CLIENT_ID"), var("BOX_CLIENT_SECRET"));
    let (enterprise, user) = (var("BOX_ENTERPRISE_ID"), var("BOX_USER_ID"));
    match (id, secret) {
        (None, None) => Ok(None),
        (Some(id), Some(secret)) => {
            let config = CcgConfig::new(id, secret);
            let config = match (enterprise, user) {
                (_, Some(user)) => config.with_user_id(user),
                (Some(enterprise), None) => config.with_enterprise_id(enterprise),
                (None, None) => {
                    return Err(
                        "BOX_CLIENT_ID and BOX_CLIENT_SECRET need BOX_ENTERPRISE_ID or BOX_USER_ID"
                            .into(),
                    );
                }
            };
            Ok(Some(BoxCcgAuth::new(config)))
        }
        (Some(_), None) => Err("BOX_CLIENT_ID is set but BOX_CLIENT_SECRET is not".into()),
        (None, Some(_)) => Err("BOX_CLIENT_SECRET is set but BOX_CLIENT_ID is not".into()),
    }
}

/// Sends every batch in order, with a progress line on a terminal.
async fn send(
    client: &BoxClient,
    batches: &[Batch],
    progress: bool,
) -> Vec<Result<String, BoxError>> {
    let progress = progress && std::io::stderr().is_terminal();
    let mut outcomes = Vec::with_capacity(batches.len());
    for (i, batch) in batches.iter().enumerate() {
        if progress {
            draw_progress(i, batches.len());
        }
        let manager = &client.session_termination;
        let outcome = match batch {
            Batch::Users {
                user_ids,
                user_logins,
            } => {
                let body = CreateUserTerminateSessionRequestBody::new(user_ids, user_logins);
                manager
                    .create_user_terminate_session(&body, Default::default(), None)
                    .await
            }
            Batch::Groups { group_ids } => {
                let body = CreateGroupTerminateSessionRequestBody::new(group_ids);
                manager
                    .create_group_terminate_session(&body, Default::default(), None)
                    .await
            }
        };
        outcomes.push(outcome.map(|m| m.message.unwrap_or_default()));
    }
    if progress {
        draw_progress(batches.len(), batches.len());
        eprintln!();
    }
    outcomes
}

/// Draws `[#####     ] 5/10 batches` over the previous one.
fn draw_progress(done: usize, total: usize) {
    const WIDTH: usize = 30;
    let filled = WIDTH * done / total.max(1);
    let mut stderr = std::io::stderr();
    let _ = write!(
        stderr,
        "\r[{}{}] {done}/{total} batches",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    );
    let _ = stderr.flush();
}

/// Prints every batch's outcome; a failed batch lists what it did not sign out.
fn report(batches: &[Batch], outcomes: &[Result<String, BoxError>], place: Place, as_json: bool) {
    let failed = outcomes.iter().filter(|o| o.is_err()).count();
    let accepted = outcomes.len() - failed;
    if as_json {
        let entries: Vec<Value> = batches
            .iter()
            .zip(outcomes)
            .enumerate()
            .map(|(i, (batch, outcome))| {
                let mut entry = batch.to_json();
                entry["batch"] = json!(i + 1);
                match outcome {
                    Ok(message) => {
                        entry["status"] = json!("accepted");
                        entry["message"] = json!(message);
                    }
                    Err(error) => {
                        entry["status"] = json!("failed");
                        entry["error"] = error_json(error);
                    }
                }
                entry
            })
            .collect();
        let place = match place {
            Place::Box => "box",
            Place::Sandbox => "sandbox",
        };
        let document = json!({
            "target": place,
            "batches": entries,
            "accepted": accepted,
            "failed": failed,
        });
        println!("{document}");
        return;
    }
    for (i, (batch, outcome)) in batches.iter().zip(outcomes).enumerate() {
        let head = format!("batch {}/{}: {}", i + 1, batches.len(), batch.describe());
        match outcome {
            Ok(message) => println!("{head}: accepted: {message}"),
            Err(error) => {
                println!("{head}: FAILED: {error}");
                println!("  not terminated: {}", batch.items().join(", "));
            }
        }
    }
    println!(
        "{accepted} of {} batches accepted, {failed} failed",
        outcomes.len()
    );
}

fn error_json(error: &BoxError) -> Value {
    let api = error.api_error();
    json!({
        "kind": format!("{:?}", error.kind()),
        "status": error.status(),
        "code": api.and_then(|a| a.code()),
        "message": api.and_then(|a| a.message()),
        "request_id": api.and_then(|a| a.request_id()),
        "display": error.to_string(),
    })
}
