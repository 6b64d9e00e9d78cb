//! Helpers shared by the integration tests.

#![allow(dead_code)]

use box_sdk_gen::auth::BoxDeveloperTokenAuth;
use box_sdk_gen::client::BoxClient;
use box_sdk_gen::network::{BaseUrls, NetworkSession, NetworkSessionBuilder};
use box_sdk_gen::retries::BoxRetryStrategy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The developer token the tests authenticate with; it must never be printed.
pub const TOKEN: &str = "dev-token-6f1c2e9a";

/// A client with the test token, sending to `base_url`, with retries off so that
/// each test sees exactly one attempt.
pub fn client(base_url: &str) -> BoxClient {
    client_with(base_url, |session| {
        session.retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
    })
}

/// A client with the test token, sending to `base_url`, its network session set
/// up by `configure`.
pub fn client_with(
    base_url: &str,
    configure: impl FnOnce(NetworkSessionBuilder) -> NetworkSessionBuilder,
) -> BoxClient {
    let urls = BaseUrls::default().with_base_url(base_url);
    let session = configure(NetworkSession::builder().base_urls(urls))
        .build()
        .unwrap();
    BoxClient::with_network_session(BoxDeveloperTokenAuth::new(TOKEN), session)
}

/// A session builder on `base_urls` with no timers: no idle-pool timer in the HTTP
/// client and no attempt timeout. Under a paused clock, a pending timer lets time
/// jump while a real socket is still busy; tests that want a timeout set one.
pub fn timerless_session(base_urls: BaseUrls) -> NetworkSessionBuilder {
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    NetworkSession::builder()
        .base_urls(base_urls)
        .http_client(http)
        .attempt_timeout(None)
}

/// One request as it arrived on the socket.
#[derive(Debug)]
pub struct RawRequest {
    pub request_line: String,
    /// Header names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names
    }
}

/// Serves one connection on loopback: records the request exactly as sent and
/// answers `202 {"message": "ok"}`. httpmock matches requests; this shows every
/// header, so a test can prove there is none it did not expect.
pub async fn capture_one_request() -> (String, tokio::task::JoinHandle<RawRequest>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        let head_end = loop {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the connection closed before the request ended");
            data.extend_from_slice(&buf[..n]);
            if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
        };
        let head = String::from_utf8(data[..head_end].to_vec()).unwrap();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap().to_string();
        let headers: Vec<(String, String)> = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.trim().to_ascii_lowercase(), value.trim().to_string())
            })
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = data[head_end + 4..].to_vec();
        while body.len() < length {
            let n = socket.read(&mut buf).await.unwrap();
            body.extend_from_slice(&buf[..n]);
        }
        let answer = br#"{"message":"ok"}"#;
        let response = format!(
            "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            answer.len()
        );
        socket.write_all(response.as_bytes()).await.unwrap();
        socket.write_all(answer).await.unwrap();
        RawRequest {
            request_line,
            headers,
            body,
        }
    });
    (base_url, handle)
}

/// One canned answer of a [`ScriptedServer`].
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long (on the test's clock) before answering.
    pub delay: std::time::Duration,
    /// Wait for this to be notified before answering, where a test orders events
    /// across connections.
    pub gate: Option<std::sync::Arc<tokio::sync::Notify>>,
    pub kind: ReplyKind,
}

/// How a [`Reply`] is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// With a `content-length`.
    Sized,
    /// With `transfer-encoding: chunked`, so the size is not known up front.
    Chunked,
    /// Never: the connection stays open and silent.
    Hang,
    /// The connection is closed without an answer.
    Reset,
    /// The status and headers, with a `content-length` the body never reaches:
    /// the connection then stays open and silent.
    StalledBody,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: std::time::Duration::ZERO,
            gate: None,
            kind: ReplyKind::Sized,
        }
    }

    pub fn accepted() -> Self {
        Self::json(202, serde_json::json!({"message": "ok"}))
    }

    pub fn error(status: u16) -> Self {
        Self::json(
            status,
            serde_json::json!({"type": "error", "status": status, "code": "c", "message": "m"}),
        )
    }

    pub fn hang() -> Self {
        Self {
            kind: ReplyKind::Hang,
            ..Self::accepted()
        }
    }

    pub fn reset() -> Self {
        Self {
            kind: ReplyKind::Reset,
            ..Self::accepted()
        }
    }

    /// This reply, sent only once `gate` is notified.
    pub fn held_until(mut self, gate: &std::sync::Arc<tokio::sync::Notify>) -> Self {
        self.gate = Some(gate.clone());
        self
    }

    /// This reply's status and headers, then half its body and silence.
    pub fn stalled_body(mut self) -> Self {
        self.kind = ReplyKind::StalledBody;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A request a [`ScriptedServer`] received, and when, on the test's clock.
#[derive(Debug, Clone)]
pub struct Received {
    pub at: tokio::time::Instant,
    pub request_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A loopback HTTP/1.1 server that answers its requests from a script, one reply
/// per connection, and records every request. It runs on the test's runtime, so
/// under a paused clock its delays are virtual too. When the script runs out it
/// repeats its last reply.
pub struct ScriptedServer {
    pub base_url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

impl ScriptedServer {
    pub async fn start(script: Vec<Reply>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            let mut index = 0;
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let reply = script[index.min(script.len() - 1)].clone();
                index += 1;
                let log = log.clone();
                tokio::spawn(serve(socket, reply, log));
            }
        });
        Self { base_url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn serve(
    mut socket: tokio::net::TcpStream,
    reply: Reply,
    log: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    log.lock().unwrap().push(request);
    tokio::time::sleep(reply.delay).await;
    if let Some(gate) = &reply.gate {
        gate.notified().await;
    }
    match reply.kind {
        ReplyKind::Hang => {
            std::future::pending::<()>().await;
        }
        ReplyKind::Reset => {}
        ReplyKind::StalledBody => {
            let head = format!(
                "HTTP/1.1 {} Status\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                reply.status,
                reply.body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&reply.body[..reply.body.len() / 2]).await;
            std::future::pending::<()>().await;
        }
        ReplyKind::Sized | ReplyKind::Chunked => {
            let mut head = format!("HTTP/1.1 {} Status\r\nconnection: close\r\n", reply.status);
            for (name, value) in &reply.headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            if reply.kind == ReplyKind::Sized {
                head.push_str(&format!("content-length: {}\r\n\r\n", reply.body.len()));
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&reply.body).await;
            } else {
                head.push_str("transfer-encoding: chunked\r\n\r\n");
                let _ = socket.write_all(head.as_bytes()).await;
                for chunk in reply.body.chunks(8 * 1024) {
                    let framed = format!("{:x}\r\n", chunk.len());
                    let _ = socket.write_all(framed.as_bytes()).await;
                    let _ = socket.write_all(chunk).await;
                    let _ = socket.write_all(b"\r\n").await;
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            }
        }
    }
    let _ = socket.shutdown().await;
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8(data[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(Received {
        at: tokio::time::Instant::now(),
        request_line,
        headers,
        body,
    })
}

/// A loopback HTTP/1.1 server that keeps connections open and answers every
/// request on them with a 202, counting the connections it accepted: what a test
/// of connection reuse needs to see.
pub struct KeepAliveServer {
    pub base_url: String,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl KeepAliveServer {
    pub async fn start() -> Self {
        use std::sync::atomic::Ordering;

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (accepted, answered) = (connections.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                let answered = answered.clone();
                tokio::spawn(async move {
                    let body = br#"{"message":"ok"}"#;
                    while read_request(&mut socket).await.is_some() {
                        answered.fetch_add(1, Ordering::SeqCst);
                        let head = format!(
                            "HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        if socket.write_all(head.as_bytes()).await.is_err()
                            || socket.write_all(body).await.is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        Self {
            base_url,
            connections,
            requests,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}
