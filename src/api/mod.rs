//! One module per endpoint family: request building and response parsing together.
pub mod customer_files;
pub mod packed_users;
pub mod relationship;
pub mod webhook;
