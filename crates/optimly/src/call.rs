//! The one path every call takes: span, attempts, per-attempt and whole-operation limits,
//! retry decisions, and the mapping of failures into [`Error`].

use std::future::Future;
use std::time::Duration;

use optimly_api::{Request, types};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::OptimlyClient;
use crate::error::{CallContext, Error, ErrorKind, FieldIssue, from_api};
use crate::rate_limit::{Answer, Held, Target, WhenLimited};
use crate::retry::{Attempt, Decision, RetryPolicy};
use optimly_api::Limit;

/// Per-call settings that override the client's, set with builder methods (one way to pass
/// each), so new knobs never break callers.
///
/// ```
/// use std::time::Duration;
/// use optimly::RequestOptions;
///
/// let options = RequestOptions::new()
///     .retry_non_idempotent(true)
///     .timeout(Duration::from_secs(30));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Re-send this POST even after the server may have acted on it.
    pub(crate) retry_non_idempotent: Option<bool>,
    /// The whole-operation deadline for this call.
    pub(crate) timeout: Option<Duration>,
    /// The retry policy for this call.
    pub(crate) retry: Option<RetryPolicy>,
    /// What this call does when a limit is full, instead of the client's.
    pub(crate) when_limited: Option<WhenLimited>,
    /// Limits of the caller's own, each counted under its name.
    pub(crate) caller_limits: Vec<(String, Vec<Limit>)>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opt in (or out) of re-sending this POST after the server may have acted on it.
    pub fn retry_non_idempotent(mut self, allow: bool) -> Self {
        self.retry_non_idempotent = Some(allow);
        self
    }

    /// Bound the whole call, retries included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Use this retry policy for the call.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Wait for room or fail fast when a limit is full, for this call only (the client's
    /// choice is [`RateLimits::with_when_limited`](crate::RateLimits::with_when_limited)).
    pub fn when_limited(mut self, when: WhenLimited) -> Self {
        self.when_limited = Some(when);
        self
    }

    /// Count this call's attempts in windows of the caller's own as well, named `name` (a
    /// visitor, a client address): each attempt takes a slot in every one of `limits` for
    /// that name beside the key's, in the same place as the key's (the process, or Redis with
    /// `RedisLimits` (feature `redis`), so every replica shares them). When one is full the
    /// call waits or fails like for the key's own, with
    /// [`ErrorKind::HeldByLimiter`](crate::ErrorKind::HeldByLimiter) naming it. A limit's
    /// [scope](Limit::scope) is not used: the name says whose the windows are. A 429 from the
    /// server never pauses these windows: they are not the server's.
    ///
    /// ```
    /// use std::time::Duration;
    /// use optimly::{Limit, RequestOptions, Scope, WhenLimited};
    ///
    /// // Each visitor of a site: at most 20 calls a minute, failing fast.
    /// let per_visitor = Limit::new(20, Duration::from_secs(60), Scope::ApiKey);
    /// let options = RequestOptions::new()
    ///     .limit_as("visitor:web_3f2a", [per_visitor])
    ///     .when_limited(WhenLimited::FailFast);
    /// ```
    pub fn limit_as(
        mut self,
        name: impl Into<String>,
        limits: impl IntoIterator<Item = Limit>,
    ) -> Self {
        let limits: Vec<Limit> = limits.into_iter().collect();
        if !limits.is_empty() {
            self.caller_limits.push((name.into(), limits));
        }
        self
    }
}

/// `gen_ai.provider.name` of the GenAI attributes.
const GEN_AI_PROVIDER: &str = "optimly";

/// What a successful answer adds to the call span's GenAI attributes: the agent that answered
/// (`gen_ai.agent.id`) and the tokens it used (`gen_ai.usage.output_tokens`), when sent.
pub(crate) trait GenAiReply {
    /// Record them on `span`; most answers have none.
    fn record_gen_ai(&self, _span: &tracing::Span) {}
}

impl GenAiReply for types::AgentReply {
    fn record_gen_ai(&self, span: &tracing::Span) {
        if let Some(agent) = self.agent_id.as_deref() {
            span.record("gen_ai.agent.id", agent);
        }
        if let Some(tokens) = self.metadata.as_ref().and_then(|m| m.tokens_used) {
            span.record("gen_ai.usage.output_tokens", tokens);
        }
    }
}

impl GenAiReply for types::Message {}
impl GenAiReply for types::Chat {}
impl GenAiReply for types::EmailHandoff {}
impl<T: GenAiReply> GenAiReply for Vec<T> {}

impl OptimlyClient {
    /// Run one operation. `build` makes the generated request builder for one attempt; its
    /// [`Request`] impl says which operation it is, and so its retry safety and rate limits.
    /// `problems` are what local validation found: when there are any, nothing is sent.
    /// `target` is what the request is about (its chat, the action it performs), for the
    /// limits counted per chat and per action.
    ///
    /// A plain function returning the instrumented future, not an `async fn`: every layer of
    /// `async` around the request's own future makes the future users box and move bigger.
    pub(crate) fn call<'c, R, F>(
        &'c self,
        target: Target<'c>,
        problems: Vec<FieldIssue>,
        options: &'c RequestOptions,
        build: F,
    ) -> impl Future<Output = Result<R::Output, Error>> + 'c
    where
        R: Request + 'c,
        R::Output: GenAiReply,
        F: Fn(&'c optimly_api::Client) -> R + 'c,
    {
        // OpenTelemetry's HTTP client conventions, so an exporter such as
        // tracing-opentelemetry shows the call like any other HTTP client's; `url.full` is
        // recorded by `optimly_api`'s request hook, without its query (where the key goes
        // with `access_token_query`). Never a secret.
        let operation = R::OPERATION;
        // And OpenTelemetry's GenAI conventions where the call is one (an agent call, a chat
        // turn): what LLM-observability tools group by. No message content, ever.
        let gen_ai = operation.gen_ai;
        let span = tracing::info_span!(
            "optimly.call",
            otel.name = %format_args!("{} {}", operation.method, operation.path),
            otel.kind = "client",
            otel.status_code = tracing::field::Empty,
            optimly.operation = operation.name(),
            http.request.method = operation.method.as_str(),
            server.address = self.inner.server.address.as_str(),
            server.port = self.inner.server.port,
            url.template = operation.path,
            url.full = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
            http.response.status_code = tracing::field::Empty,
            error.type = tracing::field::Empty,
            optimly.latency_ms = tracing::field::Empty,
            gen_ai.operation.name = gen_ai,
            gen_ai.provider.name = gen_ai.map(|_| GEN_AI_PROVIDER),
            gen_ai.conversation.id = gen_ai.and(target.chat),
            gen_ai.agent.id = tracing::field::Empty,
            gen_ai.usage.output_tokens = tracing::field::Empty,
        );
        self.attempts(target, problems, options, build, span.clone())
            .instrument(span)
    }

    /// The attempts of one call. Every failure leaves here marked with the operation and the
    /// number of attempts sent: the one place a call's context is set.
    async fn attempts<'c, R, F>(
        &'c self,
        target: Target<'_>,
        problems: Vec<FieldIssue>,
        options: &RequestOptions,
        build: F,
        span: tracing::Span,
    ) -> Result<R::Output, Error>
    where
        R: Request,
        R::Output: GenAiReply,
        F: Fn(&'c optimly_api::Client) -> R,
    {
        // Every failure leaves through here: marked with the call's context, and on the span.
        let fail = |error: Error, sent: u32| -> Result<R::Output, Error> {
            let error = error.ended(R::OPERATION, sent);
            if !span.is_disabled() {
                span.record("otel.status_code", "ERROR");
                match error.status() {
                    Some(status) => span.record("error.type", tracing::field::display(status)),
                    None => span.record("error.type", error.kind().code()),
                };
            }
            Err(error)
        };
        if !problems.is_empty() {
            return fail(Error::refused_locally(problems), 0);
        }
        let inner = &self.inner;
        let clock = &inner.clock;
        let policy = options.retry.as_ref().unwrap_or(&inner.retry);
        let resend_allowed = R::OPERATION.retry_safe
            || options
                .retry_non_idempotent
                .unwrap_or(inner.retry_non_idempotent);
        // The clock is read as little as a correct deadline allows: once per call, again
        // only after time was spent waiting (for a slot, or before a retry).
        let mut now = clock.now();
        let deadline = options
            .timeout
            .or(inner.operation_timeout)
            // A deadline too far away to represent is no deadline.
            .and_then(|limit| now.checked_add(limit));
        let remaining = || deadline.map(|d| d.saturating_duration_since(clock.now()));

        // A slot in a shared window is leased for as long as an attempt may run.
        let lease = inner
            .attempt_timeout
            .or(options.timeout.or(inner.operation_timeout))
            .unwrap_or(Duration::from_secs(120));
        // The last 429, reported instead of the limiter's refusal when its pause outlasts
        // the deadline.
        let mut last_429: Option<Error> = None;
        let mut number = 0;
        loop {
            number += 1;
            if number > 1 {
                span.record("http.request.resend_count", number - 1);
            }
            // Every attempt is a request the server counts, so each one takes a slot.
            let permit = match inner
                .limiter
                .acquire(R::OPERATION, target, options, clock, deadline, lease)
                .await
            {
                Ok(permit) => permit,
                Err(held) => {
                    let error = match (held, last_429) {
                        (Held::Full(full), Some(error)) if full.caller.is_none() => error,
                        (Held::Full(full), _) => {
                            Error::held_by_limiter(full.limit, full.caller, full.wait)
                        }
                        (Held::Unavailable(why), _) => Error::limiter_unavailable(why),
                    };
                    return fail(error, number - 1);
                }
            };
            if permit.waited() {
                now = clock.now();
            }
            let started = now;
            let limit = match (
                inner.attempt_timeout,
                deadline.map(|d| d.saturating_duration_since(started)),
            ) {
                (Some(a), Some(r)) => Some(a.min(r)),
                (a, r) => a.or(r),
            };
            let outcome = match limit {
                Some(limit) => clock.timeout(limit, || build(&inner.api).send()).await,
                None => Some(build(&inner.api).send().await),
            };
            let result = match outcome {
                Some(Ok(value)) => Ok(value.into_inner()),
                // Boxed: mapping a failure reads its body, which takes more future state
                // than the request itself; every successful call would carry (and move) it.
                Some(Err(e)) => Box::pin(self.failure(e)).await,
                // The request may already have reached the server.
                None => Err(Error::timed_out(limit.unwrap_or_default())),
            };
            let answer = match &result {
                Ok(_) => Answer::Answered,
                Err(e) if *e.kind() == ErrorKind::RateLimitedByServer => Answer::TooMany {
                    retry_after: e.retry_after(),
                    cap: policy.max_retry_after(),
                },
                Err(e) if e.status().is_some() => Answer::Answered,
                Err(_) => Answer::Unanswered,
            };
            // After a 429 every caller now waits for the pause; this call reports it.
            let paused = permit.settle(answer).await;
            let result = match paused {
                Some(pause) => result.map_err(|e| e.with_retry_after(pause)),
                None => result,
            };
            let latency_ms = || {
                let took = clock.now().saturating_duration_since(started);
                u64::try_from(took.as_millis()).unwrap_or(u64::MAX)
            };
            if !span.is_disabled() {
                span.record("optimly.latency_ms", latency_ms());
                let status = match &result {
                    Ok(_) => Some(200),
                    Err(e) => e.status(),
                };
                if let Some(status) = status {
                    span.record("http.response.status_code", status);
                }
            }
            let err = match result {
                Ok(value) => {
                    if R::OPERATION.gen_ai.is_some() && !span.is_disabled() {
                        value.record_gen_ai(&span);
                    }
                    tracing::debug!(
                        attempt = number,
                        status = 200,
                        latency_ms = latency_ms(),
                        "call succeeded"
                    );
                    return Ok(value);
                }
                Err(err) => err,
            };
            let Some(outcome) = err.retry_outcome() else {
                return fail(err, number);
            };
            let attempt = Attempt::new(number, resend_allowed, remaining());
            match policy.decide(attempt, outcome, fastrand::f64()) {
                Decision::Stop => {
                    tracing::debug!(attempt = number, error = %err, "giving up");
                    return fail(err, number);
                }
                Decision::RetryAfter(wait) => {
                    tracing::info!(
                        attempt = number,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        error = %err,
                        "retrying"
                    );
                    if paused.is_some() {
                        // The limiter holds the retry (and every other caller) for the pause;
                        // `fail` marks this 429 with the call's context if it is reported.
                        last_429 = Some(err);
                    } else {
                        clock.sleep(wait).await;
                    }
                    now = clock.now();
                }
            }
        }
    }

    /// A failed attempt's error, mapped.
    async fn failure<T: DeserializeOwned>(
        &self,
        error: optimly_api::Error<types::ApiErrorBody>,
    ) -> Result<T, Error> {
        let cx = CallContext {
            redactor: &self.inner.redactor,
            now: self.inner.clock.system_time(),
        };
        from_api(error, &cx).await
    }
}

/// Let a request builder be awaited directly: `client.history(id).await` runs `send()`.
/// Stable Rust cannot name `send()`'s future, so this boxes it: one heap allocation of the
/// call's state (about 1.8 KB for a GET) per call, which `.send().await` does not make.
macro_rules! into_future {
    ($builder:ident<$lt:lifetime> => $output:ty) => {
        impl<$lt> ::std::future::IntoFuture for $builder<$lt> {
            type Output = ::std::result::Result<$output, $crate::Error>;
            type IntoFuture =
                ::std::pin::Pin<Box<dyn ::std::future::Future<Output = Self::Output> + Send + $lt>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;

/// The methods every request builder shares: metadata (when the body has it) and options.
macro_rules! builder_methods {
    (metadata) => {
        $crate::call::builder_methods!(metadata in body.metadata);
    };
    // `$field`: where the builder keeps the metadata, an `Option<types::Metadata>`.
    (metadata in $($field:ident).+) => {
        /// Replace the request's metadata.
        pub fn metadata(mut self, metadata: $crate::Metadata) -> Self {
            self.$($field).+ = Some(::optimly_api::types::Metadata(metadata));
            self
        }

        /// Add one metadata entry (`source`, `campaign`, ...).
        pub fn meta(
            mut self,
            key: impl Into<String>,
            value: impl Into<::serde_json::Value>,
        ) -> Self {
            $crate::insert_meta(&mut self.$($field).+, key.into(), value.into());
            self
        }

        $crate::call::builder_methods!();
    };
    () => {
        /// Per-call settings (deadline, retry policy, re-sending a POST).
        pub fn options(mut self, options: $crate::RequestOptions) -> Self {
            self.options = options;
            self
        }
    };
}
pub(crate) use builder_methods;
