export {
  TalkChannelClient,
  type ClientOptions,
  type RequestOptions,
  type UserIdInput,
  type CheckChannelRelationshipParams,
  type CheckChannelRelationshipMultiParams,
  type UserChannelRelations,
  type ChannelRelation,
  type MultiRelations,
} from "./kakao_talk_channel.js";
export {
  KakaoTalkChannelError,
  ValidationError,
  KakaoApiError,
  TimeoutError,
  NetworkError,
  ResponseError,
  BulkOperationError,
  type BatchResult,
  type FailedBatch,
} from "./errors.js";
