// A real redis-server for the webhook tests: started on a free loopback port in a temporary
// directory, stopped by its pid (SIGTERM, or SIGKILL to simulate a crash). Needs `redis-server`
// on PATH (scripts/dev.sh installs Debian's package).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function haveRedis() {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts redis-server. `persistence`: "none" (`--save "" --appendonly no`), "aof" (AOF with
 * `appendfsync always`) or "default" (Redis's own defaults: RDB snapshots only). Resolves when it
 * accepts connections. `dir` and `port` may be given to restart on the same data and port.
 */
export async function startRedis({ port, dir, persistence = "none" } = {}) {
  const p = port ?? (await freePort());
  const d = dir ?? mkdtempSync(join(tmpdir(), "kakao-redis-"));
  const args = ["--port", String(p), "--bind", "127.0.0.1", "--dir", d, "--daemonize", "no", "--protected-mode", "no"];
  if (persistence === "none") args.push("--save", "", "--appendonly", "no");
  if (persistence === "aof") args.push("--save", "", "--appendonly", "yes", "--appendfsync", "always");
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10000);
    proc.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${out}`));
    });
  });
  proc.stdout.resume();
  proc.stderr.resume();
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  return {
    port: p,
    dir: d,
    url: `redis://127.0.0.1:${p}`,
    pid: proc.pid,
    /** Stops this server by its pid; "SIGKILL" simulates a crash. */
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, signal);
      await exited;
    },
    removeDir() {
      rmSync(d, { recursive: true, force: true });
    },
  };
}
