//! Unit tests of [`super`].

use super::*;
use optimly_api::operations::{
    EMAIL_HANDOFF, LIST_CLIENT_CHATS, NEW_CHAT, NEW_MESSAGE, REQUEST_APPOINTMENT,
};

fn per_second(limit: u32) -> Limit {
    Limit::new(limit, Duration::from_secs(1), Scope::ApiKey)
}

type Taken = Vec<(Key, Limit)>;

use local::Local;

/// The windows of a client that already knows the server has room.
fn open() -> Local {
    Local::open()
}

fn try_take(
    state: &Local,
    limits: &RateLimits,
    op: &'static Operation,
    target: Target<'_>,
    now: Instant,
) -> Result<Taken, Full> {
    let windows: Taken = limits
        .applicable(op, target)
        .map(|(k, l)| (k, *l))
        .collect();
    state.take_at(&windows, now).map(|()| windows)
}

fn take(
    state: &Local,
    limits: &RateLimits,
    op: &'static Operation,
    chat: Option<&str>,
    now: Instant,
) -> Result<Taken, Full> {
    let target = Target {
        chat,
        form_type: None,
    };
    try_take(state, limits, op, target, now)
}

/// Settle as the limiter does: after a 429, pause the window it picks.
fn finish(state: &Local, taken: &Taken, at: Instant, answer: Answer) -> Option<Duration> {
    let fills = state.settle_at(taken, at, answer);
    let Answer::TooMany { retry_after, cap } = answer else {
        return None;
    };
    let (i, pause) = pause_after_429(taken, &fills, retry_after, cap)?;
    state.pause_at(&taken[i].0, at + pause);
    Some(pause)
}

#[test]
fn the_documented_limits_come_from_the_spec() {
    let limits = RateLimits::documented();
    // The table itself is checked against the spec in tests/tests/descriptions.rs.
    assert_eq!(limits.global(), operations::GLOBAL_LIMITS);
    assert_eq!(
        limits.operation(&NEW_MESSAGE)[0].to_string(),
        "120 per minute per chat"
    );
    assert_eq!(
        limits.operation(&EMAIL_HANDOFF)[0].to_string(),
        "10 per hour per API key"
    );
    assert_eq!(
        limits.action(&REQUEST_APPOINTMENT)[0].to_string(),
        "20 per hour per API key"
    );
    // Recorded in the spec, not enforced: the agent runs tools on its own.
    assert!(limits.action(&operations::TOOL_EXECUTION).is_empty());
    assert!(limits.operation(&LIST_CLIENT_CHATS).is_empty());
}

#[test]
fn scaling_multiplies_counts_and_windows() {
    let limits = RateLimits::documented().scaled(0.05, 1.0 / 60.0);
    assert_eq!(limits.global()[0].count(), 5);
    assert_eq!(limits.global()[0].window(), Duration::from_secs(1));
    assert_eq!(limits.operation(&EMAIL_HANDOFF)[0].count(), 1);
    assert_eq!(
        limits.operation(&EMAIL_HANDOFF)[0].window(),
        Duration::from_secs(60)
    );
    assert_eq!(limits.action(&REQUEST_APPOINTMENT)[0].count(), 1);
}

#[test]
fn a_full_window_frees_a_window_after_its_oldest_completion() {
    let limits = RateLimits::off().with_global(vec![per_second(2)]);
    let state = open();
    let t0 = Instant::now();
    let a = take(&state, &limits, &NEW_CHAT, None, t0).expect("first");
    let b = take(&state, &limits, &NEW_CHAT, None, t0).expect("second");
    // Both still running: only their release can free the window.
    assert_eq!(
        take(&state, &limits, &NEW_CHAT, None, t0),
        Err(Full {
            limit: per_second(2),
            wait: None,
            probe: false,
            caller: None,
        })
    );
    finish(
        &state,
        &a,
        t0 + Duration::from_millis(100),
        Answer::Answered,
    );
    finish(
        &state,
        &b,
        t0 + Duration::from_millis(300),
        Answer::Answered,
    );
    // Counted from the completions, not the starts.
    let wait = |state: &Local, ms| {
        take(
            state,
            &limits,
            &NEW_CHAT,
            None,
            t0 + Duration::from_millis(ms),
        )
        .map_err(|f| f.wait)
    };
    assert_eq!(
        wait(&state, 500).err(),
        Some(Some(Duration::from_millis(600)))
    );
    assert!(wait(&state, 1100).is_ok());
    assert_eq!(
        wait(&state, 1100).err(),
        Some(Some(Duration::from_millis(200)))
    );
}

#[test]
fn chat_scoped_limits_count_each_chat_apart() {
    let chat_limit = Limit::new(1, Duration::from_secs(60), Scope::Chat);
    let limits = RateLimits::off().with_operation(&NEW_MESSAGE, vec![chat_limit]);
    let state = open();
    let now = Instant::now();
    assert!(take(&state, &limits, &NEW_MESSAGE, Some("a"), now).is_ok());
    assert!(take(&state, &limits, &NEW_MESSAGE, Some("b"), now).is_ok());
    assert!(take(&state, &limits, &NEW_MESSAGE, Some("a"), now).is_err());
    // Other operations are not counted against it.
    assert!(take(&state, &limits, &NEW_CHAT, Some("a"), now).is_ok());
}

#[test]
fn appointment_requests_have_a_window_of_their_own() {
    let limits = RateLimits::off().with_action(
        &REQUEST_APPOINTMENT,
        vec![Limit::new(2, Duration::from_secs(3_600), Scope::ApiKey)],
    );
    let state = open();
    let now = Instant::now();
    let appointment = Target {
        chat: Some("a"),
        form_type: REQUEST_APPOINTMENT.form_type(),
    };
    for _ in 0..2 {
        assert!(try_take(&state, &limits, &NEW_MESSAGE, appointment, now).is_ok());
    }
    let held = try_take(&state, &limits, &NEW_MESSAGE, appointment, now);
    assert_eq!(held.map_err(|f| f.limit.count()).err(), Some(2));
    // A plain message, or a lead, performs no appointment.
    assert!(take(&state, &limits, &NEW_MESSAGE, Some("a"), now).is_ok());
    let lead = Target {
        chat: Some("a"),
        form_type: Some("lead_capture"),
    };
    assert!(try_take(&state, &limits, &NEW_MESSAGE, lead, now).is_ok());
}

#[test]
fn a_refused_request_takes_no_slot_anywhere() {
    let limits = RateLimits::off()
        .with_global(vec![per_second(5)])
        .with_operation(&NEW_CHAT, vec![per_second(1)]);
    let state = open();
    let now = Instant::now();
    assert!(take(&state, &limits, &NEW_CHAT, None, now).is_ok());
    for _ in 0..10 {
        assert!(take(&state, &limits, &NEW_CHAT, None, now).is_err());
    }
    // The 10 refusals left 4 global slots.
    for _ in 0..4 {
        assert!(take(&state, &limits, &LIST_CLIENT_CHATS, None, now).is_ok());
    }
    assert!(take(&state, &limits, &LIST_CLIENT_CHATS, None, now).is_err());
}

#[test]
fn idle_chat_windows_are_swept() {
    let chat_limit = Limit::new(1, Duration::from_secs(1), Scope::Chat);
    let limits = RateLimits::off().with_operation(&NEW_MESSAGE, vec![chat_limit]);
    let state = Local::open();
    let t0 = Instant::now();
    for i in 0..local::SWEEP_AT {
        let taken = take(&state, &limits, &NEW_MESSAGE, Some(&i.to_string()), t0).expect("room");
        finish(&state, &taken, t0, Answer::Answered);
    }
    assert_eq!(state.len(), local::SWEEP_AT);
    let later = t0 + Duration::from_secs(2);
    assert!(take(&state, &limits, &NEW_MESSAGE, Some("x"), later).is_ok());
    assert_eq!(state.len(), 1);
}

#[test]
fn a_new_client_sends_one_request_first() {
    let limits = RateLimits::off().with_global(vec![per_second(10)]);
    let state = Local::new();
    let t0 = Instant::now();
    let first = take(&state, &limits, &NEW_CHAT, None, t0).expect("the probe goes");
    let held = take(&state, &limits, &NEW_CHAT, None, t0);
    assert_eq!(
        held.map_err(|f| (f.wait, f.probe)).err(),
        Some((Some(PROBE_PATIENCE), true))
    );
    // Past the patience the others go anyway ...
    assert!(take(&state, &limits, &NEW_CHAT, None, t0 + PROBE_PATIENCE).is_ok());
    // ... and once the probe is answered, at once.
    let state = Local::new();
    let first_again = take(&state, &limits, &NEW_CHAT, None, t0).expect("probe");
    finish(&state, &first_again, t0, Answer::Answered);
    assert!(take(&state, &limits, &NEW_CHAT, None, t0).is_ok());
    drop(first);
}

#[test]
fn a_429_pauses_the_fullest_window_until_its_oldest_request_leaves() {
    let minute = Limit::new(10, Duration::from_secs(60), Scope::ApiKey);
    let hour = Limit::new(100, Duration::from_secs(3_600), Scope::ApiKey);
    let limits = RateLimits::off().with_global(vec![minute, hour]);
    let state = open();
    let t0 = Instant::now();
    let at = |s| t0 + Duration::from_secs(s);
    for s in [0, 10, 20] {
        let taken = take(&state, &limits, &NEW_CHAT, None, at(s)).expect("room");
        finish(&state, &taken, at(s), Answer::Answered);
    }
    let taken = take(&state, &limits, &NEW_CHAT, None, at(30)).expect("room");
    let too_many = Answer::TooMany {
        retry_after: None,
        cap: Duration::from_secs(120),
    };
    // The minute window is the fuller (4 of 10): its oldest request leaves at 60 s.
    assert_eq!(
        finish(&state, &taken, at(30), too_many),
        Some(Duration::from_secs(30))
    );
    let held = take(&state, &limits, &NEW_CHAT, None, at(45));
    assert_eq!(
        held.map_err(|f| f.wait).err(),
        Some(Some(Duration::from_secs(15)))
    );
    // When the pause ends, one request goes first.
    let probe = take(&state, &limits, &NEW_CHAT, None, at(60)).expect("probe");
    assert!(take(&state, &limits, &NEW_CHAT, None, at(60)).is_err());
    finish(&state, &probe, at(60), Answer::Answered);
    assert!(take(&state, &limits, &NEW_CHAT, None, at(60)).is_ok());
}

#[test]
fn a_429_with_nothing_known_waits_a_whole_window_and_retry_after_wins() {
    let minute = Limit::new(10, Duration::from_secs(60), Scope::ApiKey);
    let limits = RateLimits::off().with_global(vec![minute]);
    let t0 = Instant::now();
    let cap = Duration::from_secs(120);
    let state = open();
    let taken = take(&state, &limits, &NEW_CHAT, None, t0).expect("room");
    let pause = finish(
        &state,
        &taken,
        t0,
        Answer::TooMany {
            retry_after: None,
            cap,
        },
    );
    assert_eq!(pause, Some(Duration::from_secs(60)));
    let state = open();
    let taken = take(&state, &limits, &NEW_CHAT, None, t0).expect("room");
    let retry_after = Some(Duration::from_secs(7));
    assert_eq!(
        finish(&state, &taken, t0, Answer::TooMany { retry_after, cap }),
        Some(Duration::from_secs(7))
    );
    let state = open();
    let taken = take(&state, &limits, &NEW_CHAT, None, t0).expect("room");
    let cap = Duration::from_secs(5);
    assert_eq!(
        finish(
            &state,
            &taken,
            t0,
            Answer::TooMany {
                retry_after: None,
                cap
            }
        ),
        Some(cap),
        "never longer than the policy's cap"
    );
}

/// A caller's own window, as `RequestOptions::limit_as` adds it.
fn caller(name: &str, limit: Limit) -> (Key, Limit) {
    let owner = Whose::Caller(name.into());
    (
        Key {
            owner,
            chat: None,
            index: 0,
        },
        limit,
    )
}

#[test]
fn a_callers_window_is_counted_per_name_and_never_paused_by_a_429() {
    let key = RateLimits::off().with_global(vec![per_second(10)]);
    let state = open();
    let t0 = Instant::now();
    let with = |name: &str| {
        let mut windows: Taken = key
            .applicable(&NEW_CHAT, Target::NONE)
            .map(|(k, l)| (k, *l))
            .collect();
        windows.push(caller(name, per_second(1)));
        windows
    };
    let first = with("visitor:a");
    state.take_at(&first, t0).expect("room");
    // The same name is full; another name is not.
    let full = state.take_at(&with("visitor:a"), t0).expect_err("full");
    assert_eq!(
        (full.limit, full.caller.as_deref(), full.wait),
        (per_second(1), Some("visitor:a"), None)
    );
    let other = with("visitor:b");
    state.take_at(&other, t0).expect("room for another name");
    // The caller's window is the fuller (1 of 1, against 2 of 10), yet the 429 pauses the
    // key's window: only the server's windows are the server's.
    finish(&state, &other, t0, Answer::Answered);
    let fills = state.settle_at(
        &first,
        t0,
        Answer::TooMany {
            retry_after: None,
            cap: Duration::from_secs(60),
        },
    );
    assert_eq!(
        pause_after_429(
            &first,
            &fills,
            Some(Duration::from_secs(3)),
            Duration::from_secs(60)
        ),
        Some((0, Duration::from_secs(3)))
    );
}

#[test]
fn sweeps_are_spread_over_the_windows_they_scan() {
    let state = open();
    let t0 = Instant::now();
    // Every window still holds a request: a sweep keeps them all, and the next one waits
    // until there are twice as many.
    let hour = Limit::new(1, Duration::from_secs(3_600), Scope::ApiKey);
    for i in 0..local::SWEEP_AT {
        let windows = vec![caller(&i.to_string(), hour)];
        state.take_at(&windows, t0).expect("room");
        state.settle_at(&windows, t0, Answer::Answered);
    }
    state.take_at(&[caller("next", hour)], t0).expect("room");
    assert_eq!(state.sweep_at(), 2 * local::SWEEP_AT);
    assert_eq!(state.len(), local::SWEEP_AT + 1);
}
