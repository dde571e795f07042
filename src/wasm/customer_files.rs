//! The customer-file methods (rules in `api::customer_files`) and `validateCustomerFileUsers`.
//!
//! The users of an add call arrive in chunks of at most 2,000 packed users (one string each,
//! encoded into wasm memory when read). They are read twice, one chunk at a time: all of them checked before anything is
//! sent (all or nothing), then each chunk rebuilt into its batch's request as a slot frees
//! up. Wasm memory so holds the duplicate-id table and the batches in flight, never the whole
//! input.

use super::batches::{dooms, Batch, Run};
use super::convert::CallError;
use super::runner::{Args, Inner};
use crate::api::customer_files::{self as cf, AddBatch, IdList, RawUser, UserChecker, UserType};
use crate::api::input;
use crate::api::packed::{self, PackError, Val};
use crate::api::params;
use crate::api::user_reader::{ReadError, UserReader};
use crate::core::error::ValidationError;
use crate::core::json::JsonObject;
use crate::core::request::Auth;
use crate::core::schema::Schema;
use js_sys::Array;
use wasm_bindgen::prelude::*;

/// The users of an add call: packed apart in chunks (pack.js does so in a plain object of params
/// and in a `Map` alike), `count` of them.
struct Users<'v> {
    chunks: &'v Array,
    count: usize,
}

impl Users<'_> {
    fn count(&self) -> usize {
        self.count
    }

    /// How many batches of at most `BATCH_SIZE` users.
    fn batches(&self) -> usize {
        self.count().div_ceil(cf::BATCH_SIZE)
    }

    /// The raw users of batch `b`, `f(i, user)` for each (`i` its position in `users`).
    fn each<F>(&self, b: usize, mut f: F) -> Result<(), CallError>
    where
        F: FnMut(usize, &RawUser) -> Result<(), CallError>,
    {
        let first = b.saturating_mul(cf::BATCH_SIZE);
        let last = first.saturating_add(cf::BATCH_SIZE).min(self.count());
        let bytes = chunk_bytes(self.chunks, b)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| PackError)?;
        let mut reader = UserReader::new(text);
        for i in first..last {
            match reader.next_user(i) {
                Ok(user) => f(i, user)?,
                Err(ReadError::Invalid(e)) => return Err(e.into()),
                Err(ReadError::Pack(e)) => return Err(e.into()),
            }
        }
        if !reader.is_done() {
            return Err(PackError.into());
        }
        Ok(())
    }
}

#[wasm_bindgen(module = "/pkg-template/chunk.js")]
extern "C" {
    /// The length of `chunks[b]` (UTF-16 units of a string, bytes of a Uint8Array), or -1.
    #[wasm_bindgen(js_name = __chunkLength)]
    fn chunk_length(chunks: &Array, b: u32) -> f64;
    /// Writes `chunks[b]` as UTF-8 into `memory` at `ptr` (`cap` bytes there): the bytes
    /// written, or -1 when `cap` was too small.
    #[wasm_bindgen(js_name = __chunkInto)]
    fn chunk_into(chunks: &Array, b: u32, memory: &JsValue, ptr: u32, cap: u32) -> f64;
}

/// Chunk `b` (pack.js's tokens: a string, or UTF-8 bytes) as UTF-8 bytes, written by JS
/// straight into a buffer in wasm memory: no Uint8Array made in JS and copied in. First with
/// room for one byte per unit (exact for bytes and for an ASCII string), else for three (the
/// most one UTF-16 unit takes).
fn chunk_bytes(chunks: &Array, b: usize) -> Result<Vec<u8>, PackError> {
    let b = u32::try_from(b).map_err(|_| PackError)?;
    let units = chunk_length(chunks, b);
    if !(0.0..=f64::from(u32::MAX / 3)).contains(&units) {
        return Err(PackError);
    }
    let memory = wasm_bindgen::memory();
    for per_unit in [1, 3] {
        // Whole and at most u32::MAX / 3: exact.
        let cap = (units as u32).saturating_mul(per_unit);
        let mut buf = vec![0u8; usize::try_from(cap).map_err(|_| PackError)?];
        // Nothing allocates in wasm between taking the pointer and JS writing there.
        let ptr = u32::try_from(buf.as_mut_ptr() as usize).map_err(|_| PackError)?;
        let written = chunk_into(chunks, b, &memory, ptr, cap);
        if written >= 0.0 {
            // A whole number of bytes, at most `cap`.
            buf.truncate(written as usize);
            return Ok(buf);
        }
    }
    Err(PackError)
}

/// The most keys of one object that can pass any rule: a customer file's schema holds at most
/// this many (so a user's fields too), and no options or params object has as many. pack.js
/// reads at most one more key of an object (`__setMaxKeys`), so a caller's object with 100,000
/// keys costs no more than one with 31.
#[wasm_bindgen(js_name = __maxKeys, skip_typescript)]
pub fn max_keys() -> u32 {
    u32::try_from(crate::core::schema::MAX_SCHEMA_ITEMS).unwrap_or(u32::MAX)
}

/// `userType`, the optional `schema` and where the users are (`api::params::users`), of an add
/// call or of `validateCustomerFileUsers`.
fn users_params<'v>(
    p: &Val,
    chunks: Option<&'v Array>,
) -> Result<(UserType, Option<Schema>, Users<'v>), ValidationError> {
    let (ty, schema, users) = params::users(p, chunks)?;
    Ok((
        ty,
        schema,
        Users {
            chunks: users.chunks,
            count: users.count,
        },
    ))
}

pub(super) async fn register(inner: &Inner, args: &Args<'_>) -> Result<JsValue, CallError> {
    let p = args.params_with(&["channelPublicId", "fileName", "schema"])?;
    let (ch, name, schema) = params::register(p)?;
    let call = inner.call_options(args, false)?;
    let answer = inner
        .execute(&cf::register_request(&ch, name, &schema), &call)
        .await?;
    let id = cf::parse_register(&answer.body).map_err(|e| answer.bad(e))?;
    Ok(JsValue::from_str(
        &JsonObject::new().uint("fileId", id).finish(),
    ))
}

pub(super) async fn list(inner: &Inner, args: &Args<'_>) -> Result<JsValue, CallError> {
    let p = args.params_with(&["channelPublicId"])?;
    let ch = params::list(p)?;
    let call = inner.call_options(args, false)?;
    let answer = inner.execute(&cf::view_request(&ch), &call).await?;
    let list = cf::parse_view(&answer.body).map_err(|e| answer.bad(e))?;
    Ok(JsValue::from_str(&list.json()))
}

/// A settled batch: its index, its ids, Kakao's counts (add only).
type Settled = (usize, IdList, Option<(u64, u64)>);

/// A count as a JSON integer.
fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// One batch's line in `batches` (and in `BulkOperationError.succeeded`), keys in byte
/// order, as `json!` wrote them; the counts only for an add.
fn batch_json(index: usize, users: usize, counts: &Option<(u64, u64)>) -> String {
    let o = JsonObject::new().uint("index", count(index));
    let o = match counts {
        Some((r, s)) => o.uint("requestCount", *r).uint("successCount", *s),
        None => o,
    };
    o.uint("userCount", count(users)).finish()
}

fn batches_json(done: &[Settled]) -> Vec<String> {
    done.iter()
        .map(|(i, ids, c)| batch_json(*i, ids.len(), c))
        .collect()
}

/// The sum of the add batches' counts, as `AddUsersResult` (JSON).
fn add_result(fid: u64, done: &[Settled]) -> String {
    let (mut requested, mut succeeded) = (0u64, 0u64);
    for (_, _, counts) in done {
        if let Some((r, s)) = counts {
            requested = requested.saturating_add(*r);
            succeeded = succeeded.saturating_add(*s);
        }
    }
    JsonObject::new()
        .raws("batches", &batches_json(done))
        .uint("fileId", fid)
        .uint("requestCount", requested)
        .uint("successCount", succeeded)
        .finish()
}

pub(super) async fn add(inner: &Inner, args: &Args<'_>) -> Result<JsValue, CallError> {
    let p = args.params_with(&["fileId", "channelPublicId", "userType", "users", "schema"])?;
    let (fid, ch) = params::add_target(p)?;
    let (ty, schema, users) = users_params(p, args.chunks.as_ref())?;
    // Every user checked before anything is sent. The first batch is written as its users
    // are checked (one batch of memory), so a call of up to 2,000 users reads them once; later
    // batches are read again from their packed chunk when their turn comes.
    let mut checker = UserChecker::new(ty, schema.as_ref(), users.count());
    let mut first = AddBatch::new(fid, &ch, ty, users.count().min(cf::BATCH_SIZE));
    for b in 0..users.batches() {
        users.each(b, |i, u| {
            if b == 0 {
                first.push(&mut checker, i, u).map_err(|e| e.error)?;
            } else {
                checker.validate(i, u).map_err(|e| e.error)?;
            }
            Ok(())
        })?;
    }
    drop(checker);
    params::require_users(users.count())?;
    let call = inner.call_options(args, true)?;
    inner.credentials.authorization(&Auth::RestApiKey)?;
    let total = users.batches();
    let mut first = Some(first);
    let mut make = |b: usize| {
        let batch = match first.take().filter(|_| b == 0) {
            Some(batch) => batch,
            None => {
                let mut checker = UserChecker::new(ty, schema.as_ref(), cf::BATCH_SIZE);
                let mut batch = AddBatch::new(fid, &ch, ty, cf::BATCH_SIZE);
                users.each(b, |i, u| {
                    batch.push(&mut checker, i, u).map_err(|e| e.error)?;
                    Ok(())
                })?;
                batch
            }
        };
        let (request, ids) = batch.finish();
        Ok(Batch { request, ids })
    };
    let outcome = Run {
        inner,
        call: &call,
        count: total,
    }
    .go(
        &mut make,
        &|_, answer, batch| {
            cf::parse_add(&answer.body, batch.ids.len(), fid)
                .map(Some)
                .map_err(|e| answer.bad(e))
        },
        &|c: &Option<(u64, u64)>| {
            JsonObject::new()
                .opt_uint("requestCount", c.map(|c| c.0))
                .opt_uint("successCount", c.map(|c| c.1))
                .finish()
        },
        dooms,
    )
    .await?;
    // The partial result has no string to redact.
    let done_batches =
        outcome.finish(total, &call.secrets, |ok| add_result(fid, ok), batch_json)?;
    Ok(JsValue::from_str(&add_result(fid, &done_batches)))
}

/// `DeleteUsersResult` (JSON).
fn delete_result(done: &[Settled]) -> String {
    JsonObject::new()
        .raws("batches", &batches_json(done))
        .uint(
            "requestCount",
            count(done.iter().map(|(_, ids, _)| ids.len()).sum::<usize>()),
        )
        .finish()
}

pub(super) async fn delete(inner: &Inner, args: &Args<'_>) -> Result<JsValue, CallError> {
    let p = args.params_with(&["fileId", "channelPublicId", "userType", "userIds"])?;
    let params::Delete {
        file_id: fid,
        channel: ch,
        user_type: ty,
        ids,
    } = params::delete(p)?;
    let call = inner.call_options(args, true)?;
    inner.credentials.authorization(&Auth::RestApiKey)?;
    let chunks: Vec<&[String]> = ids.chunks(cf::BATCH_SIZE).collect();
    let total = chunks.len();
    let mut make = |b: usize| {
        let chunk = chunks.get(b).copied().unwrap_or_default();
        Ok(Batch {
            request: cf::delete_request(fid, &ch, ty, chunk),
            ids: chunk.iter().collect(),
        })
    };
    // Kakao answers a delete with 200 and an empty body; anything 2xx is success.
    let outcome = Run {
        inner,
        call: &call,
        count: total,
    }
    .go(
        &mut make,
        &|_, _, _| Ok(None::<(u64, u64)>),
        &|_| "{}".to_owned(),
        dooms,
    )
    .await?;
    // The partial result has no string to redact.
    let done_batches = outcome.finish(total, &call.secrets, delete_result, batch_json)?;
    Ok(JsValue::from_str(&delete_result(&done_batches)))
}

/// Checks every user of a would-be `addCustomerFileUsers` call with exactly its rules,
/// without a client or a request: `{ errors }`, each bad user's first broken rule. Throws an
/// error record for malformed params. Called by `validateCustomerFileUsers` in client.js.
#[wasm_bindgen(js_name = __validateCustomerFileUsers, skip_typescript)]
pub fn validate_customer_file_users(text: &str, chunks: Option<Array>) -> Result<JsValue, JsValue> {
    validate(text, chunks.as_ref()).map_err(|e| e.into_js(&[]))
}

fn validate(text: &str, chunks: Option<&Array>) -> Result<JsValue, CallError> {
    let values = packed::args(text)?;
    let params = values.first().unwrap_or(&Val::Undefined);
    input::check_flaws(params, "", "params")?;
    let p = input::object_with_keys(params, "params", &["userType", "users", "schema"], false)?
        .unwrap_or(&Val::Undefined);
    let (ty, schema, users) = users_params(p, chunks)?;
    let mut checker = UserChecker::new(ty, schema.as_ref(), users.count());
    let mut errors = Vec::new();
    for b in 0..users.batches() {
        users.each(b, |i, u| {
            if let Err(e) = checker.validate(i, u) {
                errors.push(e);
            }
            Ok(())
        })?;
    }
    // Each bad user's line, keys in byte order, as `json!` wrote them.
    let errors: Vec<String> = errors
        .iter()
        .map(|e| {
            let o = JsonObject::new();
            let o = match e.duplicate_of {
                Some(d) => o.uint("duplicateOf", count(d)),
                None => o,
            };
            o.str("field", &e.error.field)
                .uint("index", count(e.index))
                .str("message", &e.error.message)
                .str("rule", e.error.rule)
                .finish()
        })
        .collect();
    Ok(JsValue::from_str(
        &JsonObject::new().raws("errors", &errors).finish(),
    ))
}
