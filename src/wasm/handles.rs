//! The JS values a call's arguments name by index: pack.js kept them aside (functions, signals,
//! the logger) and `api::options` read which is which.

use super::transport::Signal;
use js_sys::Array;
use wasm_bindgen::JsValue;

/// The JS values kept aside by pack.js (functions, signals, the logger), by the index
/// `api::options` read of them.
pub struct Handles(pub Array);

impl Handles {
    /// Handle `i` as it is.
    pub fn value(&self, i: usize) -> JsValue {
        u32::try_from(i).map_or(JsValue::UNDEFINED, |i| self.0.get(i))
    }

    /// Handle `i`, a function (pack.js packs only functions as `hf`).
    pub fn function(&self, i: usize) -> Option<js_sys::Function> {
        wasm_bindgen::JsCast::dyn_into(self.value(i)).ok()
    }

    /// Handle `i`, an `AbortSignal` (or a polyfill's: pack.js checked its shape).
    pub fn signal(&self, i: usize) -> Signal {
        Signal::new(self.value(i))
    }
}
