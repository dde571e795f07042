//! The hot path of an add call and of `validateCustomerFileUsers`, in a crate of its own so
//! that it alone is compiled for speed (`[profile.release.package.kakao-talk-channel-users]` in
//! the root Cargo.toml, with the figures): the packed arguments' reader ([`packed`]), the shape
//! rules of a caller's values ([`input`]), the reader of users ([`user_reader`]), the rules of
//! users and the add body writer ([`customer_files`]). The main crate re-exports each at its
//! old path (`crate::api::packed`, `crate::api::customer_files::users`, ...).
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

/// The pure core, at the path the modules use (`crate::core::…`).
pub use kakao_talk_channel_core as core;

pub mod customer_files;
pub mod input;
pub mod packed;
pub mod user_reader;
