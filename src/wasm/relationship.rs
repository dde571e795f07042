//! `checkChannelRelationship` and `checkChannelRelationshipMulti` (rules in `api::relationship`).

use super::batches::{Batch, Run};
use super::client::{Answer, Args, Inner};
use super::convert::to_json;
use super::convert::CallError;
use crate::api::input;
use crate::api::packed::Val;
use crate::api::relationship::{self, MultiRelations, Target};
use crate::core::error::ValidationError;
use crate::core::ids::{channel_ids, ChannelPublicId, UserId};
use crate::core::json::{value_text, JsonObject};
use crate::core::request::{bearer, Auth};
use crate::core::rules;
use serde_json::Value;
use wasm_bindgen::JsValue;

fn channel_list(p: &Val, field: &str) -> Result<Vec<ChannelPublicId>, ValidationError> {
    let v = p.get("channelIds");
    if v.is_undefined() {
        return Err(ValidationError::new(
            field,
            rules::PARAMS_REQUIRED,
            "is required",
        ));
    }
    channel_ids(&input::string_array(v, field)?, field)
}

pub(super) async fn check(inner: &Inner, args: &Args<'_>) -> Result<JsValue, CallError> {
    let p = args.params_with(&["channelIds", "accessToken", "userId"])?;
    let channels = channel_list(p, "channelIds")?;
    let token = input::opt_string(p, "accessToken", "accessToken")?;
    let user = p.get("userId");
    let target = match (token, user.is_undefined()) {
        (Some(_), false) => {
            return Err(ValidationError::new(
                "params",
                rules::PARAMS_EXCLUSIVE,
                "pass either accessToken or userId, not both",
            )
            .into())
        }
        (Some(t), true) => Target::Token(bearer(t)?),
        (None, false) => Target::User(input::user_id(user, "userId")?),
        (None, true) => {
            return Err(ValidationError::new(
                "params",
                rules::PARAMS_REQUIRED,
                "pass accessToken (the user's token) or userId (with adminKey)",
            )
            .into())
        }
    };
    let asked = match &target {
        Target::User(u) => Some(*u),
        Target::Token(_) => None,
    };
    let call = inner.call_options(args, token, false)?;
    let answer = inner
        .execute(&relationship::check_request(&channels, target), &call)
        .await?;
    let user = relationship::parse_check(&answer.body, asked).map_err(|e| answer.bad(e))?;
    to_json(&user)
}

pub(super) async fn multi(inner: &Inner, args: &Args<'_>) -> Result<JsValue, CallError> {
    let p = args.params_with(&["userIds", "channelIds"])?;
    let ids_v = p.get("userIds");
    if ids_v.is_undefined() {
        return Err(ValidationError::new("userIds", rules::PARAMS_REQUIRED, "is required").into());
    }
    let asked = relationship::dedupe(&input::user_ids(ids_v, "userIds")?);
    let channels = if p.get("channelIds").is_undefined() {
        None
    } else {
        Some(channel_list(p, "channelIds")?)
    };
    let call = inner.call_options(args, None, true)?;
    // Fail fast on a missing admin key before the first chunk.
    inner.credentials.authorization(&Auth::AdminKey)?;
    let chunks: Vec<&[UserId]> = asked.chunks(relationship::MULTI_CHUNK).collect();
    let total = chunks.len();
    let make = |b: usize| {
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
        make,
        parse,
        |m| value_text(&sorted_json(m)),
        super::batches::dooms,
    )
    .await?;
    let merged = |done: &[(usize, Vec<String>, MultiRelations)]| {
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
