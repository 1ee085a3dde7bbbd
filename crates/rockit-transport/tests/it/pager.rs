//! The generic pager over a listing that is not the Tasks API's: `GET /be/v1/roles` answering a
//! `ListResponse` under `"roles"`, served by a small axum app whose listing changes between pages,
//! which counts or not and caps the page size as it likes.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rockit_model::{Endpoint, ListKey, ListResponse, Method, PagedEndpoint, PathSegments, QueryPairs};
use rockit_transport::{Client, Credentials, PageError, Pager, RetryPolicy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Role {
    name: String,
}

enum Roles {}

impl ListKey for Roles {
    const KEY: &'static str = "roles";
}

/// `GET /be/v1/roles?offset=…&limit=…`, by name.
#[derive(Debug, Clone, Default)]
struct ListRoles {
    offset: u64,
    limit: Option<u32>,
}

impl Endpoint for ListRoles {
    type Response = ListResponse<Role, Roles>;

    fn method(&self) -> Method {
        Method::Get
    }

    fn path(&self) -> PathSegments<'_> {
        PathSegments::from_static(&["be", "v1", "roles"])
    }

    fn query(&self) -> QueryPairs<'_> {
        let mut pairs = QueryPairs::new();
        pairs.push("offset", self.offset.to_string());
        if let Some(limit) = self.limit {
            pairs.push("limit", limit.to_string());
        }
        pairs
    }
}

impl PagedEndpoint for ListRoles {
    type Key = String;

    fn key(role: &Role) -> &String {
        &role.name
    }

    fn page_offset(&self) -> u64 {
        self.offset
    }

    fn page_limit(&self) -> Option<u32> {
        self.limit
    }

    fn with_page(&self, offset: u64, limit: u32) -> Self {
        Self { offset, limit: Some(limit) }
    }
}

/// How the listing changes between two requests.
type Change = fn(&mut BTreeSet<String>);

/// The server's listing and its habits.
#[derive(Default)]
struct Listing {
    names: BTreeSet<String>,
    /// Whether answers carry `totalCount`.
    counts: bool,
    /// Added to the count it sends: a server whose count promises more than its pages hold.
    overcount: u64,
    /// The largest page it serves, whatever the limit asked.
    cap: usize,
    /// Requests so far.
    requests: usize,
    /// Run before answering request N (1-based): how the listing changes meanwhile.
    change: Option<(usize, Change)>,
    /// Answer request N with 503.
    fail: Option<usize>,
}

/// The value of `key` in a query string of plain numbers.
fn number(query: Option<&str>, key: &str) -> Option<usize> {
    query?.split('&').find_map(|pair| pair.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
}

type Shared = Arc<Mutex<Listing>>;

async fn roles(State(listing): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let mut listing = listing.lock().unwrap_or_else(PoisonError::into_inner);
    listing.requests += 1;
    let request = listing.requests;
    if let Some((at, change)) = listing.change
        && at == request
    {
        change(&mut listing.names);
    }
    if listing.fail == Some(request) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let (offset, limit) =
        (number(query.as_deref(), "offset").unwrap_or(0), number(query.as_deref(), "limit"));
    let limit = limit.unwrap_or(10).min(listing.cap);
    let items: Vec<Role> =
        listing.names.iter().skip(offset).take(limit).map(|name| Role { name: name.clone() }).collect();
    let mut answer = ListResponse::<Role, Roles>::success(items);
    if listing.counts {
        answer = answer.total_count(listing.names.len() as u64 + listing.overcount);
    }
    axum::Json(answer).into_response()
}

fn name(index: usize) -> String {
    format!("role-{index:04}")
}

/// A server with `count` roles, and a client for it that does not retry.
async fn serve(count: usize, configure: impl FnOnce(&mut Listing)) -> (Client, Shared) {
    let mut listing =
        Listing { names: (0..count).map(name).collect(), counts: true, cap: 1000, ..Listing::default() };
    configure(&mut listing);
    let shared = Arc::new(Mutex::new(listing));
    let app = axum::Router::new().route("/be/v1/roles", axum::routing::get(roles)).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder()
        .base_url(url)
        .credentials(Credentials::api_key("ExampleOrg", "adminPrincipal", "k"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (client, shared)
}

async fn drain(pager: &mut Pager<ListRoles>) -> Vec<String> {
    let mut seen = Vec::new();
    let collect = async {
        while let Some(role) = pager.try_next().await.unwrap() {
            seen.push(role.name);
        }
    };
    tokio::time::timeout(Duration::from_secs(20), collect).await.expect("the listing ends");
    seen
}

fn requests(shared: &Shared) -> usize {
    shared.lock().unwrap_or_else(PoisonError::into_inner).requests
}

#[tokio::test]
async fn a_listing_without_a_count_ends_even_when_the_server_caps_its_pages() {
    let (client, shared) = serve(100, |listing| {
        listing.counts = false;
        listing.cap = 7;
    })
    .await;
    let mut pager = Pager::new(client, ListRoles::default());
    let seen = drain(&mut pager).await;
    assert_eq!(seen, (0..100).map(name).collect::<Vec<_>>());
    // Pages of 7 overlapping by one: 1 + ceil(93 / 6) = 17 pages, and one that brings nothing new.
    assert_eq!(requests(&shared), 18);
    assert_eq!(pager.report().last_total, None);
    assert!(!pager.report().may_have_missed());
}

#[tokio::test]
async fn items_coming_and_going_mid_listing_are_neither_repeated_nor_missed() {
    // Before the third page: two roles inserted before the cursor, one removed before it, one
    // added at the end.
    let (client, _) = serve(50, |listing| {
        listing.change = Some((3, |names| {
            names.insert("role-0000a".to_owned());
            names.insert("role-0001a".to_owned());
            names.remove(&name(3));
            names.insert("role-9999".to_owned());
        }));
    })
    .await;
    let mut pager = Pager::new(client, ListRoles { offset: 0, limit: Some(10) });
    let seen = drain(&mut pager).await;
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no role twice: {seen:?}");
    for index in (0..50).filter(|index| *index != 3) {
        assert!(unique.contains(&name(index)), "{} missing", name(index));
    }
    assert!(unique.contains(&"role-9999".to_owned()), "a role added ahead of the cursor is listed");
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "in key order");
    let report = pager.report();
    assert!(report.total_changed && !report.may_have_missed(), "{report:?}");
}

#[tokio::test]
async fn a_failed_page_names_its_offset_and_the_next_poll_fetches_it_again() {
    let (client, shared) = serve(30, |listing| listing.fail = Some(2)).await;
    let mut pager = Pager::new(client, ListRoles { offset: 0, limit: Some(10) }).prefetch(true);
    let mut seen = Vec::new();
    let err = loop {
        match pager.try_next().await {
            Ok(Some(role)) => seen.push(role.name),
            Ok(None) => panic!("the second page was to fail"),
            Err(err) => break err,
        }
    };
    assert!(matches!(err, PageError::Fetch { offset: 9, .. }), "{err:?}");
    assert_eq!(err.transport_error().and_then(rockit_transport::Error::status), Some(503));
    assert!(err.to_string().starts_with("page at offset 9: "), "{err}");
    seen.extend(drain(&mut pager).await);
    assert_eq!(seen, (0..30).map(name).collect::<Vec<_>>());
    assert_eq!(requests(&shared), 5, "four pages and the failed one again");
    let position = pager.position();
    assert_eq!((position.offset, position.last), (30, Some(name(29))));
}

#[tokio::test]
async fn an_uncounted_capped_listing_that_steps_back_still_reaches_its_end() {
    // Pages capped at 100 under the 500 asked for, no count, and five roles before the cursor
    // removed before the eleventh request: the pager steps back onto a page of roles it has all
    // seen, which is full (as full as this server's pages come), so the listing goes on.
    let (client, _) = serve(3000, |listing| {
        listing.counts = false;
        listing.cap = 100;
        listing.change = Some((11, |names| {
            for index in 100..105 {
                names.remove(&name(index));
            }
        }));
    })
    .await;
    let mut pager = Pager::new(client, ListRoles::default());
    let seen = drain(&mut pager).await;
    let expected: Vec<String> = (0..3000).map(name).collect();
    assert_eq!(seen.len(), expected.len(), "every role once, those removed after they were listed too");
    assert_eq!(seen, expected);
    assert!(pager.report().steps_back > 0, "{:?}", pager.report());
}

#[tokio::test]
async fn a_count_that_promises_more_than_the_pages_hold_ends_the_listing_as_incomplete() {
    let (client, shared) = serve(25, |listing| listing.overcount = 5).await;
    let mut pager = Pager::new(client, ListRoles { offset: 0, limit: Some(10) });
    let seen = drain(&mut pager).await;
    assert_eq!(seen, (0..25).map(name).collect::<Vec<_>>());
    assert!(pager.report().incomplete && pager.report().may_have_missed(), "{:?}", pager.report());
    assert!(requests(&shared) <= 5, "{} requests", requests(&shared));
}
