//! When to send a request again, and after how long.
//!
//! The transport asks the client's [`RetryStrategy`] after every attempt that did
//! not end the call. The default, [`BoxRetryStrategy`], keeps the numbers of Box's
//! own SDKs and fixes two of their faults: it reads `Retry-After` whatever its case,
//! and it never re-sends a POST that Box accepted with a 202.

use std::fmt;
use std::time::{Duration, SystemTime};

/// What an attempt ended with, as a retry strategy sees it.
///
/// # Example
/// A strategy that retries throttling after the wait Box asks for, and failed
/// connections of safe methods only:
/// ```
/// use std::time::Duration;
/// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
/// use box_sdk_gen::client::BoxClient;
/// use box_sdk_gen::network::NetworkSession;
/// use box_sdk_gen::retries::{AttemptOutcome, RetryContext, RetryStrategy};
/// use box_sdk_gen::testing::{self, Fault, Sandbox};
///
/// #[derive(Debug)]
/// struct Throttling;
///
/// impl RetryStrategy for Throttling {
///     fn should_retry(&self, context: &RetryContext<'_>) -> bool {
///         let worth_it = match context.outcome {
///             AttemptOutcome::Response { status, .. } => status == 429,
///             // The request may have reached Box: only a GET or HEAD is safe to re-send.
///             AttemptOutcome::NetworkError | AttemptOutcome::Timeout => {
///                 matches!(context.method, "GET" | "HEAD")
///             }
///             // Outcomes added later are not retried.
///             _ => false,
///         };
///         worth_it && context.attempt < 3
///     }
///
///     fn retry_after(&self, context: &RetryContext<'_>) -> Duration {
///         let asked = match context.outcome {
///             AttemptOutcome::Response { retry_after: Some(seconds), .. } => seconds.parse().ok(),
///             _ => None,
///         };
///         Duration::from_secs(asked.unwrap_or(1))
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let sandbox = Sandbox::start().await?;
/// sandbox.fail_next(Fault::too_many_requests(0));
/// let session = NetworkSession::builder()
///     .base_urls(sandbox.base_urls())
///     .retry_strategy(Throttling)
///     .build()?;
/// let auth = BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN);
/// let client = BoxClient::with_network_session(auth, session);
///
/// let me = client.users.get_user_me(Default::default(), Default::default(), None).await?;
///
/// assert_eq!(me.id, testing::ADMIN_USER_ID);
/// assert_eq!(sandbox.requests().len(), 2, "the 429 was retried after `Retry-After: 0`");
/// # Ok(())
/// # }
/// ```
///
/// More outcomes may be added, so a strategy's `match` needs a `_` arm.
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
///
/// # Example
/// A strategy that retries server errors at once, at most three attempts in all, gives
/// up once a connection has failed, and notes the facts of each attempt:
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
/// use box_sdk_gen::client::BoxClient;
/// use box_sdk_gen::network::NetworkSession;
/// use box_sdk_gen::retries::{AttemptOutcome, RetryContext, RetryStrategy};
/// use box_sdk_gen::schemas::CreateGroupTerminateSessionRequestBody;
/// use box_sdk_gen::testing::{self, Fault, Sandbox};
///
/// /// The method, attempt, status and whether a new token could be had.
/// type Note = (String, u32, Option<u16>, bool);
///
/// #[derive(Debug, Default, Clone)]
/// struct ServerErrorsAtOnce {
///     notes: Arc<Mutex<Vec<Note>>>,
/// }
///
/// impl RetryStrategy for ServerErrorsAtOnce {
///     fn should_retry(&self, context: &RetryContext<'_>) -> bool {
///         let status = match context.outcome {
///             AttemptOutcome::Response { status, .. } => Some(status),
///             _ => None,
///         };
///         let note = (
///             context.method.to_string(),
///             context.attempt,
///             status,
///             context.token_refreshable,
///         );
///         self.notes.lock().unwrap().push(note);
///         let server_error = status.is_some_and(|status| status >= 500);
///         server_error && context.attempt < 3 && context.network_failures == 0
///     }
///
///     fn retry_after(&self, _: &RetryContext<'_>) -> Duration {
///         Duration::ZERO
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let sandbox = Sandbox::start().await?;
/// sandbox.fail_next(Fault::status(503, "unavailable", "Unavailable"));
/// let strategy = ServerErrorsAtOnce::default();
/// let session = NetworkSession::builder()
///     .base_urls(sandbox.base_urls())
///     .retry_strategy(strategy.clone())
///     .build()?;
/// let auth = BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN);
/// let client = BoxClient::with_network_session(auth, session);
/// let body = CreateGroupTerminateSessionRequestBody::new(["42"]);
///
/// client
///     .session_termination
///     .create_group_terminate_session(&body, Default::default(), None)
///     .await?;
///
/// let notes = strategy.notes.lock().unwrap().clone();
/// assert_eq!(
///     notes,
///     [
///         ("POST".to_string(), 1, Some(503), false),
///         ("POST".to_string(), 2, Some(202), false),
///     ],
///     "a developer token cannot be refreshed"
/// );
/// # Ok(())
/// # }
/// ```
///
/// The transport asks after every attempt, successful ones included: a strategy
/// must return `false` for an answer it has no reason to re-send.
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
    ///
    /// # Example
    /// A strategy that retries only a 503, at most four attempts in all:
    /// ```
    /// use std::time::Duration;
    /// use box_sdk_gen::retries::{AttemptOutcome, RetryContext, RetryStrategy};
    ///
    /// #[derive(Debug)]
    /// struct Unavailable;
    ///
    /// impl RetryStrategy for Unavailable {
    ///     fn should_retry(&self, context: &RetryContext<'_>) -> bool {
    ///         let status = match context.outcome {
    ///             AttemptOutcome::Response { status, .. } => Some(status),
    ///             _ => None,
    ///         };
    ///         status == Some(503) && context.attempt < 4
    ///     }
    ///
    ///     fn retry_after(&self, _: &RetryContext<'_>) -> Duration {
    ///         Duration::from_secs(2)
    ///     }
    /// }
    /// ```
    ///
    /// It is asked after every attempt, successful ones included.
    fn should_retry(&self, context: &RetryContext<'_>) -> bool;

    /// How long to wait before sending it again.
    ///
    /// # Example
    /// A linear backoff: 1 second after the first attempt, 2 after the second, and so
    /// on, or what Box asks for in `Retry-After` when it is whole seconds:
    /// ```
    /// use std::time::Duration;
    /// use box_sdk_gen::retries::{AttemptOutcome, RetryContext, RetryStrategy};
    ///
    /// #[derive(Debug)]
    /// struct Linear;
    ///
    /// impl RetryStrategy for Linear {
    ///     fn should_retry(&self, context: &RetryContext<'_>) -> bool {
    ///         let status = match context.outcome {
    ///             AttemptOutcome::Response { status, .. } => status,
    ///             _ => return false,
    ///         };
    ///         (status == 429 || status >= 500) && context.attempt < 3
    ///     }
    ///
    ///     fn retry_after(&self, context: &RetryContext<'_>) -> Duration {
    ///         if let AttemptOutcome::Response { retry_after: Some(value), .. } = context.outcome
    ///             && let Ok(seconds) = value.parse()
    ///         {
    ///             return Duration::from_secs(seconds);
    ///         }
    ///         Duration::from_secs(u64::from(context.attempt))
    ///     }
    /// }
    /// ```
    ///
    /// It is asked only after [`should_retry`](Self::should_retry) said yes.
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
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::retries::BoxRetryStrategy;
    ///
    /// let unchanged = BoxRetryStrategy::builder().build();
    ///
    /// assert_eq!(format!("{unchanged:?}"), format!("{:?}", BoxRetryStrategy::default()));
    /// ```
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
///
/// # Example
/// A strategy for a test against a local server: retries at once, at most twice.
/// ```
/// use std::time::Duration;
/// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
/// use box_sdk_gen::client::BoxClient;
/// use box_sdk_gen::network::NetworkSession;
/// use box_sdk_gen::retries::BoxRetryStrategy;
/// use box_sdk_gen::testing::{self, Fault, Sandbox};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
/// let strategy = BoxRetryStrategy::builder()
///     .max_attempts(3)
///     .max_network_attempts(2)
///     .retry_base_interval(Duration::ZERO)
///     .max_retry_after(Duration::ZERO)
///     .build();
/// let sandbox = Sandbox::start().await?;
/// sandbox.fail_next(Fault::status(500, "internal_server_error", "Internal Server Error"));
/// let session = NetworkSession::builder()
///     .base_urls(sandbox.base_urls())
///     .retry_strategy(strategy)
///     .build()?;
/// let auth = BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN);
/// let client = BoxClient::with_network_session(auth, session);
///
/// let me = client.users.get_user_me(Default::default(), Default::default(), None).await?;
///
/// assert_eq!(me.id, testing::ADMIN_USER_ID);
/// assert_eq!(sandbox.requests().len(), 2, "the 500 was retried");
/// # Ok(())
/// # }
/// ```
///
/// The builder starts from the defaults listed on [`BoxRetryStrategy`]; each setter
/// says its default.
#[derive(Debug, Clone)]
#[must_use]
pub struct BoxRetryStrategyBuilder {
    strategy: BoxRetryStrategy,
}

impl BoxRetryStrategyBuilder {
    /// The most attempts a call makes, the first included. The default is 5; 1
    /// turns retries off.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
    /// use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::network::NetworkSession;
    /// use box_sdk_gen::retries::BoxRetryStrategy;
    /// use box_sdk_gen::testing::{self, Fault, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let sandbox = Sandbox::start().await?;
    /// sandbox.fail_next(Fault::status(503, "unavailable", "Unavailable"));
    /// let session = NetworkSession::builder()
    ///     .base_urls(sandbox.base_urls())
    ///     .retry_strategy(BoxRetryStrategy::builder().max_attempts(1).build())
    ///     .build()?;
    /// let auth = BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN);
    /// let client = BoxClient::with_network_session(auth, session);
    ///
    /// let result = client.users.get_user_me(Default::default(), Default::default(), None).await;
    ///
    /// assert_eq!(result.unwrap_err().status(), Some(503));
    /// assert_eq!(sandbox.requests().len(), 1, "retries are off");
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.strategy.max_attempts = attempts.max(1);
        self
    }

    /// The most attempts a call makes while attempts fail with network errors or
    /// timeouts. The default is 3.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::network::NetworkSession;
    /// use box_sdk_gen::retries::BoxRetryStrategy;
    ///
    /// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// // Behind an unreliable link: give the network five tries, and Box the usual five.
    /// let strategy = BoxRetryStrategy::builder().max_network_attempts(5).build();
    /// let session = NetworkSession::builder().retry_strategy(strategy).build()?;
    /// # let _ = session;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// It counts against [`max_attempts`](Self::max_attempts) too: a call never makes
    /// more attempts than that.
    pub fn max_network_attempts(mut self, attempts: u32) -> Self {
        self.strategy.max_network_attempts = attempts.max(1);
        self
    }

    /// The base of the exponential backoff. The default is 1 second, which waits
    /// about 2, 4, 8 and 16 seconds before the second to fifth attempts.
    ///
    /// # Example
    /// ```
    /// use std::time::Duration;
    /// use box_sdk_gen::retries::BoxRetryStrategy;
    ///
    /// // Waits about 0.5, 1, 2 and 4 seconds (each between half and one and a half
    /// // times that) before the second to fifth attempts.
    /// let brisk = BoxRetryStrategy::builder()
    ///     .retry_base_interval(Duration::from_millis(250))
    ///     .build();
    /// # let _ = brisk;
    /// ```
    ///
    /// A `Retry-After` from Box wins over the backoff.
    pub fn retry_base_interval(mut self, interval: Duration) -> Self {
        self.strategy.retry_base_interval = interval;
        self
    }

    /// The longest wait before a retry, whether `Retry-After` asked for it or the
    /// backoff came to it; a longer one is cut to this. The default is 60 seconds.
    ///
    /// # Example
    /// ```
    /// use std::time::Duration;
    /// use box_sdk_gen::auth::BoxDeveloperTokenAuth;
    /// use box_sdk_gen::client::BoxClient;
    /// use box_sdk_gen::network::NetworkSession;
    /// use box_sdk_gen::retries::BoxRetryStrategy;
    /// use box_sdk_gen::testing::{self, Fault, Sandbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let sandbox = Sandbox::start().await?;
    /// sandbox.fail_next(Fault::too_many_requests(3600));
    /// let strategy = BoxRetryStrategy::builder().max_retry_after(Duration::ZERO).build();
    /// let session = NetworkSession::builder()
    ///     .base_urls(sandbox.base_urls())
    ///     .retry_strategy(strategy)
    ///     .build()?;
    /// let auth = BoxDeveloperTokenAuth::new(testing::DEVELOPER_TOKEN);
    /// let client = BoxClient::with_network_session(auth, session);
    ///
    /// // Box asks for an hour; the cap makes it no wait at all.
    /// client.users.get_user_me(Default::default(), Default::default(), None).await?;
    ///
    /// assert_eq!(sandbox.requests().len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.strategy.max_retry_after = max;
        self
    }

    /// The strategy.
    ///
    /// # Example
    /// ```
    /// use box_sdk_gen::network::NetworkSession;
    /// use box_sdk_gen::retries::BoxRetryStrategy;
    ///
    /// # fn main() -> Result<(), box_sdk_gen::errors::BoxError> {
    /// let strategy = BoxRetryStrategy::builder().max_attempts(3).build();
    /// let session = NetworkSession::builder().retry_strategy(strategy).build()?;
    /// # let _ = session;
    /// # Ok(())
    /// # }
    /// ```
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
