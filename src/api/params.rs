//! The params of each client method, read from their packed form and checked: what is
//! required, which keys go together (an access token or a user id, not both), the ids, the
//! schema. Plain Rust values out; `src/wasm` sends what they describe.

use super::customer_files::UserType;
use super::input;
use super::packed::Val;
use super::relationship::{dedupe, Target};
use crate::core::error::ValidationError;
use crate::core::ids::{channel_ids, file_id, file_name, ChannelPublicId, UserId};
use crate::core::request::bearer;
use crate::core::rules;
use crate::core::schema::Schema;

/// `field` is required.
fn required(field: &str) -> ValidationError {
    ValidationError::new(field, rules::PARAMS_REQUIRED, "is required")
}

fn channel_list(p: &Val, field: &str) -> Result<Vec<ChannelPublicId>, ValidationError> {
    let v = p.get("channelIds");
    if v.is_undefined() {
        return Err(required(field));
    }
    channel_ids(&input::string_array(v, field)?, field)
}

fn channel(p: &Val) -> Result<ChannelPublicId, ValidationError> {
    ChannelPublicId::parse(input::req_string(p, "channelPublicId")?, "channelPublicId")
}

fn schema(v: &Val, field: &str) -> Result<Schema, ValidationError> {
    Schema::parse(input::schema_pairs(v, field)?, field)
}

fn user_type(p: &Val) -> Result<UserType, ValidationError> {
    UserType::parse(input::opt_string(p, "userType", "userType")?, "userType")
}

fn the_file_id(p: &Val) -> Result<u64, ValidationError> {
    file_id(input::req_number(p, "fileId")?, "fileId")
}

/// `checkChannelRelationship`: the channels, and whose relations (a user's access token, or a
/// user id with the admin key).
pub struct Check<'v> {
    pub channels: Vec<ChannelPublicId>,
    pub target: Target,
    /// The access token, a secret of the call.
    pub token: Option<&'v str>,
}

impl Check<'_> {
    /// The user id asked about, which the answer must be about (none for a token).
    pub fn asked(&self) -> Option<UserId> {
        match &self.target {
            Target::User(u) => Some(*u),
            Target::Token(_) => None,
        }
    }
}

#[inline]
pub fn check<'v>(p: &'v Val) -> Result<Check<'v>, ValidationError> {
    let channels = channel_list(p, "channelIds")?;
    let token = input::opt_string(p, "accessToken", "accessToken")?;
    let user = p.get("userId");
    let target = match (token, user.is_undefined()) {
        (Some(_), false) => {
            return Err(ValidationError::new(
                "params",
                rules::PARAMS_EXCLUSIVE,
                "pass either accessToken or userId, not both",
            ))
        }
        (Some(t), true) => Target::Token(bearer(t)?),
        (None, false) => Target::User(input::user_id(user, "userId")?),
        (None, true) => {
            return Err(ValidationError::new(
                "params",
                rules::PARAMS_REQUIRED,
                "pass accessToken (the user's token) or userId (with adminKey)",
            ))
        }
    };
    Ok(Check {
        channels,
        target,
        token,
    })
}

/// `checkChannelRelationshipMulti`: the users (each once, in order) and the channels, if given.
pub struct Multi {
    pub asked: Vec<UserId>,
    pub channels: Option<Vec<ChannelPublicId>>,
}

#[inline]
pub fn multi(p: &Val) -> Result<Multi, ValidationError> {
    let ids = p.get("userIds");
    if ids.is_undefined() {
        return Err(required("userIds"));
    }
    let asked = dedupe(&input::user_ids(ids, "userIds")?);
    let channels = if p.get("channelIds").is_undefined() {
        None
    } else {
        Some(channel_list(p, "channelIds")?)
    };
    Ok(Multi { asked, channels })
}

/// `registerCustomerFile`: the channel, the file's name, its schema.
#[inline]
pub fn register<'v>(p: &'v Val) -> Result<(ChannelPublicId, &'v str, Schema), ValidationError> {
    let ch = channel(p)?;
    let name = input::req_string(p, "fileName")?;
    file_name(name, "fileName")?;
    let v = p.get("schema");
    if v.is_undefined() {
        return Err(required("schema"));
    }
    Ok((ch, name, schema(v, "schema")?))
}

/// `listCustomerFiles`: the channel.
#[inline]
pub fn list(p: &Val) -> Result<ChannelPublicId, ValidationError> {
    channel(p)
}

/// `deleteCustomerFileUsers`: the file, the channel, the id type and the ids as sent.
pub struct Delete {
    pub file_id: u64,
    pub channel: ChannelPublicId,
    pub user_type: UserType,
    pub ids: Vec<String>,
}

#[inline]
pub fn delete(p: &Val) -> Result<Delete, ValidationError> {
    let file_id = the_file_id(p)?;
    let channel = channel(p)?;
    let user_type = user_type(p)?;
    let v = p.get("userIds");
    if v.is_undefined() {
        return Err(required("userIds"));
    }
    let raw = input::raw_ids(v, "userIds")?;
    let ids = super::customer_files::check_ids(&raw, user_type, "userIds")?;
    Ok(Delete {
        file_id,
        channel,
        user_type,
        ids,
    })
}

/// Where the users of an add call (or of `validateCustomerFileUsers`) are: packed apart in
/// `chunks` (pack.js's `c<count>`), `count` of them. pack.js packs every array under `users`
/// so, in a plain object of params and in a `Map` alike: one reader of users
/// (`api::user_reader`) for every call.
pub struct UsersArg<C> {
    pub chunks: C,
    pub count: usize,
}

/// `users`; `chunks`: the packed chunks the call came with, if any.
fn users_arg<C>(v: &Val, chunks: Option<C>) -> Result<UsersArg<C>, ValidationError> {
    match (v, chunks) {
        (Val::Chunked(count), Some(chunks)) => Ok(UsersArg {
            chunks,
            count: *count,
        }),
        // An array pack.js did not pack apart: not a packing of ours.
        (Val::Array(_), _) => Err(crate::api::input::unpackable()),
        (Val::Undefined, _) => Err(required("users")),
        (other, _) => Err(ValidationError::new(
            "users",
            rules::PARAMS_TYPE,
            format!(
                "must be an array of {{ id, fields? }}; got {}",
                other.type_name()
            ),
        )),
    }
}

/// `userType`, the optional `schema` and where the users are, of an add call or of
/// `validateCustomerFileUsers`; `chunks`: the packed chunks the call came with, if any.
pub fn users<C>(
    p: &Val,
    chunks: Option<C>,
) -> Result<(UserType, Option<Schema>, UsersArg<C>), ValidationError> {
    let ty = user_type(p)?;
    let schema = match p.get("schema") {
        Val::Undefined => None,
        v => Some(schema(v, "schema")?),
    };
    Ok((ty, schema, users_arg(p.get("users"), chunks)?))
}

/// `addCustomerFileUsers`: the file and the channel (the users: [`users`]).
#[inline]
pub fn add_target(p: &Val) -> Result<(u64, ChannelPublicId), ValidationError> {
    Ok((the_file_id(p)?, channel(p)?))
}

/// An add call lists at least one user (checked after the users themselves).
#[inline]
pub fn require_users(count: usize) -> Result<(), ValidationError> {
    if count == 0 {
        return Err(ValidationError::new(
            "users",
            rules::USERS_EMPTY,
            "must list at least one user",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::packed::args;
    use super::*;

    fn one(text: &str) -> Val<'_> {
        args(text).unwrap().into_iter().next().unwrap()
    }

    fn rule<T>(r: Result<T, ValidationError>) -> (String, &'static str) {
        let e = r.err().unwrap();
        (e.field, e.rule)
    }

    #[test]
    fn a_check_takes_a_token_or_a_user_id_never_both() {
        let both = one("1\0o3\0schannelIds\0a1\0s_a\0saccessToken\0stok-1\0suserId\0n5");
        assert_eq!(
            rule(check(&both)),
            ("params".into(), rules::PARAMS_EXCLUSIVE.as_str())
        );
        let neither = one("1\0o1\0schannelIds\0a1\0s_a");
        assert_eq!(
            rule(check(&neither)),
            ("params".into(), rules::PARAMS_REQUIRED.as_str())
        );
        let token = one("1\0o2\0schannelIds\0a1\0s_a\0saccessToken\0stok-1");
        let c = check(&token).unwrap();
        assert_eq!((c.token, c.asked()), (Some("tok-1"), None));
        let user = one("1\0o2\0schannelIds\0a1\0s_a\0suserId\0s42");
        let c = check(&user).unwrap();
        assert_eq!(c.asked().map(|u| u.get()), Some(42));
        assert_eq!(c.channels.len(), 1);
        let no_channels = one("1\0o1\0suserId\0n5");
        assert_eq!(
            rule(check(&no_channels)),
            ("channelIds".into(), rules::PARAMS_REQUIRED.as_str())
        );
    }

    #[test]
    fn a_multi_check_dedupes_and_takes_channels_optionally() {
        let p = one("1\0o1\0suserIds\0a3\0n1\0s2\0n1");
        let m = multi(&p).unwrap();
        assert_eq!(m.asked.iter().map(|u| u.get()).collect::<Vec<_>>(), [1, 2]);
        assert!(m.channels.is_none());
        assert_eq!(
            rule(multi(&one("1\0o0"))),
            ("userIds".into(), rules::PARAMS_REQUIRED.as_str())
        );
    }

    #[test]
    fn customer_file_params_name_what_is_missing() {
        let p = one("1\0o2\0schannelPublicId\0s_a\0sfileName\0sf");
        assert_eq!(
            rule(register(&p)),
            ("schema".into(), rules::PARAMS_REQUIRED.as_str())
        );
        let p = one("1\0o3\0sfileId\0n7\0schannelPublicId\0s_a\0suserType\0sapp");
        assert_eq!(
            rule(delete(&p)),
            ("userIds".into(), rules::PARAMS_REQUIRED.as_str())
        );
        let p =
            one("1\0o4\0sfileId\0n7\0schannelPublicId\0s_a\0suserType\0sapp\0suserIds\0a1\0s123");
        let d = delete(&p).unwrap();
        assert_eq!((d.file_id, d.ids.len()), (7, 1));
        assert_eq!(
            rule(require_users(0)),
            ("users".into(), rules::USERS_EMPTY.as_str())
        );
        assert!(require_users(1).is_ok());
    }

    #[test]
    fn users_come_chunked_only_with_chunks() {
        let p = one("1\0o2\0suserType\0sapp\0susers\0c3");
        assert!(matches!(
            users(&p, Some("chunks")),
            Ok((
                _,
                None,
                UsersArg {
                    chunks: "chunks",
                    count: 3
                }
            ))
        ));
        assert_eq!(
            rule(users::<()>(&p, None)),
            ("users".into(), rules::PARAMS_TYPE.as_str())
        );
        // An array left inline is not pack.js's packing.
        let p = one("1\0o2\0suserType\0sapp\0susers\0a0");
        assert_eq!(
            rule(users::<()>(&p, None)),
            ("params".into(), rules::PARAMS_TYPE.as_str())
        );
        assert_eq!(
            rule(users(&one("1\0o1\0suserType\0sapp"), Some(()))),
            ("users".into(), rules::PARAMS_REQUIRED.as_str())
        );
    }
}
