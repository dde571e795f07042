//! The customer-file rules and requests on the add path (the rest, the answers, is
//! `kakao_talk_channel::api::customer_files::view`):
//!
//! - [`users`]: users as they arrive from JS and the rules they must pass;
//! - [`requests`]: the request of each call, bodies as exact JSON.

pub mod requests;
pub mod users;

pub use requests::{
    add_request, delete_request, push_uint, register_request, view_request, AddBatch, IdList,
    ADD_PATH, BATCH_SIZE, DELETE_PATH, REGISTER_PATH, VIEW_PATH,
};
pub use users::{
    check_id, check_ids, check_users, validate_users, FieldValue, RawId, RawUser, RawValue, User,
    UserChecker, UserError, UserType,
};

#[cfg(test)]
mod test_support {
    use super::users::{RawId, RawUser, RawValue};
    use crate::core::ids::ChannelPublicId;
    use crate::core::schema::Schema;

    pub(super) fn ch() -> ChannelPublicId {
        ChannelPublicId::parse("_ZeUTxl", "channelPublicId").unwrap()
    }

    pub(super) fn schema(pairs: &[(&str, &str)]) -> Schema {
        Schema::parse(pairs.iter().copied(), "schema").unwrap()
    }

    pub(super) fn user(
        id: RawId<'static>,
        fields: &[(&str, RawValue<'static>)],
    ) -> RawUser<'static> {
        RawUser {
            id,
            fields: Some(
                fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned().into(), v.clone()))
                    .collect(),
            ),
        }
    }
}
