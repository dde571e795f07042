//! `checkChannelRelationship` and `checkChannelRelationshipMulti` (rules in `api::relationship`).

use super::batches::{Batch, Run};
use super::convert::to_json;
use super::convert::CallError;
use super::runner::{Answer, Args, Inner};
use crate::api::params;
use crate::api::relationship::{self, MultiRelations};
use crate::core::ids::UserId;
use crate::core::json::{value_text, JsonObject};
use crate::core::request::Auth;
use serde_json::Value;
use wasm_bindgen::JsValue;

pub(super) async fn check(inner: &Inner, args: &Args<'_>) -> Result<JsValue, CallError> {
    let p = args.params_with(&["channelIds", "accessToken", "userId"])?;
    let check = params::check(p)?;
    let asked = check.asked();
    let call = inner.call_options(args, false)?;
    let answer = inner
        .execute(
            &relationship::check_request(&check.channels, check.target),
            &call,
        )
        .await?;
    let user = relationship::parse_check(&answer.body, asked).map_err(|e| answer.bad(e))?;
    to_json(&user)
}

pub(super) async fn multi(inner: &Inner, args: &Args<'_>) -> Result<JsValue, CallError> {
    let p = args.params_with(&["userIds", "channelIds"])?;
    let params::Multi { asked, channels } = params::multi(p)?;
    let call = inner.call_options(args, true)?;
    // Fail fast on a missing admin key before the first chunk.
    inner.credentials.authorization(&Auth::AdminKey)?;
    let chunks: Vec<&[UserId]> = asked.chunks(relationship::MULTI_CHUNK).collect();
    let total = chunks.len();
    let mut make = |b: usize| {
        let chunk = chunks.get(b).copied().unwrap_or_default();
        Ok(Batch {
            request: relationship::multi_request(chunk, channels.as_deref()),
            ids: chunk.iter().map(UserId::to_string).collect(),
        })
    };
    // Each answer is checked against the ids its own batch asked for.
    let parse = |index: usize, answer: &Answer, _: &Batch| {
        let ids = chunks.get(index).copied().unwrap_or_default();
        let users = relationship::parse_multi(&answer.body, ids).map_err(|e| answer.bad(e))?;
        relationship::merge_multi(ids, users).map_err(|e| answer.bad(e))
    };
    let outcome = Run {
        inner,
        call: &call,
        count: total,
    }
    .go(
        &mut make,
        &parse,
        &|m| value_text(&sorted_json(m)),
        super::batches::dooms,
    )
    .await?;
    let merged = |done: &[(usize, _, MultiRelations)]| {
        let mut all = MultiRelations {
            users: Vec::new(),
            unresolved_user_ids: Vec::new(),
        };
        for (_, _, m) in done {
            all.users.extend(m.users.iter().cloned());
            all.unresolved_user_ids
                .extend(m.unresolved_user_ids.iter().cloned());
        }
        all
    };
    let done_batches = outcome.finish(
        total,
        &call.secrets,
        |ok| {
            value_text(&super::convert::redact_json(
                sorted_json(&merged(ok)),
                &call.secrets,
            ))
        },
        |i, n, _| {
            let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
            JsonObject::new()
                .uint("index", count(i))
                .uint("userCount", count(n))
                .finish()
        },
    )?;
    to_json(&merged(&done_batches))
}

/// `m` as a `Value`, keys in byte order (as `onBatch` and the error's `partial` have them),
/// read back from its JSON text: `serde_json::to_value` would link a second serializer.
fn sorted_json(m: &MultiRelations) -> Value {
    serde_json::to_string(m)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null)
}
