//! One module per endpoint family: request building and response parsing together.
pub mod customer_files;
// The reader of packed arguments, the shape rules and the reader of users live in the hot crate
// (crates/users), compiled for speed; re-exported here at their paths.
pub use kakao_talk_channel_users::{input, packed, user_reader};
pub mod options;
pub mod params;
pub mod relationship;
pub mod webhook;
pub mod webhook_options;
