//! The SDK against a hand-written reqwest call of the same request, in one run.
//!
//! A small hyper server on loopback answers every request as Box answers
//! terminate_sessions (202 and Box's message). Both clients send the same POST with
//! the same JSON body and bearer token and decode the same answer; the SDK adds its
//! headers, retry strategy, timeouts, size limit, tracing span and error mapping.
//!
//! Measured with criterion: sequential latency, 32 calls in flight, building a
//! client, and a first call (connection set-up included). Then, outside criterion,
//! latency and the client's own CPU time per call (the calling thread's CPU clock,
//! which the server's threads do not touch), in alternating blocks so that noise
//! on a shared machine falls on both clients alike. At the end the SDK/bare ratios
//! are printed.
//!
//! Run with `cargo bench --bench terminate_sessions`; BENCHMARKS.md has figures.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use box_sdk_gen::auth::BoxDeveloperTokenAuth;
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::network::{BaseUrls, NetworkSession};
use box_sdk_gen::schemas::CreateUserTerminateSessionRequestBody;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion};
use http_body_util::{BodyExt, Full};
use serde::{Deserialize, Serialize};

const TOKEN: &str = "bench-developer-token";
const ANSWER: &str = r#"{"message":"Request is successful, please check the admin events for the status of the job"}"#;
const IN_FLIGHT: usize = 32;

/// Starts the loopback server on its own thread and runtime, so that its work is
/// not on the client's thread.
fn start_server() -> SocketAddr {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender.send(listener.local_addr().unwrap()).unwrap();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                stream.set_nodelay(true).unwrap();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        |request: hyper::Request<hyper::body::Incoming>| async {
                            // Read the body, as Box does, before answering.
                            let _ = request.into_body().collect().await;
                            let mut answer = hyper::Response::new(Full::new(Bytes::from_static(
                                ANSWER.as_bytes(),
                            )));
                            *answer.status_mut() = hyper::StatusCode::ACCEPTED;
                            answer.headers_mut().insert(
                                "content-type",
                                hyper::header::HeaderValue::from_static("application/json"),
                            );
                            Ok::<_, Infallible>(answer)
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    receiver.recv().unwrap()
}

fn sdk_client(base_url: &str) -> BoxClient {
    let session = NetworkSession::builder()
        .base_urls(BaseUrls::default().with_base_url(base_url))
        .build()
        .unwrap();
    BoxClient::with_network_session(BoxDeveloperTokenAuth::new(TOKEN), session)
}

fn body() -> CreateUserTerminateSessionRequestBody {
    CreateUserTerminateSessionRequestBody::new(["123456", "456789"], ["leaver@example.com"])
}

async fn sdk_call(client: &BoxClient, body: &CreateUserTerminateSessionRequestBody) {
    let message = client
        .session_termination
        .create_user_terminate_session(body, Default::default(), None)
        .await
        .unwrap();
    assert!(message.message.is_some());
}

/// The same request by hand: what a developer would write without the SDK.
#[derive(Serialize)]
struct BareBody<'a> {
    user_ids: &'a [String],
    user_logins: &'a [String],
}

#[derive(Deserialize)]
struct BareAnswer {
    message: Option<String>,
}

async fn bare_call(
    client: &reqwest::Client,
    url: &str,
    body: &CreateUserTerminateSessionRequestBody,
) {
    let answer: BareAnswer = client
        .post(url)
        .bearer_auth(TOKEN)
        .json(&BareBody {
            user_ids: &body.user_ids,
            user_logins: &body.user_logins,
        })
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(answer.message.is_some());
}

/// The calling thread's CPU time.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the thread CPU clock is readable");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Per-call wall time and client-thread CPU time of one block of calls.
type Block = (Duration, Duration);

/// A client call, boxed so that differently typed clients can be measured in one
/// loop; the box costs every variant the same.
type Call<'a> = Box<dyn FnMut() -> std::pin::Pin<Box<dyn Future<Output = ()> + 'a>> + 'a>;

/// Wall time and client-thread CPU time of `calls` sequential calls of `call`.
fn block(runtime: &tokio::runtime::Runtime, calls: u32, call: &mut Call<'_>) -> Block {
    runtime.block_on(async {
        let (wall, cpu) = (std::time::Instant::now(), thread_cpu_time());
        for _ in 0..calls {
            call().await;
        }
        (wall.elapsed() / calls, (thread_cpu_time() - cpu) / calls)
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Measures each variant in `rounds` alternating blocks, so that a noisy
/// neighbour slows all alike, and prints per-call medians and each variant's
/// median ratio to the last one, the baseline.
fn interleaved(
    runtime: &tokio::runtime::Runtime,
    rounds: usize,
    calls: u32,
    mut variants: Vec<(&str, Call<'_>)>,
) {
    for (_, call) in variants.iter_mut() {
        block(runtime, 500, call);
    }
    let mut samples: Vec<Vec<Block>> = vec![Vec::new(); variants.len()];
    for _ in 0..rounds {
        for (index, (_, call)) in variants.iter_mut().enumerate() {
            samples[index].push(block(runtime, calls, call));
        }
    }
    let baseline = samples.len() - 1;
    println!();
    println!("sequential calls, {rounds} alternating blocks of {calls}, medians per call:");
    for (index, (name, _)) in variants.iter().enumerate() {
        let pick = |of: fn(&Block) -> Duration, index: usize| -> Vec<f64> {
            samples[index].iter().map(|b| of(b).as_secs_f64()).collect()
        };
        let ratio = |of: fn(&Block) -> Duration| {
            median(
                pick(of, index)
                    .iter()
                    .zip(pick(of, baseline))
                    .map(|(v, b)| v / b)
                    .collect(),
            )
        };
        println!(
            "  {name:<28} latency {:>6.1} µs (ratio {:.3})  client CPU {:>6.1} µs (ratio {:.3})",
            median(pick(|b| b.0, index)) * 1e6,
            ratio(|b| b.0),
            median(pick(|b| b.1, index)) * 1e6,
            ratio(|b| b.1),
        );
    }
}

fn main() {
    let address = start_server();
    let base_url = format!("http://{address}");
    let url = format!("{base_url}/2.0/users/terminate_sessions");
    // The client runs on the bench thread alone, so its CPU clock is the client's.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = sdk_client(&base_url);
    let bare = reqwest::Client::new();
    let request_body = body();
    let mut criterion = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    let mut group = criterion.benchmark_group("sequential");
    group.bench_function("sdk", |b| {
        b.to_async(&runtime).iter(|| sdk_call(&sdk, &request_body))
    });
    group.bench_function("bare_reqwest", |b| {
        b.to_async(&runtime)
            .iter(|| bare_call(&bare, &url, &request_body))
    });
    group.finish();

    let mut group = criterion.benchmark_group("in_flight");
    group.throughput(criterion::Throughput::Elements(IN_FLIGHT as u64));
    group.bench_function(BenchmarkId::new("sdk", IN_FLIGHT), |b| {
        b.to_async(&runtime).iter(|| async {
            let calls = (0..IN_FLIGHT).map(|_| sdk_call(&sdk, &request_body));
            futures_join_all(calls).await;
        })
    });
    group.bench_function(BenchmarkId::new("bare_reqwest", IN_FLIGHT), |b| {
        b.to_async(&runtime).iter(|| async {
            let calls = (0..IN_FLIGHT).map(|_| bare_call(&bare, &url, &request_body));
            futures_join_all(calls).await;
        })
    });
    group.finish();

    let mut group = criterion.benchmark_group("client_build");
    group.bench_function("sdk", |b| b.iter(|| sdk_client(&base_url)));
    group.bench_function("bare_reqwest", |b| b.iter(reqwest::Client::new));
    group.finish();

    let mut group = criterion.benchmark_group("first_call");
    group.sample_size(30);
    group.bench_function("sdk", |b| {
        b.to_async(&runtime).iter(|| async {
            let client = sdk_client(&base_url);
            sdk_call(&client, &request_body).await;
        })
    });
    group.bench_function("bare_reqwest", |b| {
        b.to_async(&runtime).iter(|| async {
            let client = reqwest::Client::new();
            bare_call(&client, &url, &request_body).await;
        })
    });
    group.finish();
    criterion.final_summary();

    // Latency and client CPU per call in alternating blocks: criterion measures one
    // client after the other, and this machine's noise moves between them. The SDK
    // times every attempt out after 60 s by default, which costs a timer per call;
    // bare reqwest with the same timeout shows that cost apart from the SDK's own.
    let timed = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let variants: Vec<(&str, Call<'_>)> = vec![
        ("sdk", Box::new(|| Box::pin(sdk_call(&sdk, &request_body)))),
        (
            "bare reqwest, 60 s timeout",
            Box::new(|| Box::pin(bare_call(&timed, &url, &request_body))),
        ),
        (
            "bare reqwest (baseline)",
            Box::new(|| Box::pin(bare_call(&bare, &url, &request_body))),
        ),
    ];
    // BENCH_ROUNDS and BENCH_CALLS shorten the run, and BENCH_ONLY keeps the
    // variants whose name starts with it, for a profiler or strace.
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let variants = variants
        .into_iter()
        .filter(|(name, _)| name.starts_with(only.as_str()))
        .collect();
    let setting = |name: &str, default: u32| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    interleaved(
        &runtime,
        setting("BENCH_ROUNDS", 15) as usize,
        setting("BENCH_CALLS", 2_000),
        variants,
    );
    print_ratios();
}

/// Awaits every future, concurrently, on the current task.
async fn futures_join_all<F: Future<Output = ()>>(futures: impl Iterator<Item = F>) {
    let mut set = Vec::from_iter(futures.map(Box::pin));
    std::future::poll_fn(move |context| {
        set.retain_mut(|future| future.as_mut().poll(context).is_pending());
        if set.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}

/// Prints SDK/bare ratios of criterion's mean estimates from this run.
fn print_ratios() {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let root = std::path::Path::new(&target).join("criterion");
    let mean = |group: &str, name: &str| -> Option<f64> {
        let path = root.join(group).join(name).join("new/estimates.json");
        let text = std::fs::read_to_string(path).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json["mean"]["point_estimate"].as_f64()
    };
    println!("SDK / bare reqwest, criterion means of this run:");
    for (group, sdk, bare) in [
        ("sequential", "sdk", "bare_reqwest"),
        ("in_flight", "sdk/32", "bare_reqwest/32"),
        ("client_build", "sdk", "bare_reqwest"),
        ("first_call", "sdk", "bare_reqwest"),
    ] {
        match (mean(group, sdk), mean(group, bare)) {
            (Some(s), Some(b)) => println!(
                "  {group:<13} sdk {:>10.1} µs  bare {:>10.1} µs  ratio {:.3}",
                s / 1e3,
                b / 1e3,
                s / b
            ),
            _ => println!("  {group:<13} (not measured in this run)"),
        }
    }
}
