//! The query of `GET /be/v1/tasks`: parsing the raw query string (repeated keys included) into a
//! `ListQuery`, and the sort keys of `order[]`.

use crate::api_error::{ApiError, shown};
use crate::task::{GROUPS, group_kinds};

/// The page size when `limit` is absent (documented by the vendor; defined in `rockit-model`).
const DEFAULT_LIMIT: usize = rockit_model::DEFAULT_LIMIT as usize;

/// The largest `limit` the emulator accepts; larger values get `400 invalid-param` (a **guess**:
/// the vendor publishes no maximum).
pub const MAX_LIMIT: usize = 1000;

/// A parsed list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub(crate) offset: u64,
    pub(crate) limit: usize,
    pub(crate) app: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) group: Option<&'static [&'static str]>,
    pub(crate) created_after: Option<u64>,
    pub(crate) created_before: Option<u64>,
    pub(crate) acknowledged: Option<bool>,
    pub(crate) build: Option<u32>,
    pub(crate) order: Vec<SortKey>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: DEFAULT_LIMIT,
            app: None,
            status: None,
            kind: None,
            group: None,
            created_after: None,
            created_before: None,
            acknowledged: None,
            build: None,
            order: Vec::new(),
        }
    }
}

/// A field `order[]` can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortField {
    Name,
    Status,
    Service,
    Type,
    Created,
}

/// One sort key: a field and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SortKey {
    pub(crate) field: SortField,
    pub(crate) descending: bool,
}

impl ListQuery {
    /// Whether any filter is set.
    pub(crate) fn filters(&self) -> bool {
        self.app.is_some()
            || self.status.is_some()
            || self.kind.is_some()
            || self.group.is_some()
            || self.created_after.is_some()
            || self.created_before.is_some()
            || self.acknowledged.is_some()
            || self.build.is_some()
    }

    /// Parses a raw query string. A parameter given more than once counts with its last value,
    /// except `order[]`, whose values all apply in order. Unknown parameters are ignored, and so are
    /// empty values of the text filters (`appName`, `status`, `type`, `group`).
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let mut query = Self::default();
        let Some(raw) = raw else { return Ok(query) };
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            let value = value.as_ref();
            match key.as_ref() {
                "offset" => query.offset = parse_u64("offset", value)?,
                "limit" => query.limit = parse_limit(value)?,
                "appName" => query.app = non_empty(value),
                "status" => query.status = non_empty(value),
                "type" => query.kind = non_empty(value),
                "group" => query.group = parse_group(value)?,
                "createdAfter" => query.created_after = Some(parse_u64("createdAfter", value)?),
                "createdBefore" => query.created_before = Some(parse_u64("createdBefore", value)?),
                "acknowledged" => query.acknowledged = Some(parse_bool("acknowledged", value)?),
                "build" => query.build = Some(parse_build(value)?),
                "order[]" | "order" => query.order.push(parse_sort_key(value)?),
                _ => {}
            }
        }
        Ok(query)
    }
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn parse_u64(name: &str, value: &str) -> Result<u64, ApiError> {
    value.parse::<u64>().map_err(|_| {
        ApiError::invalid_param(format!(
            "invalid {name} {}: expected a whole number from 0 to {}",
            shown(value),
            u64::MAX
        ))
    })
}

fn parse_limit(value: &str) -> Result<usize, ApiError> {
    match value.parse::<u64>() {
        Ok(limit @ 1..) if usize::try_from(limit).is_ok_and(|limit| limit <= MAX_LIMIT) => {
            Ok(usize::try_from(limit).unwrap_or(MAX_LIMIT))
        }
        Ok(0) => Err(ApiError::invalid_param(format!(
            "invalid limit \"0\": expected a whole number from 1 to {MAX_LIMIT}"
        ))),
        Ok(_) => Err(ApiError::invalid_param(format!(
            "invalid limit {}: the maximum is {MAX_LIMIT}; page with offset to see more",
            shown(value)
        ))),
        Err(_) => Err(ApiError::invalid_param(format!(
            "invalid limit {}: expected a whole number from 1 to {MAX_LIMIT}",
            shown(value)
        ))),
    }
}

fn parse_build(value: &str) -> Result<u32, ApiError> {
    value.parse::<u32>().map_err(|_| {
        ApiError::invalid_param(format!(
            "invalid build {}: expected a build number from 0 to {}, such as 2 for 0002",
            shown(value),
            u32::MAX
        ))
    })
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::invalid_param(format!("invalid {name} {}: expected true or false", shown(value)))),
    }
}

fn parse_group(value: &str) -> Result<Option<&'static [&'static str]>, ApiError> {
    if value.is_empty() {
        return Ok(None);
    }
    group_kinds(value).map(Some).ok_or_else(|| {
        let known: Vec<&str> = GROUPS.iter().map(|(name, _)| *name).collect();
        ApiError::invalid_param(format!(
            "unknown group {}: expected one of {}",
            shown(value),
            known.join(", ")
        ))
    })
}

/// Reads `+field`, `-field` or `field`. A leading space counts as `+`, because an unencoded `+`
/// in a query string decodes to a space.
fn parse_sort_key(value: &str) -> Result<SortKey, ApiError> {
    let (descending, field) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+' | b' ') => (false, &value[1..]),
        _ => (false, value),
    };
    let field = match field {
        "name" => SortField::Name,
        "status" => SortField::Status,
        "service" => SortField::Service,
        "type" => SortField::Type,
        "created" => SortField::Created,
        _ => {
            return Err(ApiError::invalid_param(format!(
                "unknown sort field {} in order[]: expected name, status, service, type or created, \
                 optionally prefixed with + or -",
                shown(value)
            )));
        }
    };
    Ok(SortKey { field, descending })
}

#[cfg(test)]
mod tests {
    use rockit_model::ApiStatus;

    use super::*;

    #[test]
    fn absent_query_is_the_default_page() {
        assert_eq!(ListQuery::parse(None).unwrap(), ListQuery::default());
        assert_eq!(ListQuery::parse(Some("")).unwrap(), ListQuery::default());
    }

    #[test]
    fn every_parameter_is_read() {
        let query = ListQuery::parse(Some(
            "offset=3&limit=1000&appName=su&status=done&type=dltar&group=build&createdAfter=5\
             &createdBefore=9&acknowledged=false&build=0002&order%5B%5D=-created&order[]=%2Bname&order[]=+type&x=1",
        ))
        .unwrap();
        assert_eq!(query.offset, 3);
        assert_eq!(query.limit, MAX_LIMIT);
        assert_eq!(query.app.as_deref(), Some("su"));
        assert_eq!(query.status.as_deref(), Some("done"));
        assert_eq!(query.kind.as_deref(), Some("dltar"));
        assert_eq!(query.group, group_kinds("build"));
        assert_eq!((query.created_after, query.created_before), (Some(5), Some(9)));
        assert_eq!(query.acknowledged, Some(false));
        assert_eq!(query.build, Some(2));
        assert_eq!(
            query.order,
            [
                SortKey { field: SortField::Created, descending: true },
                SortKey { field: SortField::Name, descending: false },
                SortKey { field: SortField::Type, descending: false },
            ]
        );
    }

    #[test]
    fn invalid_values_name_the_parameter() {
        for (raw, needle) in [
            ("offset=-1", "invalid offset \"-1\""),
            ("limit=0", "invalid limit \"0\""),
            ("limit=1001", "the maximum is 1000"),
            ("limit=99999999999999999999", "invalid limit"),
            ("limit=ten", "invalid limit \"ten\""),
            ("acknowledged=yes", "invalid acknowledged \"yes\""),
            ("group=deploy", "unknown group \"deploy\""),
            ("order[]=-size", "unknown sort field \"-size\""),
            ("createdAfter=yesterday", "invalid createdAfter"),
            ("build=-1", "invalid build \"-1\""),
            ("build=4294967296", "invalid build"),
        ] {
            let err = ListQuery::parse(Some(raw)).unwrap_err();
            assert_eq!(err.code(), &ApiStatus::InvalidParam, "{raw}");
            assert!(err.message().contains(needle), "{raw}: {}", err.message());
        }
    }

    #[test]
    fn last_value_wins_and_long_values_are_shortened() {
        let query = ListQuery::parse(Some("limit=5&limit=7")).unwrap();
        assert_eq!(query.limit, 7);
        let long = "x".repeat(500);
        let err = ListQuery::parse(Some(&format!("offset={long}"))).unwrap_err();
        assert!(err.message().len() < 200, "{}", err.message());
    }
}
