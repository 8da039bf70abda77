//! The windows counted in the process: the default backend, and the one a client falls back to
//! while Redis does not answer.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use optimly_api::Limit;
use optimly_api::limit::SlidingWindow;

use super::{Answer, Fill, Full, Key, PROBE_PATIENCE, Windows};
use crate::clock::ClientClock;

/// One limit's window: the completion times of its requests, those still running, and the
/// pause a 429 set on it.
#[derive(Debug, Default)]
struct Window {
    done: SlidingWindow,
    in_flight: u32,
    paused_until: Option<Instant>,
    /// The longest limit counted in it: how long a sweep keeps its requests.
    span: Duration,
}

/// Whether this client knows that the server has room: not at its start, nor after a pause
/// for a 429, until a request is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Probe {
    /// Not known: the next request goes first and alone.
    Unknown,
    /// One request went first; the others wait until it is answered or this instant passes.
    Probing(Instant),
    /// Known: requests go as the windows allow.
    Open,
}

#[derive(Debug)]
struct State {
    windows: HashMap<Key, Window>,
    probe: Probe,
    /// The count of windows at which the next sweep runs: twice what the last one kept, so a
    /// sweep's cost is spread over as many new windows as it scanned (O(1) each).
    sweep_at: usize,
}

/// Sweep empty windows (one per chat or caller ever counted) once there are at least this many.
pub(super) const SWEEP_AT: usize = 4096;

/// The windows of one client, in its memory.
#[derive(Debug)]
pub(crate) struct Local {
    state: Mutex<State>,
}

impl Local {
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State {
                windows: HashMap::new(),
                probe: Probe::Unknown,
                sweep_at: SWEEP_AT,
            }),
        }
    }

    /// The windows of a client that already knows the server has room.
    #[cfg(test)]
    pub(super) fn open() -> Self {
        let local = Self::new();
        local.state().probe = Probe::Open;
        local
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Take a slot in every window, or in none and say which frees last.
    pub(crate) fn take_at(&self, windows: &[(Key, Limit)], now: Instant) -> Result<(), Full> {
        let state = &mut *self.state();
        if state.windows.len() >= state.sweep_at {
            state.windows.retain(|_, w| {
                w.done.forget_before(now, w.span);
                w.in_flight > 0 || !w.done.is_empty() || w.paused_until.is_some_and(|p| p > now)
            });
            state.sweep_at = (state.windows.len() * 2).max(SWEEP_AT);
        }
        let mut worst: Option<Full> = None;
        for entry in windows {
            let (key, limit) = entry;
            let window = state.windows.entry(key.clone()).or_default();
            window.span = window.span.max(limit.window());
            let room = match window.paused_until {
                Some(until) if until > now => Err(Some(until - now)),
                _ => {
                    window.paused_until = None;
                    window
                        .done
                        .check(limit.count(), limit.window(), window.in_flight, now)
                }
            };
            if let Err(wait) = room {
                worst = Full::worse(worst, Full::new(entry, wait));
            }
        }
        if let Some(full) = worst {
            return Err(full);
        }
        match state.probe {
            Probe::Probing(until) if until > now => {
                if let Some(first) = windows.first() {
                    return Err(Full {
                        probe: true,
                        ..Full::new(first, Some(until - now))
                    });
                }
            }
            Probe::Unknown if !windows.is_empty() => {
                state.probe = Probe::Probing(now + PROBE_PATIENCE);
            }
            _ => {}
        }
        for (key, _) in windows {
            if let Some(window) = state.windows.get_mut(key) {
                window.in_flight += 1;
            }
        }
        Ok(())
    }

    /// Record an attempt's end at `at`; after a 429, how full each of its windows is.
    pub(crate) fn settle_at(
        &self,
        windows: &[(Key, Limit)],
        at: Instant,
        answer: Answer,
    ) -> Vec<Fill> {
        let state = &mut *self.state();
        let too_many = matches!(answer, Answer::TooMany { .. });
        let mut fills = Vec::new();
        for (key, limit) in windows {
            // A window with a request running is never swept; were it gone, it is empty.
            // Either way each window gets its fill, in order.
            let Some(window) = state.windows.get_mut(key) else {
                if too_many {
                    fills.push(Fill::default());
                }
                continue;
            };
            window.in_flight = window.in_flight.saturating_sub(1);
            window.done.record(at);
            if too_many {
                window.done.forget_before(at, limit.window());
                fills.push(Fill {
                    used: window.done.len() + window.in_flight as usize,
                    oldest: window
                        .done
                        .oldest()
                        .map(|o| at.saturating_duration_since(o)),
                });
            }
        }
        match answer {
            Answer::Answered => state.probe = Probe::Open,
            Answer::Unanswered if matches!(state.probe, Probe::Probing(_)) => {
                state.probe = Probe::Unknown;
            }
            _ => {}
        }
        fills
    }

    /// How many windows are kept.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.state().windows.len()
    }

    /// The count of windows at which the next sweep runs.
    #[cfg(test)]
    pub(super) fn sweep_at(&self) -> usize {
        self.state().sweep_at
    }

    /// Hold one window until `until`; the request after the pause goes first.
    pub(crate) fn pause_at(&self, key: &Key, until: Instant) {
        let state = &mut *self.state();
        if let Some(window) = state.windows.get_mut(key) {
            window.paused_until = Some(until);
        }
        state.probe = Probe::Unknown;
    }
}

impl Windows for Local {
    type Ticket = ();

    async fn take(
        &self,
        windows: &[(Key, Limit)],
        _lease: Duration,
        clock: &ClientClock,
    ) -> Result<Result<(), Full>, super::Unavailable> {
        Ok(self.take_at(windows, clock.now()))
    }

    async fn settle(
        &self,
        windows: &[(Key, Limit)],
        (): &(),
        answer: Answer,
        clock: &ClientClock,
    ) -> Result<Vec<Fill>, super::Unavailable> {
        Ok(self.settle_at(windows, clock.now(), answer))
    }

    async fn pause(
        &self,
        (key, _): &(Key, Limit),
        pause: Duration,
        clock: &ClientClock,
    ) -> Result<(), super::Unavailable> {
        self.pause_at(key, clock.now() + pause);
        Ok(())
    }
}
