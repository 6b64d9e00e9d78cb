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
