//! When to send a request again, and after how long.
//!
//! The transport asks the client's [`RetryStrategy`] after every attempt that did
//! not end the call. The default, [`BoxRetryStrategy`], keeps the numbers of Box's
//! own SDKs and fixes two of their faults: it reads `Retry-After` whatever its case,
//! and it never re-sends a POST that Box accepted with a 202.

use std::fmt;
use std::time::{Duration, SystemTime};

/// What an attempt ended with, as a retry strategy sees it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum AttemptOutcome<'a> {
    /// Box answered.
    Response {
        /// The HTTP status.
        status: u16,
        /// The value of the `Retry-After` header, if Box sent one.
        retry_after: Option<&'a str>,
    },
    /// The connection failed: refused, reset, or closed early.
    NetworkError,
    /// No answer came within the attempt's time.
    Timeout,
}

/// The facts a [`RetryStrategy`] decides on.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RetryContext<'a> {
    /// The HTTP method, upper case.
    pub method: &'a str,
    /// How many attempts have been made, this one included (1 after the first).
    pub attempt: u32,
    /// How many of those ended with a network error or a timeout.
    pub network_failures: u32,
    /// Whether the next attempt could carry a new access token: the
    /// authentication can refresh its token and has not done so during this call.
    /// A 401 is worth one more attempt only then; the transport refreshes the
    /// token before that attempt.
    pub token_refreshable: bool,
    /// What this attempt ended with.
    pub outcome: AttemptOutcome<'a>,
}

/// Decides whether, and when, to send a request again.
///
/// # Example
/// A strategy that never retries:
/// ```
/// use std::time::Duration;
/// use box_sdk_gen::retries::{RetryContext, RetryStrategy};
///
/// #[derive(Debug)]
/// struct Never;
///
/// impl RetryStrategy for Never {
///     fn should_retry(&self, _: &RetryContext<'_>) -> bool {
///         false
///     }
///     fn retry_after(&self, _: &RetryContext<'_>) -> Duration {
///         Duration::ZERO
///     }
/// }
/// ```
pub trait RetryStrategy: fmt::Debug + Send + Sync + 'static {
    /// Whether to send the request again after the attempt described by `context`.
    fn should_retry(&self, context: &RetryContext<'_>) -> bool;

    /// How long to wait before sending it again.
    fn retry_after(&self, context: &RetryContext<'_>) -> Duration;
}

/// The default retry strategy, with the numbers of Box's own SDKs.
///
/// - At most 5 attempts in all, and at most 3 when attempts fail with network
///   errors or timeouts.
/// - Retries 429 and every 5xx, and a 401 once, without waiting, when the
///   authentication can refresh its token
///   ([`token_refreshable`](RetryContext::token_refreshable)). That retry is an
///   attempt like the others: it is not made after the last one.
/// - A 202 with `Retry-After` is re-sent for GET and HEAD only: to a POST such as
///   terminate_sessions, a 202 is final, and re-sending would start new jobs.
/// - Waits what `Retry-After` says (whole or fractional seconds, or an HTTP date),
///   capped at [`max_retry_after`](BoxRetryStrategyBuilder::max_retry_after).
///   Otherwise waits `2^n × base × U[0.5, 1.5]` after the n-th attempt: with the
///   1 s base, about 2 s, 4 s, 8 s, then 16 s.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use box_sdk_gen::retries::BoxRetryStrategy;
///
/// let patient = BoxRetryStrategy::builder()
///     .max_attempts(8)
///     .retry_base_interval(Duration::from_millis(500))
///     .build();
/// # let _ = patient;
/// ```
#[derive(Debug, Clone)]
pub struct BoxRetryStrategy {
    max_attempts: u32,
    max_network_attempts: u32,
    retry_base_interval: Duration,
    max_retry_after: Duration,
}

impl Default for BoxRetryStrategy {
    fn default() -> Self {
        Self::builder().build()
    }
}

impl BoxRetryStrategy {
    /// A builder starting from the defaults.
    pub fn builder() -> BoxRetryStrategyBuilder {
        BoxRetryStrategyBuilder {
            strategy: Self {
                max_attempts: 5,
                max_network_attempts: 3,
                retry_base_interval: Duration::from_secs(1),
                max_retry_after: Duration::from_secs(60),
            },
        }
    }

    /// The delay for `context`, with `jitter` the backoff factor drawn from
    /// `[0.5, 1.5)`.
    fn delay(&self, context: &RetryContext<'_>, jitter: f64) -> Duration {
        if let AttemptOutcome::Response {
            retry_after: Some(value),
            ..
        } = context.outcome
            && let Some(delay) = parse_retry_after(value, SystemTime::now())
        {
            return delay.min(self.max_retry_after);
        }
        // A refused token is replaced before the next attempt; waiting would not
        // help it.
        if let AttemptOutcome::Response { status: 401, .. } = context.outcome {
            return Duration::ZERO;
        }
        let exponent = context.attempt.min(16);
        let backoff = self.retry_base_interval.as_secs_f64() * f64::from(1u32 << exponent) * jitter;
        Duration::try_from_secs_f64(backoff)
            .unwrap_or(self.max_retry_after)
            .min(self.max_retry_after)
    }
}

impl RetryStrategy for BoxRetryStrategy {
    fn should_retry(&self, context: &RetryContext<'_>) -> bool {
        if context.attempt >= self.max_attempts {
            return false;
        }
        match context.outcome {
            AttemptOutcome::NetworkError | AttemptOutcome::Timeout => {
                context.network_failures < self.max_network_attempts
            }
            AttemptOutcome::Response {
                status,
                retry_after,
            } => match status {
                429 | 500..=599 => true,
                401 => context.token_refreshable,
                202 => retry_after.is_some() && matches!(context.method, "GET" | "HEAD"),
                _ => false,
            },
        }
    }

    fn retry_after(&self, context: &RetryContext<'_>) -> Duration {
        self.delay(context, 0.5 + fastrand::f64())
    }
}

/// Builds a [`BoxRetryStrategy`].
#[derive(Debug, Clone)]
#[must_use]
pub struct BoxRetryStrategyBuilder {
    strategy: BoxRetryStrategy,
}

impl BoxRetryStrategyBuilder {
    /// The most attempts a call makes, the first included. The default is 5; 1
    /// turns retries off.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.strategy.max_attempts = attempts.max(1);
        self
    }

    /// The most attempts a call makes while attempts fail with network errors or
    /// timeouts. The default is 3.
    pub fn max_network_attempts(mut self, attempts: u32) -> Self {
        self.strategy.max_network_attempts = attempts.max(1);
        self
    }

    /// The base of the exponential backoff. The default is 1 second, which waits
    /// about 2, 4, 8 and 16 seconds before the second to fifth attempts.
    pub fn retry_base_interval(mut self, interval: Duration) -> Self {
        self.strategy.retry_base_interval = interval;
        self
    }

    /// The longest wait before a retry, whether `Retry-After` asked for it or the
    /// backoff came to it; a longer one is cut to this. The default is 60 seconds.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.strategy.max_retry_after = max;
        self
    }

    /// The strategy.
    pub fn build(self) -> BoxRetryStrategy {
        self.strategy
    }
}

/// Reads a `Retry-After` value: whole or fractional seconds, or an HTTP date
/// (a date in the past means no wait). `None` for anything else.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(attempt: u32, outcome: AttemptOutcome<'_>) -> RetryContext<'_> {
        RetryContext {
            method: "POST",
            attempt,
            network_failures: 0,
            token_refreshable: false,
            outcome,
        }
    }

    fn response(status: u16) -> AttemptOutcome<'static> {
        AttemptOutcome::Response {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn retry_after_reads_seconds_fractions_and_dates() {
        let now = httpdate::parse_http_date("Thu, 03 Dec 2026 19:00:00 GMT").unwrap();

        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 2.5 ", now),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(
            parse_retry_after("Thu, 03 Dec 2026 19:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Thu, 03 Dec 2026 18:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn retries_throttling_and_server_errors_only() {
        let strategy = BoxRetryStrategy::default();

        let retried: Vec<u16> = [400, 401, 403, 404, 409, 429, 500, 502, 503, 504]
            .into_iter()
            .filter(|status| strategy.should_retry(&context(1, response(*status))))
            .collect();

        assert_eq!(retried, [429, 500, 502, 503, 504]);
    }

    #[test]
    fn a_401_is_retried_at_once_while_a_new_token_can_be_had_and_attempts_remain() {
        let strategy = BoxRetryStrategy::default();
        let refreshable = |attempt| RetryContext {
            token_refreshable: true,
            ..context(attempt, response(401))
        };

        assert!(strategy.should_retry(&refreshable(1)));
        assert_eq!(strategy.retry_after(&refreshable(1)), Duration::ZERO);
        assert!(!strategy.should_retry(&refreshable(5)));
        assert!(!strategy.should_retry(&context(1, response(401))));
    }

    #[test]
    fn a_202_with_retry_after_is_retried_for_safe_methods_only() {
        let strategy = BoxRetryStrategy::default();
        let outcome = AttemptOutcome::Response {
            status: 202,
            retry_after: Some("1"),
        };
        let post = context(1, outcome);
        let get = RetryContext {
            method: "GET",
            ..post
        };

        assert!(!strategy.should_retry(&post));
        assert!(strategy.should_retry(&get));
        assert!(!strategy.should_retry(&context(1, response(202))));
    }

    #[test]
    fn stops_after_five_attempts_and_three_network_failures() {
        let strategy = BoxRetryStrategy::default();
        let network = |attempt, failures| RetryContext {
            network_failures: failures,
            ..context(attempt, AttemptOutcome::NetworkError)
        };

        assert!(strategy.should_retry(&context(4, response(500))));
        assert!(!strategy.should_retry(&context(5, response(500))));
        assert!(strategy.should_retry(&network(2, 2)));
        assert!(!strategy.should_retry(&network(3, 3)));
    }

    #[test]
    fn backoff_doubles_within_the_jitter_window() {
        let strategy = BoxRetryStrategy::default();

        let delays: Vec<(Duration, Duration)> = (1..=4)
            .map(|n| {
                let c = context(n, response(500));
                (strategy.delay(&c, 0.5), strategy.delay(&c, 1.5))
            })
            .collect();

        assert_eq!(
            delays,
            [
                (Duration::from_secs(1), Duration::from_secs(3)),
                (Duration::from_secs(2), Duration::from_secs(6)),
                (Duration::from_secs(4), Duration::from_secs(12)),
                (Duration::from_secs(8), Duration::from_secs(24)),
            ]
        );
    }

    #[test]
    fn retry_after_wins_over_backoff_and_is_capped() {
        let strategy = BoxRetryStrategy::builder()
            .max_retry_after(Duration::from_secs(30))
            .build();
        let asked = |value| {
            context(
                3,
                AttemptOutcome::Response {
                    status: 429,
                    retry_after: Some(value),
                },
            )
        };

        assert_eq!(strategy.retry_after(&asked("1")), Duration::from_secs(1));
        assert_eq!(
            strategy.retry_after(&asked("86400000")),
            Duration::from_secs(30)
        );
    }
}
