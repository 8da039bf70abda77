//! Time, injectable: the retry loop waits and measures deadlines through a [`Clock`], so tests
//! can run a whole retry sequence instantly with [`ManualClock`] and assert exact waits.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// A boxed future returned by [`Clock::sleep`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A source of time for retries and deadlines.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Monotonic now, for deadlines.
    fn now(&self) -> Instant;
    /// Wall-clock now, for `Retry-After` given as an HTTP date.
    fn system_time(&self) -> SystemTime;
    /// Wait for `duration`.
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// The real clock: `std` time and `tokio` timers.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn system_time(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock that only moves when slept on, and records every sleep. For tests.
///
/// ```
/// use std::time::Duration;
/// use optimly::clock::{Clock, ManualClock};
///
/// # tokio_test_block(async {
/// let clock = ManualClock::new();
/// let start = clock.now();
/// clock.sleep(Duration::from_secs(2)).await;
/// assert_eq!(clock.now() - start, Duration::from_secs(2));
/// assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock {
    start: Instant,
    start_system: SystemTime,
    state: Arc<Mutex<ManualState>>,
}

#[derive(Debug, Default)]
struct ManualState {
    elapsed: Duration,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A clock standing at the real current time.
    pub fn new() -> Self {
        Self::at(SystemTime::now())
    }

    /// A clock whose wall-clock time starts at `system_time`.
    pub fn at(system_time: SystemTime) -> Self {
        Self {
            start: Instant::now(),
            start_system: system_time,
            state: Arc::default(),
        }
    }

    /// Move the clock forward without recording a sleep.
    pub fn advance(&self, by: Duration) {
        self.lock().elapsed += by;
    }

    /// Every duration slept so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.lock().elapsed
    }

    fn system_time(&self) -> SystemTime {
        self.start_system + self.lock().elapsed
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        let mut state = self.lock();
        state.elapsed += duration;
        state.sleeps.push(duration);
        Box::pin(std::future::ready(()))
    }
}
