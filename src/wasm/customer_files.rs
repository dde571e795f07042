//! The customer-file methods of `TalkChannelClient`, and the batch runner behind add/delete.

use super::client::{spawn, Inner, TalkChannelClient};
use super::convert::{self, CallError, Obj};
use crate::api::customer_files::{self as cf, UserType};
use crate::core::error::ValidationError;
use crate::core::ids::{file_id, file_name, ChannelPublicId};
use crate::core::request::{Auth, HttpRequest};
use crate::core::schema::Schema;
use js_sys::{Array, Object, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Keys: Kakao's supported Korean keys (생년월일, 국가, 지역, 성별, 연령, 구매금액, 포인트, 가입일, 최근 구매일, 응모일) or their English aliases (camelCase or snake_case), either type; any other key is custom and must be "number". */
export type CustomerFileSchema = Record<string, "string" | "number">;

export interface RegisterCustomerFileParams {
  channelPublicId: string;
  fileName: string;
  /** 1 to 30 entries. 앱유저아이디 and 전화번호 are never allowed. */
  schema: CustomerFileSchema;
}

export interface ListCustomerFilesParams {
  channelPublicId: string;
}

export interface CustomerFileList {
  files: CustomerFile[];
  emptySlot: number;
  usingSlot: number;
}

export interface CustomerFile {
  fileId: number;
  fileName: string;
  /** Lower-cased (Kakao sends "USING"); unknown values pass through. */
  status: "using" | "deleting" | "failed" | (string & {});
  /** Kakao's `update_at` ("YYYY-MM-DD HH:MM:SS", read as KST). */
  updatedAt: Date | null;
  /** Keys in canonical Korean form. */
  schema: CustomerFileSchema;
}

/** One user to add: `id` is a service user id (`userType: "app"`) or a phone number string (`"phone"`). */
export interface CustomerFileUser {
  id: string | number | bigint;
  /** Keys go through the schema's alias mapping; a custom key's value must be a number. */
  fields?: Record<string, string | number>;
}

export interface AddCustomerFileUsersParams {
  fileId: number;
  channelPublicId: string;
  userType: "app" | "phone";
  /** Any number: sent in calls of at most 2,000, in order. Each id at most once. */
  users: CustomerFileUser[];
  /** The file's schema: when given, every field key must be in it with its declared type. */
  schema?: CustomerFileSchema;
}

export interface DeleteCustomerFileUsersParams {
  fileId: number;
  channelPublicId: string;
  userType: "app" | "phone";
  /** Any number: sent in calls of at most 2,000, in order. */
  userIds: (string | number | bigint)[];
}

/** One call of a split add or delete. */
export interface BatchResult {
  /** 0-based position of the batch. */
  index: number;
  /** Users sent in this batch. */
  userCount: number;
  /** Kakao's `request_count` (add only). */
  requestCount?: number;
  /** Kakao's `success_count` (add only): users who have added the channel. */
  successCount?: number;
}

export interface AddUsersResult {
  fileId: number;
  requestCount: number;
  /** Only users who have added the channel are counted (and added) by Kakao. */
  successCount: number;
  batches: BatchResult[];
}

export interface DeleteUsersResult {
  requestCount: number;
  batches: BatchResult[];
}

export interface ValidateCustomerFileUsersParams {
  userType: "app" | "phone";
  /** Any number, as for `addCustomerFileUsers`. An empty list has no errors. */
  users: CustomerFileUser[];
  /** The file's schema: when given, every field key must be in it with its declared type. */
  schema?: CustomerFileSchema;
}

/** The first rule one user breaks. */
export interface CustomerFileUserError {
  /** 0-based position in `users`. */
  index: number;
  /** Path of the offending value, e.g. `users[17].fields.연령`. */
  field: string;
  /** Stable rule id, as `ValidationError.rule` (e.g. `fields.type_mismatch`, `users.duplicate_id`). */
  rule: string;
  message: string;
  /** For `users.duplicate_id`: the position of the first user with the same id. */
  duplicateOf?: number;
}

export interface ValidateCustomerFileUsersResult {
  /** One entry per bad user, in order; empty when every user would be accepted. */
  errors: CustomerFileUserError[];
}
"#;

fn channel(p: &JsValue) -> Result<ChannelPublicId, ValidationError> {
    ChannelPublicId::parse(
        &convert::req_string(p, "channelPublicId")?,
        "channelPublicId",
    )
}

fn schema(v: &JsValue, field: &str) -> Result<Schema, ValidationError> {
    let pairs = convert::schema_pairs(v, field)?;
    Schema::parse(pairs.iter().map(|(k, t)| (k.as_str(), t.as_str())), field)
}

fn user_type(p: &JsValue) -> Result<UserType, ValidationError> {
    UserType::parse(
        convert::opt_string(p, "userType", "userType")?.as_deref(),
        "userType",
    )
}

/// `userType`, the optional `schema` and the `users` (typed, not yet validated) of an add call
/// or of `validateCustomerFileUsers`.
fn users_params(
    p: &JsValue,
) -> Result<(UserType, Option<Schema>, Vec<cf::RawUser>), ValidationError> {
    let ty = user_type(p)?;
    let schema_v = convert::get(p, "schema", "schema")?;
    let schema = if schema_v.is_undefined() {
        None
    } else {
        Some(schema(&schema_v, "schema")?)
    };
    let users_v = convert::get(p, "users", "users")?;
    if users_v.is_undefined() {
        return Err(ValidationError::new(
            "users",
            "params.required",
            "is required",
        ));
    }
    Ok((ty, schema, convert::raw_users(&users_v, "users")?))
}

/// One batch ready to send: its request and the ids it carries.
struct Batch {
    request: HttpRequest,
    ids: Vec<String>,
}

/// Kakao's `(request_count, success_count)` of an add batch; `None` for deletes.
type Counts = Option<(u64, u64)>;

/// Reads a batch's 2xx body.
type ParseCounts = fn(&str) -> Result<Counts, crate::core::error::ResponseError>;

/// What a split call achieved: `(index, user count, counts)` of each succeeded batch.
struct Outcome {
    succeeded: Vec<(usize, usize, Counts)>,
}

fn batch_result(index: usize, users: usize, counts: Counts) -> JsValue {
    let o = Obj::new()
        .set("index", index as u32)
        .set("userCount", users as u32);
    match counts {
        Some((req, ok)) => o
            .set("requestCount", req as f64)
            .set("successCount", ok as f64),
        None => o,
    }
    .into_js()
}

/// Sends batches in order. A batch that fails after retries is recorded and the next one is
/// sent — unless the failure dooms every batch (bad key, unknown file, quota): then the rest
/// are recorded as failed, unsent. An abort stops at once. Any failure in a split call becomes
/// a `BulkOperationError` naming every failed batch's ids, so nothing is lost or skipped
/// silently; a call that was not split fails with the batch's own error.
async fn run_batches(
    inner: &Inner,
    call: &super::client::Call,
    batches: Vec<Batch>,
    parse_counts: ParseCounts,
) -> Result<Outcome, CallError> {
    let total = batches.len();
    let mut succeeded = Vec::with_capacity(total);
    let mut failed: Vec<(usize, Vec<String>, JsValue)> = Vec::new();
    let mut iter = batches.into_iter().enumerate();
    while let Some((index, batch)) = iter.next() {
        let result = match inner.execute(&batch.request, call).await {
            Ok(body) => parse_counts(&body).map_err(CallError::from),
            Err(e) => Err(e),
        };
        match result {
            Ok(counts) => succeeded.push((index, batch.ids.len(), counts)),
            Err(e) if total == 1 => return Err(e),
            Err(CallError::Aborted(reason)) if succeeded.is_empty() => {
                return Err(CallError::Aborted(reason))
            }
            Err(e) => {
                let stop = match &e {
                    CallError::Aborted(_) => true,
                    CallError::Api(api) => cf::fails_every_batch(api),
                    _ => false,
                };
                let error = e.into_js(&inner.secrets());
                failed.push((index, batch.ids, error.clone()));
                if stop {
                    for (rest_index, rest) in iter.by_ref() {
                        failed.push((rest_index, rest.ids, error.clone()));
                    }
                }
            }
        }
    }
    if failed.is_empty() {
        return Ok(Outcome { succeeded });
    }
    let lost: usize = failed.iter().map(|(_, ids, _)| ids.len()).sum();
    let first_message = failed
        .first()
        .and_then(|(_, _, e)| js_sys::Reflect::get(e, &"message".into()).ok())
        .and_then(|m| m.as_string())
        .unwrap_or_default();
    let message = format!(
        "{} of {total} batches failed ({lost} users not processed); first error: {first_message}",
        failed.len()
    );
    let succeeded_js: Array = succeeded
        .iter()
        .map(|(i, n, c)| batch_result(*i, *n, *c))
        .collect();
    let failed_js: Array = failed
        .into_iter()
        .map(|(i, ids, error)| {
            let ids: Array = ids.iter().map(|s| JsValue::from_str(s)).collect();
            Obj::new()
                .set("index", i as u32)
                .set("userIds", ids)
                .set("error", error)
                .into_js()
        })
        .collect();
    Err(CallError::Bulk {
        message,
        succeeded: succeeded_js.into(),
        failed: failed_js.into(),
    })
}

fn add_counts(body: &str) -> Result<Counts, crate::core::error::ResponseError> {
    cf::parse_add(body).map(Some)
}

/// Kakao answers a delete with 200 and an empty body; anything 2xx is success.
fn no_counts(_body: &str) -> Result<Counts, crate::core::error::ResponseError> {
    Ok(None)
}

#[wasm_bindgen]
impl TalkChannelClient {
    /// Registers a customer file for a channel (`POST /v1/talkchannel/create/target_user_file`,
    /// REST API key). The schema is checked first: 1–30 entries; supported Korean keys or
    /// their English aliases (sent as Korean); custom keys must be "number"; 앱유저아이디 and
    /// 전화번호 are refused. Retried only on HTTP 429, since each call creates a file.
    ///
    /// @example
    /// ```ts
    /// const { fileId } = await kakao.registerCustomerFile({
    ///   channelPublicId: "_ZeUTxl", fileName: "vip고객리스트",
    ///   schema: { birthday: "string", 성별: "string", age: "number" },
    /// });
    /// ```
    #[wasm_bindgen(js_name = registerCustomerFile, unchecked_return_type = "Promise<{ fileId: number }>")]
    pub fn register_customer_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RegisterCustomerFileParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<Object>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        spawn(inner.secrets(), async move {
            let p = convert::object_with_keys(
                &params,
                "params",
                &["channelPublicId", "fileName", "schema"],
                false,
            )?
            .unwrap_or_default();
            let ch = channel(&p)?;
            let name = convert::req_string(&p, "fileName")?;
            file_name(&name, "fileName")?;
            let schema_v = convert::get(&p, "schema", "schema")?;
            if schema_v.is_undefined() {
                return Err(
                    ValidationError::new("schema", "params.required", "is required").into(),
                );
            }
            let schema = schema(&schema_v, "schema")?;
            let call = inner.call_options(&options)?;
            let body = inner
                .execute(&cf::register_request(&ch, &name, &schema), &call)
                .await?;
            let id = cf::parse_register(&body)?;
            Ok(Obj::new().set("fileId", id as f64).into_js())
        })
    }

    /// Lists a channel's customer files (`GET /v1/talkchannel/target_user_file`, REST API key).
    /// `status` is lower-cased, `updatedAt` is Kakao's KST time as a `Date`, and the schema
    /// (which Kakao sends as a JSON string with English keys) comes back with Korean keys.
    ///
    /// @example
    /// ```ts
    /// const { files, emptySlot } = await kakao.listCustomerFiles({ channelPublicId: "_ZeUTxl" });
    /// ```
    #[wasm_bindgen(js_name = listCustomerFiles, unchecked_return_type = "Promise<CustomerFileList>")]
    pub fn list_customer_files(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListCustomerFilesParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<Object>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        spawn(inner.secrets(), async move {
            let p = convert::object_with_keys(&params, "params", &["channelPublicId"], false)?
                .unwrap_or_default();
            let ch = channel(&p)?;
            let call = inner.call_options(&options)?;
            let body = inner.execute(&cf::view_request(&ch), &call).await?;
            let list = cf::parse_view(&body)?;
            let files: Array = list
                .files
                .iter()
                .map(|f| {
                    let schema = Object::new();
                    for (k, t) in &f.schema {
                        let _ = js_sys::Reflect::set(
                            &schema,
                            &JsValue::from_str(k),
                            &JsValue::from_str(t),
                        );
                    }
                    Obj::new()
                        .set("fileId", f.file_id as f64)
                        .set("fileName", f.file_name.as_str())
                        .set("status", f.status.as_str())
                        .set("updatedAt", convert::date_or_null(f.updated_at))
                        .set("schema", schema)
                        .into_js()
                })
                .collect();
            Ok(Obj::new()
                .set("files", files)
                .set("emptySlot", list.empty_slot as f64)
                .set("usingSlot", list.using_slot as f64)
                .into_js())
        })
    }

    /// Adds users to a customer file (`POST /v1/talkchannel/update/target_users`, REST API
    /// key). Every user is checked before anything is sent; more than 2,000 are sent in calls
    /// of at most 2,000, in order. Kakao only adds (and counts in `successCount`) users who
    /// have added the channel. If a batch of a split call still fails after retries, the call
    /// rejects with `BulkOperationError` listing the succeeded batches and each failed batch's
    /// user ids, so exactly those can be sent again.
    ///
    /// @example
    /// ```ts
    /// const r = await kakao.addCustomerFileUsers({
    ///   fileId, channelPublicId: "_ZeUTxl", userType: "app",
    ///   users: [{ id: "1234567890", fields: { 생년월일: "2000-01-01", age: 19 } }],
    /// });
    /// console.log(`${r.successCount} of ${r.requestCount} added`);
    /// ```
    #[wasm_bindgen(js_name = addCustomerFileUsers, unchecked_return_type = "Promise<AddUsersResult>")]
    pub fn add_customer_file_users(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AddCustomerFileUsersParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<Object>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        spawn(inner.secrets(), async move {
            let p = convert::object_with_keys(
                &params,
                "params",
                &["fileId", "channelPublicId", "userType", "users", "schema"],
                false,
            )?
            .unwrap_or_default();
            let fid = file_id(convert::req_number(&p, "fileId")?, "fileId")?;
            let ch = channel(&p)?;
            let (ty, schema, raw) = users_params(&p)?;
            let users = cf::check_users(&raw, ty, schema.as_ref())?;
            let call = inner.call_options(&options)?;
            inner.credentials.authorization(&Auth::RestApiKey)?;
            let requests: Vec<HttpRequest> = users
                .chunks(cf::BATCH_SIZE)
                .map(|chunk| cf::add_request(fid, &ch, ty, chunk))
                .collect();
            // The ids move into their batches (kept for a BulkOperationError), not copied.
            let mut ids = users.into_iter().map(|u| u.id);
            let batches = requests
                .into_iter()
                .map(|request| Batch {
                    request,
                    ids: ids.by_ref().take(cf::BATCH_SIZE).collect(),
                })
                .collect();
            let outcome = run_batches(&inner, &call, batches, add_counts).await?;
            let (mut requested, mut succeeded) = (0u64, 0u64);
            for (_, _, counts) in &outcome.succeeded {
                if let Some((r, s)) = counts {
                    requested = requested.saturating_add(*r);
                    succeeded = succeeded.saturating_add(*s);
                }
            }
            let batches: Array = outcome
                .succeeded
                .iter()
                .map(|(i, n, c)| batch_result(*i, *n, *c))
                .collect();
            Ok(Obj::new()
                .set("fileId", fid as f64)
                .set("requestCount", requested as f64)
                .set("successCount", succeeded as f64)
                .set("batches", batches)
                .into_js())
        })
    }

    /// Deletes users from a customer file (`POST /v1/talkchannel/delete/target_users`, REST
    /// API key). Kakao answers 200 with an empty body. More than 2,000 ids are sent in calls of
    /// at most 2,000; failures of a split call reject with `BulkOperationError`.
    ///
    /// @example
    /// ```ts
    /// await kakao.deleteCustomerFileUsers({ fileId, channelPublicId: "_ZeUTxl", userType: "app", userIds: ["1234567890"] });
    /// ```
    #[wasm_bindgen(js_name = deleteCustomerFileUsers, unchecked_return_type = "Promise<DeleteUsersResult>")]
    pub fn delete_customer_file_users(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeleteCustomerFileUsersParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: Option<Object>,
    ) -> Promise {
        let inner = Rc::clone(&self.inner);
        let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
        spawn(inner.secrets(), async move {
            let p = convert::object_with_keys(
                &params,
                "params",
                &["fileId", "channelPublicId", "userType", "userIds"],
                false,
            )?
            .unwrap_or_default();
            let fid = file_id(convert::req_number(&p, "fileId")?, "fileId")?;
            let ch = channel(&p)?;
            let ty = user_type(&p)?;
            let ids_v = convert::get(&p, "userIds", "userIds")?;
            if ids_v.is_undefined() {
                return Err(
                    ValidationError::new("userIds", "params.required", "is required").into(),
                );
            }
            let ids = cf::check_ids(&convert::raw_ids(&ids_v, "userIds")?, ty, "userIds")?;
            let call = inner.call_options(&options)?;
            inner.credentials.authorization(&Auth::RestApiKey)?;
            let batches = ids
                .chunks(cf::BATCH_SIZE)
                .map(|chunk| Batch {
                    request: cf::delete_request(fid, &ch, ty, chunk),
                    ids: chunk.to_vec(),
                })
                .collect();
            let outcome = run_batches(&inner, &call, batches, no_counts).await?;
            let batches: Array = outcome
                .succeeded
                .iter()
                .map(|(i, n, c)| batch_result(*i, *n, *c))
                .collect();
            Ok(Obj::new()
                .set("requestCount", ids.len() as u32)
                .set("batches", batches)
                .into_js())
        })
    }
}

/// Checks every user of a would-be `addCustomerFileUsers` call with exactly its rules, without
/// a client or a request, and returns each bad user's first broken rule (a repeated id names
/// the first position in `duplicateOf`). Throws `ValidationError` only for malformed params
/// (an unknown `userType`, a bad schema, `users` not an array of objects).
///
/// @example
/// ```ts
/// const { errors } = validateCustomerFileUsers({
///   userType: "app",
///   schema: { age: "number" },
///   users: [{ id: "1", fields: { age: 30 } }, { id: "x" }, { id: "1", fields: { age: "30" } }],
/// });
/// // [{ index: 1, field: "users[1].id", rule: "user_id.format", … },
/// //  { index: 2, field: "users[2].id", rule: "users.duplicate_id", duplicateOf: 0, … }]
/// ```
#[wasm_bindgen(
    js_name = validateCustomerFileUsers,
    unchecked_return_type = "ValidateCustomerFileUsersResult"
)]
pub fn validate_customer_file_users(
    #[wasm_bindgen(unchecked_param_type = "ValidateCustomerFileUsersParams")] params: JsValue,
) -> Result<JsValue, JsValue> {
    validate_users_js(&params).map_err(|e| CallError::from(e).into_js(&[]))
}

fn validate_users_js(params: &JsValue) -> Result<JsValue, ValidationError> {
    let p = convert::object_with_keys(params, "params", &["userType", "users", "schema"], false)?
        .unwrap_or_default();
    let (ty, schema, raw) = users_params(&p)?;
    let errors: Array = cf::validate_users(&raw, ty, schema.as_ref())
        .into_iter()
        .map(|e| {
            let o = Obj::new()
                .set("index", e.index as f64)
                .set("field", e.error.field.as_str())
                .set("rule", e.error.rule)
                .set("message", e.error.message.as_str());
            match e.duplicate_of {
                Some(first) => o.set("duplicateOf", first as f64),
                None => o,
            }
            .into_js()
        })
        .collect();
    Ok(Obj::new().set("errors", errors).into_js())
}
