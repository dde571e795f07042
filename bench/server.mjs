// The emulator over loopback HTTP in its own process, so that its work does not share the
// client's event loop. Prints one JSON line { url, adminKey, restApiKey, fileId } when ready.
// `--delay-ms N`: every add answers N ms late (the emulator's delayMs fault), as Kakao, some
// 30–80 ms away, does; the other endpoints answer at once.
import { parseArgs } from "node:util";
import { startKakaoEmulatorServer } from "../pkg/testing/index.js";
import { fixtureEmulator } from "./fixture.mjs";

const { values } = parseArgs({ options: { "delay-ms": { type: "string", default: "0" } } });
const delayMs = Number(values["delay-ms"]);
const { emulator, fileId } = await fixtureEmulator();
if (delayMs > 0) emulator.faults.add({ method: "POST", path: "/v1/talkchannel/update/target_users", delayMs, times: Number.POSITIVE_INFINITY });
const server = await startKakaoEmulatorServer({ emulator });
process.stdout.write(`${JSON.stringify({ url: server.url, adminKey: emulator.adminKey, restApiKey: emulator.restApiKey, fileId, delayMs })}\n`);
process.stdin.on("end", () => server.close().then(() => process.exit(0)));
process.stdin.resume();
