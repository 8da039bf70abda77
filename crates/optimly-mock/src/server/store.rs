//! The mock's state: chats and their messages, what the automations captured, the request
//! log, and the [`Shared`] everything else reads.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard, PoisonError};

use optimly_api::operations::{self, OperationId};
use optimly_api::types;
use serde::Serialize;
use serde_json::Value;

use crate::limits::{Limiter, Limits};
use crate::spec::{RequestValidator, Spec};
use crate::{Faults, MockConfig};

use super::handlers::now;

/// The log keeps the last this many requests, so a long soak does not grow it without bound.
pub const REQUEST_LOG_CAPACITY: usize = 10_000;

/// One request to `/external/*`, as the log keeps it (never the key).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RequestRecord {
    /// Its number, from 1.
    pub n: u64,
    /// HTTP method.
    pub method: String,
    /// Path, without the query (which may hold the key).
    pub path: String,
    /// How the request presented a key: `bearer`, `header`, `query` or `none`.
    pub auth: &'static str,
    /// The status answered.
    pub status: u16,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Captured {
    pub leads: Vec<Value>,
    pub appointments: Vec<Value>,
    pub handoffs: Vec<Value>,
}

#[derive(Debug)]
pub(super) struct ChatRecord {
    pub(super) chat: types::Chat,
    pub(super) messages: Vec<types::Message>,
}

#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) chats: BTreeMap<String, ChatRecord>,
    pub(super) next_id: u64,
    pub(super) captured: Captured,
}

impl Store {
    /// Whether the chat exists; with `ad_hoc`, an unknown one is created first (its client
    /// unknown), so it always does.
    pub(super) fn knows(&mut self, chat_id: &str, ad_hoc: bool) -> bool {
        if ad_hoc && !self.chats.contains_key(chat_id) {
            let chat = types::Chat {
                chat_id: chat_id.to_owned(),
                agent_id: Some("agent_mock".into()),
                client_id: None,
                ai_enabled: Some(true),
                lead_collected: Some(false),
                status: Some(types::ChatStatus::Active),
                metadata: None,
                created_at: Some(now()),
                last_activity: None,
                message_count: None,
            };
            self.chats.insert(
                chat_id.to_owned(),
                ChatRecord {
                    chat,
                    messages: Vec::new(),
                },
            );
        }
        self.chats.contains_key(chat_id)
    }

    pub(super) fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{}", self.next_id)
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub(super) config: MockConfig,
    pub(super) spec: Spec,
    /// Each operation's request-body validator, compiled once at start-up.
    pub(super) validators: BTreeMap<OperationId, RequestValidator>,
    /// Each operation's success schema, whose unset optional fields are sent as `null`.
    pub(super) responses: BTreeMap<OperationId, Value>,
    pub(super) limits: Limits,
    pub(super) limiter: Mutex<Limiter>,
    pub(super) store: Mutex<Store>,
    pub(super) log: Mutex<VecDeque<RequestRecord>>,
    pub(super) counter: AtomicU64,
    pub(super) rng: Mutex<fastrand::Rng>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// The configuration it runs with.
    pub(crate) fn config(&self) -> &MockConfig {
        &self.config
    }

    pub(crate) fn new(config: MockConfig) -> Result<Self, String> {
        let spec = Spec::from_yaml(crate::SPEC)?;
        let mut validators = BTreeMap::new();
        let mut responses = BTreeMap::new();
        for op in operations::ALL {
            let described = spec
                .operations()
                .into_iter()
                .find(|o| o.id == op.name())
                .ok_or_else(|| format!("the embedded spec has no operation {op}"))?;
            if let Some(schema) = described.request_schema() {
                let validator = RequestValidator::new(&spec.json_schema(schema, false))?;
                validators.insert(op.id, validator);
            }
            if let Some(schema) = described.response_schema(&spec, 200) {
                responses.insert(op.id, schema.clone());
            }
        }
        let limits = Limits::documented(config.rate_limit_scale, config.rate_limit_window_scale);
        let rng = fastrand::Rng::with_seed(config.faults.seed);
        Ok(Self {
            config,
            spec,
            validators,
            responses,
            limits,
            limiter: Mutex::default(),
            store: Mutex::default(),
            log: Mutex::default(),
            counter: AtomicU64::new(0),
            rng: Mutex::new(rng),
        })
    }

    pub(crate) fn captured(&self) -> Captured {
        lock(&self.store).captured.clone()
    }

    pub(crate) fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.log).iter().cloned().collect()
    }

    pub(crate) fn message_count(&self, chat_id: &str) -> Option<usize> {
        lock(&self.store)
            .chats
            .get(chat_id)
            .map(|c| c.messages.len())
    }

    pub(super) fn faults(&self) -> &Faults {
        &self.config.faults
    }
}
