//! The pure core: no wasm-bindgen, js-sys or web-sys here.
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
