// Kakao Talk Channel webhook receiver on node:http: Kakao POSTs here when a user adds or blocks
// the channel. Register `https://<your host>/kakao/webhook` as the callback URL in Kakao
// Developers, then:
//   KAKAO_ADMIN_KEY=… PORT=8080 node webhook-server.mjs
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { createChannelWebhookHandler } from "kakao-talk-channel";

const handle = createChannelWebhookHandler({
  adminKey: process.env.KAKAO_ADMIN_KEY, // Kakao signs each delivery with the primary admin key
  async onEvent(e) {
    // Kakao wants an answer within 3 seconds: store the event, do slow work elsewhere.
    console.log(`${e.event}: user ${e.userId} (${e.idType}) → ${e.channelPublicId} at ${e.updatedAt.toISOString()}`);
  },
});

const server = createServer(async (req, res) => {
  if (new URL(req.url, "http://x").pathname !== "/kakao/webhook") {
    res.writeHead(404).end();
    return;
  }
  // node:http → a fetch Request (Node ≥ 18 has Request/Response built in). The body is handed
  // over as a stream, not buffered here: the handler reads at most 16 KiB of it within 3 s
  // (413 / 408 otherwise), so a huge or never-ending body costs nothing.
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
    body: hasBody ? Readable.toWeb(req) : undefined,
    duplex: "half",
  });
  const response = await handle(request);
  // 200 with an empty body on success; if the handler stopped reading early (413, 408, 401),
  // close the connection rather than drain the rest of the client's body.
  if (hasBody && !req.readableEnded) res.setHeader("connection", "close");
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`webhook receiver listening on http://127.0.0.1:${server.address().port}`);
});
