//! The SDK against a hand-written reqwest call of the same request, in one run.
//!
//! A small hyper server on loopback answers every request as Box answers
//! terminate_sessions (202 and Box's message). Both clients send the same POST with
//! the same JSON body and bearer token and decode the same answer; the SDK adds its
//! headers, retry strategy, timeouts, size limit, tracing span and error mapping.
//!
//! Measured with criterion: sequential latency, 32 calls in flight, building a
//! client, and a first call (connection set-up included). Then, outside criterion,
//! the client's own CPU time per call (the calling thread's CPU clock, which the
//! server's threads do not touch). At the end the SDK/bare ratios are printed.
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

/// The client thread's CPU per call, over `calls` sequential calls of `call`.
fn cpu_per_call<F: Future<Output = ()>>(
    runtime: &tokio::runtime::Runtime,
    calls: u32,
    mut call: impl FnMut() -> F,
) -> Duration {
    runtime.block_on(async {
        for _ in 0..200 {
            call().await;
        }
        let start = thread_cpu_time();
        for _ in 0..calls {
            call().await;
        }
        (thread_cpu_time() - start) / calls
    })
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

    // Client CPU per call, each side measured twice, interleaved, so that drift
    // on a noisy machine lands on both.
    let calls = 20_000;
    let mut sdk_cpu = Vec::new();
    let mut bare_cpu = Vec::new();
    for _ in 0..2 {
        sdk_cpu.push(cpu_per_call(&runtime, calls, || {
            sdk_call(&sdk, &request_body)
        }));
        bare_cpu.push(cpu_per_call(&runtime, calls, || {
            bare_call(&bare, &url, &request_body)
        }));
    }
    let (sdk_cpu, bare_cpu) = (median(sdk_cpu), median(bare_cpu));
    println!();
    println!("client CPU per call ({calls} sequential calls, thread CPU clock):");
    println!(
        "  sdk {:.1} µs, bare reqwest {:.1} µs, ratio {:.3}",
        micros(sdk_cpu),
        micros(bare_cpu),
        sdk_cpu.as_secs_f64() / bare_cpu.as_secs_f64()
    );
    print_ratios();
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
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
