//! Server-side SDK for Kakao Talk Channel, compiled to WebAssembly.
//!
//! Module map:
//! - [`core`]: pure Rust (ids, time, errors, requests, retry policy); builds and tests natively.
//! - [`api`]: one file per endpoint family: build the request, parse the response.
//! - `wasm` (wasm32 only): the exported `TalkChannelClient`, `fetch`, timers, JS conversions.
//!
//! Nothing in `src/` may panic: a panic inside wasm traps and poisons the module.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::todo,
        clippy::unimplemented,
        clippy::unreachable
    )
)]

pub mod api;
pub use kakao_talk_channel_core as core;
#[cfg(target_arch = "wasm32")]
mod wasm;
