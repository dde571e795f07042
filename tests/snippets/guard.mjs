// Loaded with `node --import` before a README snippet runs: its `fetch` may reach loopback only.
// With SNIPPET_SHIM_BASE_URL set (annotation `run shim-base-url`), a request to Kakao's host is
// sent to that URL instead, and the number of such requests is reported on stderr at exit, so the
// test can tell when the shim is no longer needed (the client reads KAKAO_BASE_URL itself).
const realFetch = globalThis.fetch;
const shim = process.env.SNIPPET_SHIM_BASE_URL;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
let rewritten = 0;

globalThis.fetch = function guardedFetch(input, init) {
  const href = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const url = new URL(href);
  if (shim && url.origin === "https://kapi.kakao.com") {
    rewritten++;
    const target = new URL(`${url.pathname}${url.search}`, shim).href;
    return realFetch.call(this, input instanceof Request ? new Request(target, input) : target, init);
  }
  if (!LOOPBACK.has(url.hostname)) return Promise.reject(new TypeError(`a README snippet tried to reach ${url.origin}: only loopback is allowed`));
  return realFetch.call(this, input, init);
};

if (shim) process.on("exit", () => process.stderr.write(`snippet-shim: ${rewritten} request(s) redirected\n`));
