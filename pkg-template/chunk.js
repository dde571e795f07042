// The users chunks of an add call, written into wasm memory; not part of the public API. pack.js
// packs a call's users into chunks of tokens (one string when there is one chunk, else UTF-8
// bytes each); Rust allocates a buffer for chunk `b` and this file writes the chunk there with
// `TextEncoder.encodeInto`: no Uint8Array made in JS and copied in. A wasm-bindgen snippet with
// no imports.

const utf8 = new TextEncoder();

/**
 * Called by wasm (src/wasm/customer_files.rs): the length of `chunks[b]` (pack.js's packUsers: a string,
 * or its UTF-8 bytes), or -1 for anything else.
 * @param {unknown[]} chunks
 * @param {number} b
 * @returns {number}
 */
export function __chunkLength(chunks, b) {
  const c = chunks[b];
  return typeof c === "string" || c instanceof Uint8Array ? c.length : -1;
}

/**
 * Called by wasm (src/wasm/customer_files.rs): `chunks[b]` (one __chunkLength accepted) as UTF-8 into wasm memory, the `cap`
 * bytes at `ptr` that Rust allocated for it (nothing allocates in wasm in between, so the view
 * stays valid). Returns the bytes written, or -1 when `cap` was too small for the whole chunk.
 * @param {(string | Uint8Array)[]} chunks
 * @param {number} b
 * @param {WebAssembly.Memory} memory
 * @param {number} ptr
 * @param {number} cap
 * @returns {number}
 */
export function __chunkInto(chunks, b, memory, ptr, cap) {
  const c = chunks[b];
  const to = new Uint8Array(memory.buffer, ptr, cap);
  if (typeof c !== "string") {
    if (c.length > cap) return -1;
    to.set(c);
    return c.length;
  }
  const r = utf8.encodeInto(c, to);
  return r.read === c.length ? r.written : -1;
}
