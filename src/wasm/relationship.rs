//! `checkChannelRelationship` and `checkChannelRelationshipMulti` (rules in `api::relationship`).

use super::batches::{Batch, Run};
use super::convert::CallError;
use super::runner::{Answer, Args, Inner};
use crate::api::params;
use crate::api::relationship::{self, MultiRelations};
use crate::core::ids::UserId;
use crate::core::json::JsonObject;
use crate::core::request::Auth;
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
    Ok(JsValue::from_str(&user.json()))
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
        &|m| m.json(true, &[]),
        super::batches::dooms,
    )
    .await?;
    let done_batches = outcome.finish(
        total,
        &call.secrets,
        |ok| MultiRelations::merged_json(&parts(ok), true, &call.secrets),
        |i, n, _| {
            let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
            JsonObject::new()
                .uint("index", count(i))
                .uint("userCount", count(n))
                .finish()
        },
    )?;
    Ok(JsValue::from_str(&MultiRelations::merged_json(
        &parts(&done_batches),
        false,
        &[],
    )))
}

/// The results of the batches of a split call, to be written as one without copying them.
fn parts<I>(done: &[(usize, I, MultiRelations)]) -> Vec<&MultiRelations> {
    done.iter().map(|(_, _, m)| m).collect()
}
