//! Customer files: register (`create/target_user_file`), view (`target_user_file`), add users
//! (`update/target_users`) and delete users (`delete/target_users`) — validation, request
//! bodies, batching by 2,000 and response parsing.
//!
//! - [`users`]: users as they arrive from JS and the rules they must pass;
//! - [`requests`]: the request of each call, bodies as exact JSON;
//! - [`view`]: parsing of the answers (register, add, view) and batch-failure decisions.

// The rules and requests of the add path live in the hot crate (crates/users), compiled for
// speed; re-exported here at their paths.
pub use kakao_talk_channel_users::customer_files::{requests, users};
pub mod view;

pub use requests::{
    add_request, delete_request, push_uint, register_request, view_request, AddBatch, IdList,
    ADD_PATH, BATCH_SIZE, DELETE_PATH, REGISTER_PATH, VIEW_PATH,
};
pub use users::{
    check_id, check_ids, check_users, validate_users, FieldValue, RawId, RawUser, RawValue, User,
    UserChecker, UserError, UserType,
};
pub use view::{
    fails_every_batch, parse_add, parse_register, parse_view, CustomerFile, CustomerFileList,
};
