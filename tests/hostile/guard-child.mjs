// Child of hostile-server.test.mjs: fakes a runtime's globals BEFORE the package loads, then
// tries to make clients with keys. argv: the package's URL, the scenario.
const [pkg, scenario] = process.argv.slice(2);
const KEY = "guard0admin0key0000000000000001";
if (scenario === "page") {
  globalThis.window = globalThis;
  globalThis.document = { title: "a page" };
} else if (scenario === "worker") {
  globalThis.self = globalThis;
  globalThis.importScripts = () => {};
} else if (scenario === "self") {
  globalThis.self = globalThis;
} else if (scenario === "window") {
  globalThis.window = globalThis;
} else if (scenario !== "node") {
  throw new Error(`unknown scenario ${scenario}`);
}
const { TalkChannelClient, ValidationError } = await import(pkg);
let leaked = false;
const attempt = (options) => {
  try {
    new TalkChannelClient(options);
    return "ok";
  } catch (e) {
    leaked ||= String(e.stack).includes(KEY) || String(e).includes(KEY);
    return e instanceof ValidationError ? `${e.field} ${e.rule}` : `not a ValidationError: ${e}`;
  }
};
const result = {
  adminKey: attempt({ adminKey: KEY }),
  restApiKey: attempt({ restApiKey: KEY }),
  allowed: attempt({ adminKey: KEY, restApiKey: KEY, dangerouslyAllowBrowser: true }),
  noKey: attempt({}),
};
console.log(JSON.stringify({ ...result, leaked }));
