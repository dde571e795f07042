// Kakao Talk Channel webhook receiver on Fastify (5):
//   npm install fastify kakao-talk-channel
//   KAKAO_ADMIN_KEY=… PORT=8080 node webhook-fastify.mjs
import Fastify from "fastify";
import { createNodeWebhookHandler } from "kakao-talk-channel";

const app = Fastify();
const kakaoWebhook = createNodeWebhookHandler({
  adminKey: process.env.KAKAO_ADMIN_KEY, // Kakao signs each delivery with the primary admin key
  async onEvent(e) {
    // Kakao wants an answer within 3 seconds: store the event, do slow work elsewhere.
    console.log(`${e.event}: user ${e.userId} (${e.idType}) → ${e.channelPublicId} at ${e.updatedAt.toISOString()}`);
  },
});

// In its own scope, the route leaves the body unread (a parser that reads nothing): the handler
// streams it itself, at most 16 KiB within 3 s. Given Fastify's (request, reply), the listener
// calls reply.hijack() and answers on reply.raw.
app.register(async (scope) => {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
  scope.post("/kakao/webhook", kakaoWebhook);
});

const address = await app.listen({ port: Number(process.env.PORT ?? 8080), host: "127.0.0.1" });
console.log(`webhook receiver listening on ${address}`);
