//! Prints the crate's id tables as one JSON object for `scripts/build-pkg.mjs`, which writes
//! them into the package's types (`ValidationRule`, `KakaoErrorKind` in errors.d.ts):
//! `{"rules":["auth.missing_admin_key",…],"kinds":["HttpStatus",…,"Unknown"]}`.
//! A host program (`cargo run --example id_tables`), not a wasm export: the tables are read
//! as data, never scraped from the Rust source, and the shipped wasm carries no extra bytes.

use kakao_talk_channel::core::{kinds, rules};

fn main() {
    let rules: Vec<&str> = rules::ALL.iter().map(|r| r.as_str()).collect();
    let kinds: Vec<&str> = kinds::all().map(|k| k.as_str()).collect();
    println!("{}", serde_json::json!({ "rules": rules, "kinds": kinds }));
}
