// Kakao Talk Channel webhook receiver on node:http: Kakao POSTs here when a user adds or blocks
// the channel. Register `https://<your host>/kakao/webhook` as the callback URL in Kakao
// Developers, then:
//   KAKAO_ADMIN_KEY=… PORT=8080 node webhook-server.mjs
import { createServer } from "node:http";
import { createNodeWebhookHandler } from "kakao-talk-channel";

// A node:http listener `(req, res) => Promise<void>`. The request body is handed to the handler
// as a stream, not buffered here: it reads at most 16 KiB of it within 3 s (413 / 408
// otherwise, then the connection is closed), and a 401 never reads it at all.
const kakaoWebhook = createNodeWebhookHandler({
  adminKey: process.env.KAKAO_ADMIN_KEY, // Kakao signs each delivery with the primary admin key
  async onEvent(e) {
    // Kakao wants an answer within 3 seconds: store the event, do slow work elsewhere.
    console.log(`${e.event}: user ${e.userId} (${e.idType}) → ${e.channelPublicId} at ${e.updatedAt.toISOString()}`);
  },
});

const server = createServer((req, res) => {
  if (new URL(req.url, "http://x").pathname !== "/kakao/webhook") {
    res.writeHead(404).end();
    return;
  }
  return kakaoWebhook(req, res); // never rejects: a failure is a 500 and goes to onError
});

server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`webhook receiver listening on http://127.0.0.1:${server.address().port}`);
});
