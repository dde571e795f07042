// startKakaoEmulatorServer: an emulator served over HTTP on loopback with node:http.
// Part of the emulator: it never imports the SDK.
import { createKakaoEmulator } from "./emulator.js";
/** @import * as T from "./index.js" */
/** @import { Emulator } from "./emulator.js" */

/** Request bodies' decoder (no state between uses: each decode is whole). */
const utf8 = new TextDecoder();

/**
 * Serves an emulator over HTTP on loopback (Node). Resolves to `{ url, emulator, close() }`.
 * @type {typeof T.startKakaoEmulatorServer}
 */
export async function startKakaoEmulatorServer(options = {}) {
  // Imported on first use, so the rest of the kit loads where node:http does not exist.
  const { createServer } = await import("node:http");
  const host = options.host ?? "127.0.0.1";
  // A given `emulator` is one createKakaoEmulator made (the only maker of a KakaoEmulator).
  const emulator = /** @type {Emulator} */ (options.emulator ?? createKakaoEmulator());
  let origin = "";
  const server = createServer(async (req, res) => {
    const aborter = new AbortController();
    res.on("close", () => aborter.abort(new Error("client went away")));
    try {
      /** @type {Buffer[]} */
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
      }
      // The body is decoded here as `request.text()` would (UTF-8, a leading BOM dropped, a bad
      // sequence replaced), rather than copied into the Request and read back out of its stream.
      const request = new Request(`${origin}${req.url}`, { method: req.method, headers });
      const out = await emulator.answer(request, aborter.signal, hasBody ? utf8.decode(Buffer.concat(chunks)) : undefined);
      if (out.reset) {
        req.socket.destroy();
        return;
      }
      res.writeHead(out.status, out.headers);
      if (out.stall) {
        res.flushHeaders();
        return; // the body never comes; the client's timeout ends it
      }
      res.end(out.body);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ msg: `emulator error: ${/** @type {any} */ (err)?.message ?? err}`, code: -1 }));
      }
    }
  });
  await new Promise(/** @param {(value?: unknown) => void} resolve */ (resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: origin,
    emulator,
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
