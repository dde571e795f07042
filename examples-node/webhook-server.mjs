// Kakao Talk Channel webhook receiver on node:http: Kakao POSTs here when a user adds or blocks
// the channel. Register `https://<your host>/kakao/webhook` as the callback URL in Kakao
// Developers, then:
//   KAKAO_ADMIN_KEY=… PORT=8080 node webhook-server.mjs
import { createServer } from "node:http";
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
  // node:http → a fetch Request (Node ≥ 18 has Request/Response built in).
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
    body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
  const response = await handle(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
});

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`webhook receiver listening on http://127.0.0.1:${server.address().port}`);
});
