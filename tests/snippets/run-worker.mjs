// Runs a README Worker snippet (a module whose default export has `fetch(request, env)`) the way
// workerd calls it: `node --import guard.mjs run-worker.mjs <module> <path>...` sends GET <path>
// for each path, with the KAKAO_* environment variables as the Worker's `env`, and prints one
// line per request: the status and the body.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [file, ...paths] = process.argv.slice(2);
const worker = (await import(pathToFileURL(resolve(file)).href)).default;
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("KAKAO_")));
for (const path of paths) {
  const res = await worker.fetch(new Request(new URL(path, "https://worker.example")), env);
  console.log(res.status, await res.text());
}
