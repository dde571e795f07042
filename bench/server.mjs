// The emulator over loopback HTTP in its own process, so that its work does not share the
// client's event loop. Prints one JSON line { url, adminKey, restApiKey, fileId } when ready.
import { startKakaoEmulatorServer } from "../pkg/testing/index.js";
import { fixtureEmulator } from "./fixture.mjs";

const { emulator, fileId } = await fixtureEmulator();
const server = await startKakaoEmulatorServer({ emulator });
process.stdout.write(`${JSON.stringify({ url: server.url, adminKey: emulator.adminKey, restApiKey: emulator.restApiKey, fileId })}\n`);
process.stdin.on("end", () => server.close().then(() => process.exit(0)));
process.stdin.resume();
