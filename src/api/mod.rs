//! One module per endpoint family: request building and response parsing together.
pub mod customer_files;
pub mod input;
pub mod options;
pub mod packed;
pub mod params;
pub mod relationship;
pub mod user_reader;
pub mod webhook;
pub mod webhook_options;
