// Kakao Talk Channel webhook receiver on Express (tested with Express 5), next to a JSON API:
//   npm install express kakao-talk-channel
//   KAKAO_ADMIN_KEY=… PORT=8080 node webhook-express.mjs
import express from "express";
import { createNodeWebhookHandler } from "kakao-talk-channel";

const app = express();

// The webhook route comes BEFORE app.use(express.json()): the handler reads Kakao's body itself,
// as a stream (at most 16 KiB within 3 s). Behind a JSON parser it would find an object instead
// and answer 500 — or give the route `express.raw({ type: "*/*" })`, whose Buffer it accepts.
app.post(
  "/kakao/webhook",
  createNodeWebhookHandler({
    adminKey: process.env.KAKAO_ADMIN_KEY, // Kakao signs each delivery with the primary admin key
    async onEvent(e) {
      // Kakao wants an answer within 3 seconds: store the event, do slow work elsewhere.
      console.log(`${e.event}: user ${e.userId} (${e.idType}) → ${e.channelPublicId} at ${e.updatedAt.toISOString()}`);
    },
  }),
);

app.use(express.json());
app.post("/api/echo", (req, res) => res.json(req.body)); // the rest of your API, parsed as usual

const server = app.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`webhook receiver listening on http://127.0.0.1:${server.address().port}`);
});
