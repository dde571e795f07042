// The CommonJS side of the types: `require` resolves index.d.cts.
import kakao = require("kakao-talk-channel");
import testing = require("kakao-talk-channel/testing");

const client: kakao.TalkChannelClient = new kakao.TalkChannelClient({ adminKey: "k" });
export const pending: Promise<kakao.MultiRelations> = client.checkChannelRelationshipMulti({ userIds: ["1"] });
export const isError = (e: unknown): boolean => e instanceof kakao.KakaoTalkChannelError || e instanceof kakao.ValidationError;
export const emulator: testing.KakaoEmulator = testing.createKakaoEmulator();
export const checked: kakao.ValidateCustomerFileUsersResult = kakao.validateCustomerFileUsers({ userType: "app", users: [{ id: 1n }] });
