//! The exported `TalkChannelClient`: reads options, runs the retry loop, converts results.

use super::convert::{self, CallError};
use super::transport::{self, Signal};
use crate::api::relationship::{self, ChannelRelation, Target, UserChannelRelations};
use crate::core::error::{ApiError, ValidationError};
use crate::core::ids::{channel_ids, ChannelPublicId};
use crate::core::request::{
    bearer, normalize_base_url, Credentials, HttpRequest, DEFAULT_BASE_URL,
};
use crate::core::retry::{self, Failure};
use crate::core::schema::push_json_str;
use js_sys::{Function, Object, Promise, Reflect};
use std::fmt::Write as _;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

const DEFAULT_TIMEOUT_MS: u32 = 10_000;
const DEFAULT_MAX_RETRIES: u32 = 2;
/// `setTimeout` holds a signed 32-bit delay.
const MAX_TIMEOUT_MS: u32 = 2_147_483_647;
const MAX_RETRIES_LIMIT: u32 = 10;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Options of a {@link TalkChannelClient}. Keys never appear in errors or logs. */
export interface ClientOptions {
  /** Service app admin key, sent as `Authorization: KakaoAK <key>` (relationship calls). Server-side only. */
  adminKey?: string;
  /** REST API key, sent as `Authorization: KakaoAK <key>` (customer-file calls). */
  restApiKey?: string;
  /** Default `"https://kapi.kakao.com"`. http(s), no credentials, query or fragment. */
  baseUrl?: string;
  /** Default: `globalThis.fetch`, looked up at call time. */
  fetch?: typeof fetch;
  /** Per attempt, headers and body; default 10000. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 2. */
  maxRetries?: number;
  /** Allow secret keys where `window` and `document` exist. Default false: keys belong on servers. */
  dangerouslyAllowBrowser?: boolean;
}

/** Per-call options, the optional last argument of every method. */
export interface RequestOptions {
  /** Aborts the call at once, also during a retry's wait; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
}

/** A safe positive integer, a bigint, or a decimal string up to 2^63-1. */
export type UserIdInput = number | bigint | string;

/** Check the user behind an access token, or a user id with the admin key: exactly one. */
export type CheckChannelRelationshipParams =
  | { channelIds: string[]; accessToken: string; userId?: never }
  | { channelIds: string[]; userId: UserIdInput; accessToken?: never };

export interface CheckChannelRelationshipMultiParams {
  /** Any number of ids: split into calls of at most 200, answered in this order. */
  userIds: UserIdInput[];
  /** Default: every channel connected to the app. */
  channelIds?: string[];
}

/** One user's relation to each channel asked about. */
export interface UserChannelRelations {
  /** Decimal string: never rounded through a JS number. */
  userId: string;
  channels: ChannelRelation[];
}

export interface ChannelRelation {
  channelPublicId: string;
  channelUuid: string;
  /** Unknown future values pass through as strings. */
  relation: "ADDED" | "BLOCKED" | "NONE" | (string & {});
  /** When the channel was added (ADDED only). */
  createdAt: Date | null;
  /** When the relation last changed (ADDED or BLOCKED). */
  updatedAt: Date | null;
}

export interface MultiRelations {
  /** In the order the ids were given (each id once). */
  users: UserChannelRelations[];
  /** Asked for, but absent from Kakao's answer (Kakao omits users it could not check). */
  unresolvedUserIds: string[];
}
"#;

pub(super) struct Inner {
    pub(super) credentials: Credentials,
    base_url: String,
    fetch: Option<Function>,
    timeout_ms: u32,
    max_retries: u32,
}

/// Per-call settings after `RequestOptions`.
pub(super) struct Call {
    signal: Option<Signal>,
    timeout_ms: u32,
    max_retries: u32,
}

/// Kakao Talk Channel REST API client.
///
/// ```ts
/// const kakao = new TalkChannelClient({ adminKey: process.env.KAKAO_ADMIN_KEY });
/// const { channels } = await kakao.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234" });
/// ```
#[wasm_bindgen]
pub struct TalkChannelClient {
    pub(super) inner: Rc<Inner>,
}

const CLIENT_OPTIONS: &[&str] = &[
    "adminKey",
    "restApiKey",
    "baseUrl",
    "fetch",
    "timeoutMs",
    "maxRetries",
    "dangerouslyAllowBrowser",
];

fn in_browser() -> bool {
    let g = js_sys::global();
    let has = |k: &str| {
        Reflect::get(&g, &JsValue::from_str(k))
            .map(|v| !v.is_undefined() && !v.is_null())
            .unwrap_or(false)
    };
    has("window") && has("document")
}

fn parse_options(options: &JsValue) -> Result<Inner, ValidationError> {
    let Some(o) = convert::object_with_keys(options, "", CLIENT_OPTIONS, true)? else {
        return Ok(Inner {
            credentials: Credentials::default(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            fetch: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            max_retries: DEFAULT_MAX_RETRIES,
        });
    };
    let admin_key = convert::opt_string(&o, "adminKey", "adminKey")?;
    let rest_api_key = convert::opt_string(&o, "restApiKey", "restApiKey")?;
    let credentials = Credentials::new(admin_key, rest_api_key)?;
    let allow_browser = convert::get(&o, "dangerouslyAllowBrowser", "dangerouslyAllowBrowser")?;
    if !credentials.secrets().is_empty() && allow_browser.as_bool() != Some(true) && in_browser() {
        return Err(ValidationError::new(
            "dangerouslyAllowBrowser",
            "browser.secret_key",
            "admin and REST API keys belong on servers only (Kakao's rule); this looks like a browser. Pass dangerouslyAllowBrowser: true only if you know the page is private",
        ));
    }
    let base_url = match convert::opt_string(&o, "baseUrl", "baseUrl")? {
        Some(u) => normalize_base_url(&u)?,
        None => DEFAULT_BASE_URL.to_owned(),
    };
    let fetch_v = convert::get(&o, "fetch", "fetch")?;
    let fetch = if fetch_v.is_undefined() {
        None
    } else {
        Some(fetch_v.dyn_into::<Function>().map_err(|_| {
            ValidationError::new(
                "fetch",
                "fetch.type",
                "must be a function like globalThis.fetch",
            )
        })?)
    };
    Ok(Inner {
        credentials,
        base_url,
        fetch,
        timeout_ms: convert::opt_int(
            &o,
            "timeoutMs",
            "timeoutMs",
            1,
            MAX_TIMEOUT_MS,
            "options.timeout_ms",
        )?
        .unwrap_or(DEFAULT_TIMEOUT_MS),
        max_retries: convert::opt_int(
            &o,
            "maxRetries",
            "maxRetries",
            0,
            MAX_RETRIES_LIMIT,
            "options.max_retries",
        )?
        .unwrap_or(DEFAULT_MAX_RETRIES),
    })
}

impl Inner {
    /// Every key this client holds, for redaction.
    pub(super) fn secrets(&self) -> Vec<String> {
        self.credentials
            .secrets()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    pub(super) fn call_options(&self, options: &JsValue) -> Result<Call, ValidationError> {
        let field = "options";
        let Some(o) = convert::object_with_keys(
            options,
            field,
            &["signal", "timeoutMs", "maxRetries"],
            true,
        )?
        else {
            return Ok(Call {
                signal: None,
                timeout_ms: self.timeout_ms,
                max_retries: self.max_retries,
            });
        };
        let signal_v = convert::get(&o, "signal", "options.signal")?;
        let signal = if signal_v.is_undefined() || signal_v.is_null() {
            None
        } else {
            Some(Signal::from_js(signal_v).ok_or_else(|| {
                ValidationError::new("options.signal", "options.signal", "must be an AbortSignal")
            })?)
        };
        Ok(Call {
            signal,
            timeout_ms: convert::opt_int(
                &o,
                "timeoutMs",
                "options.timeoutMs",
                1,
                MAX_TIMEOUT_MS,
                "options.timeout_ms",
            )?
            .unwrap_or(self.timeout_ms),
            max_retries: convert::opt_int(
                &o,
                "maxRetries",
                "options.maxRetries",
                0,
                MAX_RETRIES_LIMIT,
                "options.max_retries",
            )?
            .unwrap_or(self.max_retries),
        })
    }

    /// Sends `req` with retries; returns the 2xx body.
    pub(super) async fn execute(
        &self,
        req: &HttpRequest,
        call: &Call,
    ) -> Result<String, CallError> {
        let authorization = self.credentials.authorization(&req.auth)?;
        let fetch = transport::resolve_fetch(self.fetch.as_ref())?;
        let url = format!("{}{}", self.base_url, req.path_and_query);
        let exchange = transport::Exchange {
            url: &url,
            method: req.method.as_str(),
            authorization: &authorization,
            body: req.body.as_deref(),
        };
        let mut attempt: u32 = 0;
        loop {
            let outcome =
                transport::send_once(&fetch, &exchange, call.timeout_ms, call.signal.as_ref())
                    .await;
            let (failure, error, retry_after) = match outcome {
                Ok(resp) if (200..300).contains(&resp.status) => return Ok(resp.body),
                Ok(resp) => {
                    // Secrets Kakao may echo are redacted when the error reaches JS.
                    let err = ApiError::from_response(resp.status, &resp.body);
                    let failure = Failure::Api {
                        status: err.status,
                        retryable: err.retryable,
                    };
                    (failure, CallError::Api(err), resp.retry_after)
                }
                Err(transport::AttemptError::Aborted(reason)) => {
                    return Err(CallError::Aborted(reason))
                }
                Err(e) => {
                    let failure = match e {
                        transport::AttemptError::Timeout => Failure::Timeout,
                        _ => Failure::Network,
                    };
                    (failure, e.into_call_error(call.timeout_ms), None)
                }
            };
            if !retry::should_retry(req.idempotency, failure, attempt, call.max_retries) {
                return Err(error);
            }
            let wait = retry::delay_ms(
                attempt,
                retry_after.as_deref(),
                transport::now_ms(),
                transport::random(),
            );
            transport::sleep(wait, call.signal.as_ref()).await?;
            attempt = attempt.saturating_add(1);
        }
    }
}

#[wasm_bindgen(module = "/pkg-template/marshal.js")]
extern "C" {
    /// `JSON.parse`, then the epoch-millisecond dates as `Date`s: one crossing per result
    /// instead of two per field.
    #[wasm_bindgen(js_name = __userRelations)]
    fn user_relations(json: &str) -> JsValue;
    #[wasm_bindgen(js_name = __multiRelations)]
    fn multi_relations(json: &str) -> JsValue;
}

fn push_millis(out: &mut String, ms: Option<i64>) {
    match ms {
        Some(ms) => {
            let _ = write!(out, "{ms}");
        }
        None => out.push_str("null"),
    }
}

fn push_channel(out: &mut String, c: &ChannelRelation) {
    out.push_str("{\"channelPublicId\":");
    push_json_str(out, &c.channel_public_id);
    out.push_str(",\"channelUuid\":");
    push_json_str(out, &c.channel_uuid);
    out.push_str(",\"relation\":");
    push_json_str(out, &c.relation);
    out.push_str(",\"createdAt\":");
    push_millis(out, c.created_at);
    out.push_str(",\"updatedAt\":");
    push_millis(out, c.updated_at);
    out.push('}');
}

fn push_user(out: &mut String, u: &UserChannelRelations) {
    out.push_str("{\"userId\":");
    push_json_str(out, &u.user_id);
    out.push_str(",\"channels\":[");
    for (i, c) in u.channels.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_channel(out, c);
    }
    out.push_str("]}");
}

fn user_to_js(u: &UserChannelRelations) -> JsValue {
    let mut json = String::with_capacity(u.channels.len().saturating_mul(160).saturating_add(48));
    push_user(&mut json, u);
    user_relations(&json)
}

fn multi_to_js(users: &[UserChannelRelations], unresolved: &[String]) -> JsValue {
    let mut json = String::with_capacity(users.len().saturating_mul(200).saturating_add(48));
    json.push_str("{\"users\":[");
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        push_user(&mut json, u);
    }
    json.push_str("],\"unresolvedUserIds\":[");
    for (i, id) in unresolved.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        push_json_str(&mut json, id);
    }
    json.push_str("]}");
    multi_relations(&json)
}

fn channel_list(params: &JsValue, field: &str) -> Result<Vec<ChannelPublicId>, ValidationError> {
    let v = convert::get(params, "channelIds", field)?;
    if v.is_undefined() {
        return Err(ValidationError::new(
            field,
            "params.required",
            "is required",
        ));
    }
    channel_ids(&convert::string_array(&v, field)?, field)
}

/// Runs `work` as a Promise, turning `CallError` into the JS error classes.
/// with `secrets` redacted from every string.
pub(super) fn spawn<F>(secrets: Vec<String>, work: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, CallError>> + 'static,
{
    future_to_promise(async move { work.await.map_err(|e| e.into_js(&secrets)) })
}

#[wasm_bindgen]
impl TalkChannelClient {
    /// Creates a client. Throws `ValidationError` for a malformed option (a key with a newline,
    /// a `baseUrl` with credentials, an unknown option name) or a secret key in a browser.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: Option<Object>,
    ) -> Result<TalkChannelClient, JsValue> {
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let inner = parse_options(&options).map_err(|e| {
            // Redact whatever key strings were given, even ones that failed their checks.
            let secrets: Vec<String> = ["adminKey", "restApiKey"]
                .iter()
                .filter_map(|k| Reflect::get(&options, &JsValue::from_str(k)).ok())
                .filter_map(|v| v.as_string())
                .collect();
            CallError::Validation(e).into_js(&secrets)
        })?;
        Ok(TalkChannelClient {
            inner: Rc::new(inner),
        })
    }

    /// Checks whether one user added or blocked the given channels
    /// (`GET /v2/api/talk/channels`). Pass `accessToken` (the user's own token, `Bearer`) or
    /// `userId` (with the client's `adminKey`), not both.
    ///
    /// @example
    /// ```ts
    /// const r = await kakao.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: "1234567890" });
    /// if (r.channels[0]?.relation === "ADDED") console.log("friend since", r.channels[0].createdAt);
    /// ```
    #[wasm_bindgen(js_name = checkChannelRelationship, unchecked_return_type = "Promise<UserChannelRelations>")]
    pub fn check_channel_relationship(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CheckChannelRelationshipParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<Object>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        let mut secrets = inner.secrets();
        if let Some(token) = Reflect::get(&params, &"accessToken".into())
            .ok()
            .and_then(|t| t.as_string())
        {
            secrets.push(token);
        }
        spawn(secrets, async move {
            let (req, call) = {
                let p = convert::object_with_keys(
                    &params,
                    "params",
                    &["channelIds", "accessToken", "userId"],
                    false,
                )?
                .unwrap_or_default();
                let channels = channel_list(&p, "channelIds")?;
                let token = convert::opt_string(&p, "accessToken", "accessToken")?;
                let user = convert::get(&p, "userId", "userId")?;
                let target = match (token, user.is_undefined()) {
                    (Some(_), false) => {
                        return Err(ValidationError::new(
                            "params",
                            "params.exclusive",
                            "pass either accessToken or userId, not both",
                        )
                        .into())
                    }
                    (Some(t), true) => Target::Token(bearer(&t)?),
                    (None, false) => Target::User(convert::user_id(&user, "userId")?),
                    (None, true) => {
                        return Err(ValidationError::new(
                            "params",
                            "params.required",
                            "pass accessToken (the user's token) or userId (with adminKey)",
                        )
                        .into())
                    }
                };
                (
                    relationship::check_request(&channels, target),
                    inner.call_options(&options)?,
                )
            };
            let body = inner.execute(&req, &call).await?;
            Ok(user_to_js(&relationship::parse_check(&body)?))
        })
    }

    /// Checks many users at once with the admin key (`GET /v2/api/talk/channels/multi`).
    /// More than 200 ids are split into calls of at most 200; users come back in the order
    /// given, and ids Kakao left out of its answer are listed in `unresolvedUserIds`.
    ///
    /// @example
    /// ```ts
    /// const { users, unresolvedUserIds } = await kakao.checkChannelRelationshipMulti({
    ///   userIds: ["1001", 1002n, 1003], channelIds: ["_ZeUTxl"],
    /// });
    /// ```
    #[wasm_bindgen(js_name = checkChannelRelationshipMulti, unchecked_return_type = "Promise<MultiRelations>")]
    pub fn check_channel_relationship_multi(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CheckChannelRelationshipMultiParams")]
        params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<Object>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        spawn(inner.secrets(), async move {
            let p =
                convert::object_with_keys(&params, "params", &["userIds", "channelIds"], false)?
                    .unwrap_or_default();
            let ids_v = convert::get(&p, "userIds", "userIds")?;
            if ids_v.is_undefined() {
                return Err(
                    ValidationError::new("userIds", "params.required", "is required").into(),
                );
            }
            let asked = relationship::dedupe(&convert::user_ids(&ids_v, "userIds")?);
            let channels = if convert::get(&p, "channelIds", "channelIds")?.is_undefined() {
                None
            } else {
                Some(channel_list(&p, "channelIds")?)
            };
            let call = inner.call_options(&options)?;
            // Fail fast on a missing admin key before the first chunk.
            inner
                .credentials
                .authorization(&crate::core::request::Auth::AdminKey)?;
            let mut answers = Vec::with_capacity(asked.len());
            for chunk in asked.chunks(relationship::MULTI_CHUNK) {
                let req = relationship::multi_request(chunk, channels.as_deref());
                let body = inner.execute(&req, &call).await?;
                answers.extend(relationship::parse_multi(&body)?);
            }
            let merged = relationship::merge_multi(&asked, answers)?;
            Ok(multi_to_js(&merged.users, &merged.unresolved_user_ids))
        })
    }
}
