// Node entry for require(): a synchronous CommonJS load of the same wasm, no init().
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const glue = require("./kakao_talk_channel.cjs");
const errors = require("./errors.cjs");
const webhook = require("./webhook.cjs");

glue.initSync({ module: readFileSync(join(__dirname, "kakao_talk_channel_bg.wasm")) });

module.exports = {
  TalkChannelClient: glue.TalkChannelClient,
  parseChannelWebhook: webhook.parseChannelWebhook,
  createChannelWebhookHandler: webhook.createChannelWebhookHandler,
  kvSeenStore: webhook.kvSeenStore,
  redisSeenStore: webhook.redisSeenStore,
  validateCustomerFileUsers: glue.validateCustomerFileUsers,
  KakaoTalkChannelError: errors.KakaoTalkChannelError,
  ValidationError: errors.ValidationError,
  KakaoApiError: errors.KakaoApiError,
  TimeoutError: errors.TimeoutError,
  NetworkError: errors.NetworkError,
  ResponseError: errors.ResponseError,
  BulkOperationError: errors.BulkOperationError,
  WebhookAuthError: errors.WebhookAuthError,
};
