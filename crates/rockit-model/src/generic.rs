//! Generic response envelopes for endpoints outside the Tasks group, so that a downstream crate
//! adding a route writes its item type and nothing else: `StatusResponse`, an answer that is
//! `{"status": …}` and nothing a caller needs, and `ListResponse<T, K>`, a list of `T` under the
//! key that the marker `K` names (`ListKey`), with the envelope's `status` and `totalCount`.
//!
//! The vendor's envelopes start with `"status"` (the seed's list envelope, the error bodies); that
//! other endpoints follow the same pattern is a **guess**, which is why both types keep the fields
//! they do not model in `extra` instead of failing.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::vocab::ApiStatus;

/// An answer that is only `{"status": "success"}` (and perhaps fields nobody needs), for
/// endpoints such as `POST /be/v1/trigger` whose caller wants to know that it worked.
///
/// `rockit-transport` already turns a `2xx` whose top-level `status` is not `success` into an
/// error (see `Endpoint::checks_api_status`), so an endpoint with a richer answer needs no
/// envelope type at all: its own response type names the fields it wants, and serde ignores
/// `status`. This type is for the answers that have nothing else.
///
/// ```
/// use rockit_model::{ApiStatus, StatusResponse};
///
/// let answer: StatusResponse = serde_json::from_str(r#"{"status":"success","traceId":"t-1"}"#)?;
/// assert!(answer.is_success());
/// assert_eq!(answer.extra["traceId"], "t-1");
/// assert_eq!(serde_json::to_string(&StatusResponse::success())?, r#"{"status":"success"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusResponse {
    /// `success`, or an error code.
    pub status: ApiStatus,
    /// The fields besides `status`, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl StatusResponse {
    /// `{"status": "success"}`.
    pub fn success() -> Self {
        Self { status: ApiStatus::Success, extra: Map::new() }
    }

    /// Whether `status` is `success`.
    pub fn is_success(&self) -> bool {
        self.status == ApiStatus::Success
    }
}

/// Names the JSON key a [`ListResponse`] keeps its items under: implement it on a marker type.
///
/// ```
/// use rockit_model::ListKey;
///
/// /// The items of `GET /be/v1/apps` are under `"apps"`.
/// enum Apps {}
///
/// impl ListKey for Apps {
///     const KEY: &'static str = "apps";
/// }
/// ```
pub trait ListKey {
    /// The key of the items, such as `"apps"`. Neither `"status"` nor `"totalCount"`: those are
    /// the envelope's own.
    const KEY: &'static str;
}

/// A list envelope like the Tasks API's, `{"status": "success", "totalCount": N, "<key>": [...]}`,
/// generic over the item type `T` and the key (a [`ListKey`] marker `K`), for list endpoints this
/// SDK does not cover.
///
/// Decoding reads `status` (required), `totalCount` (optional: not every list may count) and the
/// items under `K::KEY` (required) in any order, and keeps every other field in
/// [`extra`](Self::extra). Encoding writes `status`, `totalCount` if known, the items, then
/// `extra`, so a test server answers exactly what a client decodes.
///
/// ```
/// use rockit_model::{ListKey, ListResponse};
///
/// enum Apps {}
/// impl ListKey for Apps {
///     const KEY: &'static str = "apps";
/// }
///
/// let page: ListResponse<String, Apps> =
///     serde_json::from_str(r#"{"status":"success","totalCount":3,"apps":["sushi","udon"]}"#)?;
/// assert_eq!(page.items, ["sushi", "udon"]);
/// assert_eq!(page.total_count, Some(3));
///
/// let answer = ListResponse::<&str, Apps>::success(vec!["gyoza"]).total_count(1);
/// assert_eq!(serde_json::to_string(&answer)?, r#"{"status":"success","totalCount":1,"apps":["gyoza"]}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub struct ListResponse<T, K> {
    /// `success`, or an error code.
    pub status: ApiStatus,
    /// How many items match the query in all, if the server says.
    pub total_count: Option<u64>,
    /// The items of this page, from the key `K::KEY`.
    pub items: Vec<T>,
    /// The fields besides `status`, `totalCount` and the items, kept as sent.
    pub extra: Map<String, Value>,
    key: PhantomData<fn() -> K>,
}

impl<T, K> ListResponse<T, K> {
    /// A successful answer with these items and no `totalCount`.
    pub fn success(items: Vec<T>) -> Self {
        Self { status: ApiStatus::Success, total_count: None, items, extra: Map::new(), key: PhantomData }
    }

    /// Sets `totalCount`.
    #[must_use]
    pub fn total_count(mut self, total_count: u64) -> Self {
        self.total_count = Some(total_count);
        self
    }

    /// The items, owned.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }
}

impl<T: fmt::Debug, K: ListKey> fmt::Debug for ListResponse<T, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListResponse")
            .field("key", &K::KEY)
            .field("status", &self.status)
            .field("total_count", &self.total_count)
            .field("items", &self.items)
            .field("extra", &self.extra)
            .finish()
    }
}

impl<T: Clone, K> Clone for ListResponse<T, K> {
    fn clone(&self) -> Self {
        Self {
            status: self.status.clone(),
            total_count: self.total_count,
            items: self.items.clone(),
            extra: self.extra.clone(),
            key: PhantomData,
        }
    }
}

impl<T: PartialEq, K> PartialEq for ListResponse<T, K> {
    fn eq(&self, other: &Self) -> bool {
        self.status == other.status
            && self.total_count == other.total_count
            && self.items == other.items
            && self.extra == other.extra
    }
}

const STATUS: &str = "status";
const TOTAL_COUNT: &str = "totalCount";

impl<T: Serialize, K: ListKey> Serialize for ListResponse<T, K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(STATUS, &self.status)?;
        if let Some(total_count) = self.total_count {
            map.serialize_entry(TOTAL_COUNT, &total_count)?;
        }
        map.serialize_entry(K::KEY, &self.items)?;
        for (key, value) in &self.extra {
            // A key the envelope writes itself is never written twice.
            if key != STATUS && key != TOTAL_COUNT && key != K::KEY {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

impl<'de, T: Deserialize<'de>, K: ListKey> Deserialize<'de> for ListResponse<T, K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ListVisitor(PhantomData))
    }
}

struct ListVisitor<T, K>(PhantomData<fn() -> (T, K)>);

impl<'de, T: Deserialize<'de>, K: ListKey> Visitor<'de> for ListVisitor<T, K> {
    type Value = ListResponse<T, K>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list envelope with its items under {:?}", K::KEY)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut status = None;
        let mut total_count = None;
        let mut items = None;
        let mut extra = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == K::KEY {
                if items.is_some() {
                    return Err(de::Error::duplicate_field(K::KEY));
                }
                items = Some(map.next_value::<Vec<T>>()?);
            } else if key == STATUS {
                if status.is_some() {
                    return Err(de::Error::duplicate_field(STATUS));
                }
                status = Some(map.next_value::<ApiStatus>()?);
            } else if key == TOTAL_COUNT {
                if total_count.is_some() {
                    return Err(de::Error::duplicate_field(TOTAL_COUNT));
                }
                total_count = Some(map.next_value::<Option<u64>>()?);
            } else {
                let value = map.next_value::<Value>()?;
                extra.insert(key, value);
            }
        }
        Ok(ListResponse {
            status: status.ok_or_else(|| de::Error::missing_field(STATUS))?,
            total_count: total_count.flatten(),
            items: items.ok_or_else(|| de::Error::missing_field(K::KEY))?,
            extra,
            key: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    enum Apps {}
    impl ListKey for Apps {
        const KEY: &'static str = "apps";
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct App {
        name: String,
    }

    type AppList = ListResponse<App, Apps>;

    #[test]
    fn list_fields_decode_in_any_order_and_unknown_ones_are_kept() {
        let body = br#"{"apps":[{"name":"sushi"}],"cursor":"c2","status":"success","totalCount":7}"#;
        let page: AppList = serde_json::from_slice(body).unwrap();
        assert_eq!(page.status, ApiStatus::Success);
        assert_eq!(page.total_count, Some(7));
        assert_eq!(page.items, [App { name: "sushi".to_owned() }]);
        assert_eq!(Value::Object(page.extra.clone()), json!({"cursor": "c2"}));
        // Encoding puts the envelope first and keeps the unknown field.
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            r#"{"status":"success","totalCount":7,"apps":[{"name":"sushi"}],"cursor":"c2"}"#
        );
    }

    #[test]
    fn list_without_a_count_and_with_a_null_count() {
        let page: AppList = serde_json::from_str(r#"{"status":"success","apps":[]}"#).unwrap();
        assert_eq!(page, AppList::success(Vec::new()));
        let page: AppList =
            serde_json::from_str(r#"{"status":"success","totalCount":null,"apps":[]}"#).unwrap();
        assert_eq!(page.total_count, None);
        assert_eq!(serde_json::to_string(&page).unwrap(), r#"{"status":"success","apps":[]}"#);
    }

    #[test]
    fn list_errors_name_the_field() {
        let missing = serde_json::from_str::<AppList>(r#"{"status":"success","tasks":[]}"#).unwrap_err();
        assert_eq!(missing.to_string(), "missing field `apps` at line 1 column 31");
        let no_status = serde_json::from_str::<AppList>(r#"{"apps":[]}"#).unwrap_err();
        assert_eq!(no_status.to_string(), "missing field `status` at line 1 column 11");
        let twice =
            serde_json::from_str::<AppList>(r#"{"status":"success","apps":[],"apps":[]}"#).unwrap_err();
        assert_eq!(twice.to_string(), "duplicate field `apps` at line 1 column 36");
        let not_an_object = serde_json::from_str::<AppList>("[]").unwrap_err();
        assert_eq!(
            not_an_object.to_string(),
            r#"invalid type: sequence, expected a list envelope with its items under "apps" at line 1 column 0"#
        );
    }

    #[test]
    fn list_encoding_never_repeats_an_envelope_key() {
        let mut page = AppList::success(Vec::new()).total_count(0);
        page.extra.insert("apps".to_owned(), json!("shadow"));
        page.extra.insert("status".to_owned(), json!("shadow"));
        page.extra.insert("next".to_owned(), json!(null));
        assert_eq!(
            serde_json::to_string(&page).unwrap(),
            r#"{"status":"success","totalCount":0,"apps":[],"next":null}"#
        );
        let copy = page.clone();
        assert_eq!(copy, page);
        assert!(
            format!("{copy:?}").starts_with(r#"ListResponse { key: "apps", status: success"#),
            "{copy:?}"
        );
    }

    #[test]
    fn status_response_keeps_what_else_was_sent() {
        let answer: StatusResponse = serde_json::from_str(r#"{"status":"missing-param","n":1}"#).unwrap();
        assert!(!answer.is_success());
        assert_eq!(answer.status, ApiStatus::MissingParam);
        assert_eq!(serde_json::to_string(&answer).unwrap(), r#"{"status":"missing-param","n":1}"#);
    }
}
