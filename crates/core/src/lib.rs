//! The pure core: no wasm-bindgen, js-sys or web-sys here. A crate of its own (re-exported by
//! the main crate as `kakao_talk_channel::core`) so that the hot crate, crates/users, can use it.
//!
//! Nothing here may panic: a panic inside wasm traps and poisons the module.
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
pub mod base_url;
pub mod decimal;
pub mod env;
pub mod error;
pub mod id_map;
pub mod ids;
pub mod json;
pub mod kinds;
pub mod log;
pub mod record;
pub mod request;
pub mod retry;
pub mod rules;
pub mod schema;
pub mod text;
pub mod time;
