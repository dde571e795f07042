// Allocations of one 2,000-user add (validate, build, serialise; a canned fetch answers at
// once). Run with --expose-gc and a large young generation so that no collection happens
// inside one call: the JS heap delta across one call is then what the call allocated and
// still held at its end (garbage included). Also reports the wasm linear memory size.
if (typeof globalThis.gc !== "function") throw new Error("run with --expose-gc");
// The SDK's wasm instance is inside pkg/node-bundle.cjs: catch it as it is created, so its
// memory is the one measured (the entry is imported only after the hook is in place).
let instance;
WebAssembly.Instance = new Proxy(WebAssembly.Instance, { construct: (t, a) => (instance = Reflect.construct(t, a)) });
const { noNetworkAdd } = await import("./fixture.mjs");
if (!instance) throw new Error("the SDK's wasm instance was not seen");
const wasm = instance.exports;
const run = noNetworkAdd();
const wasmBefore = wasm.memory.buffer.byteLength;
for (let i = 0; i < 20; i++) { await run.sdk(); await run.baseline(); }
const deltas = { sdk: [], baseline: [] };
for (let i = 0; i < 40; i++) {
  for (const v of i % 2 ? ["baseline", "sdk"] : ["sdk", "baseline"]) {
    gc(); gc();
    const h0 = process.memoryUsage().heapUsed;
    await run[v]();
    deltas[v].push(process.memoryUsage().heapUsed - h0);
  }
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
process.stdout.write(`${JSON.stringify({
  sdkHeapBytes: median(deltas.sdk),
  baselineHeapBytes: median(deltas.baseline),
  wasmMemoryFirst: wasmBefore,
  wasmMemoryAfter: wasm.memory.buffer.byteLength,
})}\n`);
