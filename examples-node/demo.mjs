// The README's demo: starts the built-in Kakao emulator on loopback and runs the SDK against it.
// No credentials, no network beyond 127.0.0.1.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KakaoApiError, TalkChannelClient, ValidationError, createChannelWebhookHandler, validateCustomerFileUsers } from "../pkg/node.js";
import { startKakaoEmulatorServer } from "../pkg/testing/index.js";

const server = await startKakaoEmulatorServer();
const kakao = server.emulator;
console.log(`Kakao emulator listening on ${server.url}\n`);

// The emulator's world: two channels, 450 users, some of whom added or blocked a channel.
kakao.addChannel("_ZeUTxl", { uuid: "@테스트" });
kakao.addChannel("_xnrxjem", { uuid: "@플러스친구" });
const userIds = Array.from({ length: 450 }, (_, i) => String(1_000_000 + i));
for (const [i, id] of userIds.entries()) {
  if (i % 50 === 49) continue; // Kakao cannot check these: it leaves them out of its answer
  kakao.addUser(id);
  if (i % 3 === 0) kakao.setRelation(id, "_ZeUTxl", "ADDED", { at: new Date(Date.UTC(2024, 0, 1 + (i % 28))) });
  if (i % 10 === 1) kakao.setRelation(id, "_ZeUTxl", "BLOCKED");
}
kakao.addUser("9223372036854775807");
kakao.setRelation("9223372036854775807", "_xnrxjem", "ADDED", { at: new Date("2020-04-18T03:17:05Z") });
kakao.addUser("42", { talkUser: false });

// Users 2,000,000..2,004,999 are the marketing list; 9 in 10 of them added the channel.
for (let i = 0; i < 5000; i++) {
  const id = String(2_000_000 + i);
  if (i % 10 !== 9) kakao.setRelation(id, "_ZeUTxl", "ADDED");
  else kakao.addUser(id);
}

const client = new TalkChannelClient({ adminKey: kakao.adminKey, restApiKey: kakao.restApiKey, baseUrl: server.url });
const fmt = (d) => (d ? d.toISOString() : "—");
let failures = 0;

try {
  console.log("1. checkChannelRelationship with the admin key (user 9223372036854775807, no rounding):");
  const one = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl", "_xnrxjem"], userId: 9223372036854775807n });
  for (const c of one.channels) {
    console.log(`   user ${one.userId} · ${c.channelPublicId} (${c.channelUuid}): ${c.relation}, added ${fmt(c.createdAt)}, changed ${fmt(c.updatedAt)}`);
  }

  console.log("\n2. checkChannelRelationship with the user's own access token:");
  const token = kakao.accessTokenFor(userIds[0]);
  const mine = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], accessToken: token });
  console.log(`   user ${mine.userId} · _ZeUTxl: ${mine.channels[0].relation} since ${fmt(mine.channels[0].createdAt)}`);

  console.log("\n3. checkChannelRelationshipMulti for 450 users (sent as 200 + 200 + 50):");
  const before = kakao.requests.length;
  const multi = await client.checkChannelRelationshipMulti({ userIds, channelIds: ["_ZeUTxl"] });
  const calls = kakao.requests.slice(before).map((r) => r.query.target_ids.split(",").length);
  const count = (rel) => multi.users.filter((u) => u.channels[0]?.relation === rel).length;
  console.log(`   calls: ${calls.join(" + ")} ids`);
  console.log(`   ADDED ${count("ADDED")} · BLOCKED ${count("BLOCKED")} · NONE ${count("NONE")} · unresolved ${multi.unresolvedUserIds.length} (${multi.unresolvedUserIds.slice(0, 3).join(", ")}, …)`);

  console.log("\n4. registerCustomerFile (English aliases are sent as Kakao's Korean keys):");
  const { fileId } = await client.registerCustomerFile({
    channelPublicId: "_ZeUTxl",
    fileName: "vip고객리스트",
    schema: { birthday: "string", gender: "string", age: "number", purchaseAmount: "number" },
  });
  console.log(`   fileId ${fileId}`);

  console.log("\n5. listCustomerFiles:");
  const list = await client.listCustomerFiles({ channelPublicId: "_ZeUTxl" });
  for (const f of list.files) {
    console.log(`   #${f.fileId} "${f.fileName}" ${f.status}, updated ${fmt(f.updatedAt)}, schema ${JSON.stringify(f.schema)}`);
  }
  console.log(`   slots: ${list.usingSlot} used, ${list.emptySlot} empty`);

  console.log("\n6. addCustomerFileUsers with 5,000 users (sent as 2,000 + 2,000 + 1,000):");
  const marketing = Array.from({ length: 5000 }, (_, i) => ({
    id: String(2_000_000 + i),
    fields: { 생년월일: "1990-01-01", gender: i % 2 ? "여" : "남", age: 20 + (i % 50), purchaseAmount: i * 1000 },
  }));
  const added = await client.addCustomerFileUsers({ fileId, channelPublicId: "_ZeUTxl", userType: "app", users: marketing });
  console.log(`   batches: ${added.batches.map((b) => b.userCount).join(" + ")}`);
  console.log(`   requested ${added.requestCount}, added ${added.successCount} (Kakao adds only users who added the channel)`);

  console.log("\n7. deleteCustomerFileUsers for 300 users (Kakao answers 200 with an empty body):");
  const removed = await client.deleteCustomerFileUsers({ fileId, channelPublicId: "_ZeUTxl", userType: "app", userIds: marketing.slice(0, 300).map((u) => u.id) });
  console.log(`   requested ${removed.requestCount}; the emulator's file now holds ${kakao.customerFile(fileId).users.size} users`);
  if (added.batches.length !== 3 || added.successCount !== 4500 || kakao.customerFile(fileId).users.size !== 4230) failures++;

  console.log("\n8. Errors are typed:");
  const notTalk = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl"], userId: 42 }).catch((e) => e);
  console.log(`   ${notTalk instanceof KakaoApiError ? "KakaoApiError" : "?"} status=${notTalk.status} code=${notTalk.code} kind=${notTalk.kind}`);
  const invalid = await client.checkChannelRelationship({ channelIds: ["_ZeUTxl,_x"], userId: 1 }).catch((e) => e);
  console.log(`   ${invalid instanceof ValidationError ? "ValidationError" : "?"} field=${invalid.field} rule=${invalid.rule} (nothing was sent)`);
  const badSchema = await client.registerCustomerFile({ channelPublicId: "_ZeUTxl", fileName: "x", schema: { vipLevel: "string" } }).catch((e) => e);
  console.log(`   ValidationError field=${badSchema.field} rule=${badSchema.rule}: ${badSchema.message}`.slice(0, 160));
  if (!(notTalk instanceof KakaoApiError) || !(invalid instanceof ValidationError)) failures++;
  if (calls.join("+") !== "200+200+50" || one.userId !== "9223372036854775807") failures++;

  console.log("\n9. validateCustomerFileUsers: every bad user at once, before anything is sent:");
  const { errors } = validateCustomerFileUsers({
    userType: "app",
    schema: { age: "number" },
    users: [{ id: "1", fields: { age: 30 } }, { id: "x" }, { id: "1", fields: { age: "30" } }],
  });
  for (const e of errors) console.log(`   users[${e.index}] ${e.rule}: ${e.message}`);
  if (errors.length !== 2 || errors[1].duplicateOf !== 0) failures++;

  console.log("\n10. npx kakao-talk-channel sync: a 50-row CSV into a customer file, then 5 edits, 3 removals, 4 additions:");
  const dir = mkdtempSync(join(tmpdir(), "ktc-demo-"));
  try {
    const { fileId: syncFile } = await client.registerCustomerFile({ channelPublicId: "_ZeUTxl", fileName: "sync-demo", schema: { age: "number", gender: "string" } });
    const csv = join(dir, "customers.csv");
    const rows = new Map(Array.from({ length: 50 }, (_, i) => [String(2_000_000 + i), { age: 20 + i, gender: i % 2 ? "여" : "남" }]));
    const writeCsv = () => writeFileSync(csv, `user_id,나이,성별\n${[...rows].map(([id, r]) => `${id},${r.age},${r.gender}`).join("\n")}\n`);
    const cli = fileURLToPath(new URL("../pkg/cli.mjs", import.meta.url));
    const sync = (...extra) => {
      const args = [cli, "sync", "--csv", csv, "--channel", "_ZeUTxl", "--file-id", String(syncFile), "--id-column", "user_id", "--columns", "나이=age,성별", ...extra];
      const env = { ...process.env, KAKAO_REST_API_KEY: kakao.restApiKey, KAKAO_BASE_URL: server.url };
      return new Promise((resolve) => execFile(process.execPath, args, { env }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr })));
    };
    writeCsv();
    console.log(`   $ KAKAO_REST_API_KEY=… npx kakao-talk-channel sync --csv customers.csv --channel _ZeUTxl --file-id ${syncFile} --id-column user_id --columns 나이=age,성별`);
    const first = await sync("--no-progress");
    console.log(first.stdout.replace(dir, "$TMP").replace(/^/gm, "   ").trimEnd());
    for (const id of [...rows.keys()].slice(0, 5)) rows.get(id).age += 1;
    for (const id of [...rows.keys()].slice(10, 13)) rows.delete(id);
    for (let i = 50; i < 54; i++) rows.set(String(2_000_000 + i), { age: 30, gender: "여" });
    writeCsv();
    console.log("   $ … the same command with --dry-run, after editing the CSV:");
    const plan = await sync("--dry-run");
    console.log(plan.stdout.replace(/^/gm, "   ").trimEnd());
    console.log("   $ … the same command again:");
    const second = await sync("--no-progress");
    console.log(second.stdout.replace(dir, "$TMP").replace(/^/gm, "   ").trimEnd());
    const inFile = kakao.customerFile(syncFile).users.size;
    console.log(`   the emulator's file now holds ${inFile} users (Kakao keeps only those who added the channel)`);
    if (first.code !== 0 || plan.code !== 0 || second.code !== 0 || !/added: +9 \(4 new, 5 changed\)/.test(second.stdout) || !/deleted: +3 /.test(second.stdout)) {
      failures++;
      console.error(first.stderr, plan.stderr, second.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log("\n11. The channel webhook: Kakao's deliveries (as the emulator sends them) through createChannelWebhookHandler:");
  const received = [];
  const handle = createChannelWebhookHandler({ adminKey: kakao.adminKey, onEvent: (e) => void received.push(e) });
  const delivered = await kakao.deliverWebhook(handle, { event: "added", userId: "1000003", channelPublicId: "_ZeUTxl" });
  const again = await kakao.deliverWebhook(handle, { event: "added", userId: "1000003", channelPublicId: "_ZeUTxl" }, { resourceId: delivered.resourceId });
  const legacy = await kakao.deliverWebhook(handle, { event: "blocked", userId: "1000004", channelPublicId: "_ZeUTxl", legacy: true });
  const forged = await kakao.deliverWebhook(handle, { event: "blocked", userId: "1000005", channelPublicId: "_ZeUTxl" }, { adminKey: "not0the0admin0key000000000000000" });
  for (const [what, d] of [["delivery", delivered], ["redelivery (same X-Kakao-Resource-ID)", again], ["older body (plus_friend_*)", legacy], ["another key", forged]]) {
    console.log(`   ${what}: HTTP ${d.status}`);
  }
  for (const e of received) console.log(`   onEvent: ${e.event} user ${e.userId} (${e.idType}) ${e.channelPublicId} at ${e.updatedAt.toISOString()}`);
  if ([delivered, again, legacy, forged].map((d) => d.status).join() !== "200,200,200,401" || received.length !== 2) failures++;
} catch (err) {
  failures++;
  console.error("demo failed:", err);
} finally {
  await server.close();
}
console.log(failures === 0 ? "\nDemo finished: every call behaved as documented." : "\nDemo FAILED.");
if (failures !== 0) process.exitCode = 1;
process.exit(failures === 0 ? 0 : 1);
