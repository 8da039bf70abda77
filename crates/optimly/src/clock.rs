//! Time: every wait (retry backoff, `Retry-After`, rate-limit capacity), every deadline and
//! every per-attempt timeout of a client goes through one clock.
//!
//! The default is tokio's time, so a test under `#[tokio::test(start_paused = true)]` runs the
//! limiter and retries in virtual time: a 30-second `Retry-After` takes no real time and no
//! CPU. While a request is on the wire under paused time, the client keeps tokio from jumping
//! the clock to the attempt's timeout (tokio would otherwise do so the moment the runtime is
//! idle waiting for the server), so a call to a real local server (the mock, httpmock) is not
//! timed out spuriously; a server that never answers is timed out after the attempt timeout
//! in real time.
//!
//! ```
//! use std::time::Duration;
//!
//! #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {}
//! # async fn example() {
//! let start = tokio::time::Instant::now();
//! tokio::time::sleep(Duration::from_secs(30)).await; // instant, in virtual time
//! assert!(start.elapsed() >= Duration::from_secs(30));
//! # }
//! ```
//!
//! A [`Clock`] of your own (a simulation, say) can be given to
//! [`ClientBuilder::clock`](crate::ClientBuilder::clock); its `sleep` then also bounds every
//! attempt.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// A boxed future returned by [`Clock::sleep`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A source of time for a client's waits, deadlines and timeouts.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Monotonic now, for deadlines and rate-limit windows.
    fn now(&self) -> Instant;
    /// Wall-clock now, for `Retry-After` given as an HTTP date.
    fn system_time(&self) -> SystemTime;
    /// Complete once `duration` has passed on this clock. Used for every wait, and raced
    /// against each attempt as its timeout.
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// tokio's time, virtual under `start_paused`: the default clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

impl TokioClock {
    /// How far tokio's clock is ahead of real time (negative: behind), zero unless paused.
    fn offset() -> (Instant, i128) {
        let tokio_now = tokio::time::Instant::now().into_std();
        let real_now = Instant::now();
        let ahead = if tokio_now >= real_now {
            i128::try_from(tokio_now.duration_since(real_now).as_nanos()).unwrap_or(i128::MAX)
        } else {
            -i128::try_from(real_now.duration_since(tokio_now).as_nanos()).unwrap_or(i128::MAX)
        };
        (tokio_now, ahead)
    }

    /// Whether tokio's clock is paused (virtual): it then stands apart from real time, or,
    /// where virtual time happens to have kept up with real time (a test's sleep as long as
    /// the real work around it), it stands still between two reads, as a running clock with
    /// nanosecond resolution never does. (Where a running clock reads the same twice, the
    /// client only takes the care paused time needs: correct, a little slower.)
    fn paused() -> bool {
        if Self::offset().1.unsigned_abs() > PAUSED_AT {
            return true;
        }
        tokio::time::Instant::now() == tokio::time::Instant::now()
    }
}

/// How far tokio's clock must stand from real time to be taken as paused, in nanoseconds.
const PAUSED_AT: u128 = 1_000_000;

/// A timeout that fired this much or less before its limit in real time was a real one.
const JUMP_TOLERANCE: Duration = Duration::from_millis(1);

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn system_time(&self) -> SystemTime {
        let (_, ahead) = Self::offset();
        let wall = SystemTime::now();
        let by = Duration::from_nanos(u64::try_from(ahead.unsigned_abs()).unwrap_or(u64::MAX));
        let moved = if ahead >= 0 {
            wall.checked_add(by)
        } else {
            wall.checked_sub(by)
        };
        moved.unwrap_or(wall)
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The clock of one client: tokio's, without boxing its timers, or one given by the user.
#[derive(Clone, Debug, Default)]
pub(crate) enum ClientClock {
    #[default]
    Tokio,
    Custom(Arc<dyn Clock>),
}

impl ClientClock {
    pub(crate) fn now(&self) -> Instant {
        match self {
            Self::Tokio => TokioClock.now(),
            Self::Custom(clock) => clock.now(),
        }
    }

    pub(crate) fn system_time(&self) -> SystemTime {
        match self {
            Self::Tokio => TokioClock.system_time(),
            Self::Custom(clock) => clock.system_time(),
        }
    }

    pub(crate) async fn sleep(&self, duration: Duration) {
        match self {
            Self::Tokio => tokio::time::sleep(duration).await,
            Self::Custom(clock) => clock.sleep(duration).await,
        }
    }

    /// Run the future `start` makes, for at most `limit` of this clock's time; `None` when the
    /// limit came first. The future is made inside, never moved in: a future stored before it
    /// is awaited takes its space twice in the caller's. Each arm awaits once, so the request
    /// is stored once in this future's state.
    pub(crate) async fn timeout<F: Future>(
        &self,
        limit: Duration,
        start: impl FnOnce() -> F,
    ) -> Option<F::Output> {
        match self {
            Self::Tokio => {
                let mut _held = TokioClock::paused().then(|| HoldVirtualTime::start(limit));
                let real_start = Instant::now();
                let request = start();
                tokio::pin!(request);
                let mut wait = limit;
                loop {
                    // `timeout`, not `select!`: it polls the request even when the task's
                    // cooperative budget is spent, where `select!` would yield first.
                    if let Ok(output) = tokio::time::timeout(wait, &mut request).await {
                        return Some(output);
                    }
                    // A paused clock can jump to the timeout before it is seen to be paused
                    // (in its first millisecond): the rest of the limit is then waited in
                    // real time.
                    wait = limit.saturating_sub(real_start.elapsed());
                    if wait <= JUMP_TOLERANCE {
                        return None;
                    }
                    _held = Some(HoldVirtualTime::start(wait));
                }
            }
            Self::Custom(clock) => {
                // A clock of the user's may sleep on tokio's time too: the same care applies.
                let mut _held = TokioClock::paused().then(|| HoldVirtualTime::start(limit));
                let real_start = Instant::now();
                let request = start();
                tokio::pin!(request);
                let mut wait = limit;
                loop {
                    tokio::select! {
                        biased;
                        output = &mut request => return Some(output),
                        () = clock.sleep(wait) => {}
                    }
                    // As above: a paused tokio clock that jumped before it was seen to be
                    // paused; a clock of another kind is taken at its word.
                    wait = limit.saturating_sub(real_start.elapsed());
                    if !TokioClock::paused() || wait <= JUMP_TOLERANCE {
                        return None;
                    }
                    _held = Some(HoldVirtualTime::start(wait));
                }
            }
        }
    }
}

/// Keeps a paused tokio clock from jumping ahead while it lives, for at most `limit` of real
/// time. tokio does not advance a paused clock while a blocking task runs, so one waits here
/// until this guard is dropped (the response came) or `limit` passes (the server is silent,
/// and the clock may then jump to the attempt's timeout).
struct HoldVirtualTime {
    _release: std::sync::mpsc::Sender<()>,
}

impl HoldVirtualTime {
    fn start(limit: Duration) -> Option<Self> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let (release, released) = std::sync::mpsc::channel::<()>();
        drop(runtime.spawn_blocking(move || {
            // Returns when the guard's sender is dropped, or after `limit`.
            let _ = released.recv_timeout(limit);
        }));
        Some(Self { _release: release })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn paused_time_is_virtual_and_detected() {
        let clock = ClientClock::Tokio;
        let start = clock.now();
        let wall = clock.system_time();
        clock.sleep(Duration::from_secs(30)).await;
        assert_eq!(clock.now() - start, Duration::from_secs(30));
        let moved = clock
            .system_time()
            .duration_since(wall)
            .expect("wall time moved forward");
        // Virtual 30 s, give or take the real nanoseconds between the clock reads.
        let off = moved.abs_diff(Duration::from_secs(30));
        assert!(off < Duration::from_millis(10), "{moved:?}");
        assert!(TokioClock::paused());
    }

    #[tokio::test]
    async fn real_time_is_not_taken_for_paused() {
        assert!(!TokioClock::paused());
        let clock = ClientClock::Tokio;
        assert_eq!(
            clock
                .timeout(Duration::from_millis(1), std::future::pending::<()>)
                .await,
            None
        );
        assert_eq!(
            clock.timeout(Duration::from_secs(5), || async { 7 }).await,
            Some(7)
        );
    }
}
