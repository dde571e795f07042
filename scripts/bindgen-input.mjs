// The linked .wasm as wasm-bindgen reads it: a copy whose `target_features` section no longer
// lists `multivalue`. Usage: node scripts/bindgen-input.mjs IN.wasm OUT.wasm (run by dev.sh).
//
// Why (issue 19, cold start): wasm-bindgen rewrites every export that returns more than one
// value (a `Result`, a string) to return them as wasm multi-values when the module says it uses
// `multivalue`, which rustc does by default since 1.82. V8 (Node 20) calls a wasm export through
// a generic JS-to-wasm wrapper, except for signatures it does not support, multi-value results
// among them: for those it compiles a wrapper per signature with TurboFan, eagerly, inside
// `new WebAssembly.Module`. Our exports had five such signatures: without the rewrite they
// return through wasm-bindgen's stack slot (a pointer argument, read back from memory by the
// glue), and the module compiles in 3.05 instead of 4.72 ms (Node 20, 20 fresh processes,
// interleaved, medians); `bench/cold-hot.mjs cold`, 40 processes: `import` 11.5 -> 9.7 ms, the
// SDK's share 17.3 -> 15.6 ms. The code itself is the same; the `.wasm` is 260 B smaller raw.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
export function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++];
    if (b === undefined) throw new Error("bindgen-input: a LEB128 number runs past the end of the .wasm");
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) return [value, i];
  }
}

/** Encodes an unsigned LEB128. */
function encode(n) {
  const out = [];
  let v = n;
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return Buffer.from(out);
}

/** `wasm` with `feature` left out of its `target_features` custom section; throws if none. */
export function withoutFeature(wasm, feature) {
  const parts = [wasm.subarray(0, 8)];
  let found = false;
  let at = 8;
  while (at < wasm.length) {
    const start = at;
    const id = wasm[at];
    const [size, body] = leb(wasm, at + 1);
    const end = body + size;
    at = end;
    if (id === 0) {
      const [nameLength, nameAt] = leb(wasm, body);
      const name = wasm.subarray(nameAt, nameAt + nameLength).toString("latin1");
      if (name === "target_features") {
        found = true;
        let [count, p] = leb(wasm, nameAt + nameLength);
        const kept = [];
        for (; count > 0; count--) {
          const entryAt = p;
          const [length, featureAt] = leb(wasm, p + 1);
          p = featureAt + length;
          if (wasm.subarray(featureAt, p).toString("latin1") !== feature) kept.push(wasm.subarray(entryAt, p));
        }
        const content = Buffer.concat([wasm.subarray(body, nameAt + nameLength), encode(kept.length), ...kept]);
        parts.push(Buffer.from([0]), encode(content.length), content);
        continue;
      }
    }
    parts.push(wasm.subarray(start, end));
  }
  if (!found) throw new Error("bindgen-input: the .wasm has no target_features section");
  return Buffer.concat(parts);
}

// Run as a script (dev.sh); imported, it only exports (tests/cold-start.test.mjs reads LEB128s with it).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) throw new Error("usage: node scripts/bindgen-input.mjs IN.wasm OUT.wasm");
  writeFileSync(output, withoutFeature(readFileSync(input), "multivalue"));
}
