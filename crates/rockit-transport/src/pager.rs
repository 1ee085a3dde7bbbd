//! `Pager`: every item of an offset-paged listing ([`PagedEndpoint`]), page by page, lazily,
//! exactly once.
//!
//! Offsets shift when items are added or removed during a listing. In the server's default order
//! (ascending by the endpoint's key, which the pager checks on every page) the pager keeps a
//! cursor, the last key it yielded, and asks for each page from one position early, so that the
//! page must begin with an item it has already seen: items inserted before the cursor are skipped
//! as seen, and when items before the cursor were removed the first item is a new one, so the
//! pager steps back until the overlap is found again. Every item that exists throughout the
//! listing is then yielded exactly once, in order. With an order of the request's own the pager can
//! only drop repeats of the previous page; [`ListingReport::total_changed`] tells callers that
//! such a listing may be incomplete.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use rockit_model::{Page, PageItem, PagedEndpoint};
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Error;

/// The page size of a pager whose request sets no limit: a server's default of 10 would cost a
/// request per ten items. 500, as kubectl pages, is measured against the emulator at 200,000 tasks
/// (`rockit tasks list --all`): 100 per page took 31.8 s, 500 took 8.5 s, 1000 took 3.7 s on a
/// loaded 2-core machine. The emulator accepts up to 1000; the vendor publishes no maximum, so the
/// default stays below it, and a server that caps pages smaller is paged through all the same.
pub const DEFAULT_PAGE_LIMIT: u32 = 500;

/// Steps back at most this many times for one page; after that the pager goes on and the report
/// says the listing may be incomplete.
pub const MAX_STEPS_BACK: u32 = 64;

/// How far a pager has come: save it to resume a listing later with [`Pager::resume`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagePosition<K> {
    /// The offset of the first item not yet seen, as far as the pager knows.
    pub offset: u64,
    /// The key of the last item yielded, if any; in the default order, the pager resumes after it.
    pub last: Option<K>,
}

impl<K> Default for PagePosition<K> {
    fn default() -> Self {
        Self { offset: 0, last: None }
    }
}

/// What a listing observed; see [`Pager::report`].
///
/// `#[non_exhaustive]`: new observations may join these without a breaking change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
// Independent observations, each read on its own: a state machine would hide them.
#[allow(clippy::struct_excessive_bools)]
pub struct ListingReport {
    /// Whether the request asked for a sort order of its own, which gives the weaker guarantee:
    /// only repeats of the previous page can be dropped.
    pub custom_order: bool,
    /// Pages requested (steps back included).
    pub pages: u64,
    /// Items yielded.
    pub yielded: u64,
    /// Items dropped because they had been yielded already (they moved across a page boundary).
    pub skipped_repeats: u64,
    /// Times the pager stepped back because items before its cursor disappeared.
    pub steps_back: u64,
    /// `totalCount` of the first page, if the server counts.
    pub first_total: Option<u64>,
    /// `totalCount` of the latest page, if the server counts.
    pub last_total: Option<u64>,
    /// Whether `totalCount` changed during the listing: items were added or removed meanwhile, and
    /// with a custom sort order the listing may have missed some.
    pub total_changed: bool,
    /// Whether a page came back out of key order although no sort order was asked for; the pager
    /// then fell back to dropping repeats of the previous page only, as for a custom order.
    pub unordered: bool,
    /// Whether the pager gave up: looking for its place after items disappeared (more than
    /// [`MAX_STEPS_BACK`] steps back for one page), or because pages stopped bringing anything
    /// new before the count (`totalCount`) was reached. Items may be missing from the listing.
    ///
    /// Without a count, items that come and go during a listing in an order of its own cannot be
    /// noticed, so its report cannot say it may have missed some.
    pub incomplete: bool,
}

impl ListingReport {
    /// Whether the listing may have missed items that existed throughout it: items came or went
    /// while it ran and it could not keep its place by key (a custom order, or pages that came
    /// back out of key order), or it gave up looking for its place.
    ///
    /// In the default order a listing keeps its place by key, so items coming and going never make
    /// it miss one; this is then `false` unless it gave up.
    pub fn may_have_missed(&self) -> bool {
        self.missed_reason().is_some()
    }

    /// Why the listing may have missed items, if it may have: for a display to say.
    pub fn missed_reason(&self) -> Option<MissedReason> {
        if self.incomplete {
            Some(MissedReason::GaveUp)
        } else if !self.total_changed {
            None
        } else if self.custom_order {
            Some(MissedReason::ChangedInCustomOrder)
        } else if self.unordered {
            Some(MissedReason::ChangedOutOfOrder)
        } else {
            None
        }
    }
}

/// Why a listing may have missed items ([`ListingReport::missed_reason`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissedReason {
    /// Items came or went while a listing in a sort order of its own ran: only repeats of the
    /// previous page could be dropped.
    ChangedInCustomOrder,
    /// Items came or went while pages came back out of key order.
    ChangedOutOfOrder,
    /// The pager gave up looking for its place after items disappeared.
    GaveUp,
}

impl fmt::Display for MissedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ChangedInCustomOrder => {
                "items were added or removed during the listing; in a sort order of its own it may have missed some"
            }
            Self::ChangedOutOfOrder => {
                "items were added or removed during the listing, whose pages came out of order; it may have missed some"
            }
            Self::GaveUp => {
                "items disappeared during the listing faster than it could find its place again; it may have missed some"
            }
        })
    }
}

/// A page that could not be had. The pager can be polled again to fetch it anew.
#[derive(Debug)]
pub enum PageError {
    /// The request for the page at `offset` failed.
    Fetch {
        /// The offset of the page.
        offset: u64,
        /// The transport's error, with status, API code and attempts.
        source: Error,
    },
    /// A prefetch running in the background was cancelled or panicked.
    Background {
        /// The offset of the page.
        offset: u64,
        /// What the runtime reported.
        source: tokio::task::JoinError,
    },
}

impl PageError {
    /// The offset of the page that could not be had.
    pub fn offset(&self) -> u64 {
        match self {
            Self::Fetch { offset, .. } | Self::Background { offset, .. } => *offset,
        }
    }

    /// The transport's error, if the request failed.
    pub fn transport_error(&self) -> Option<&Error> {
        match self {
            Self::Fetch { source, .. } => Some(source),
            Self::Background { .. } => None,
        }
    }

    /// Whether trying the page again may succeed: a retryable transport error, or a cancelled
    /// prefetch.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Fetch { source, .. } => source.is_retryable(),
            Self::Background { source, .. } => source.is_cancelled(),
        }
    }
}

/// One line that says everything; `source()` goes on below it without repeating it.
impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fetch { offset, source } => write!(f, "page at offset {offset}: {source}"),
            Self::Background { offset, .. } => {
                write!(f, "page at offset {offset}: the background fetch failed")
            }
        }
    }
}

impl std::error::Error for PageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // The line already ends with the transport error's text.
            Self::Fetch { source, .. } => std::error::Error::source(source),
            Self::Background { source, .. } => Some(source),
        }
    }
}

type Fetch<R> = Pin<Box<dyn Future<Output = crate::Result<R>> + Send>>;

enum InFlight<R> {
    /// Polled only when the consumer polls the pager.
    Inline(Fetch<R>),
    /// Running on the runtime while the consumer works through the current page.
    Spawned(tokio::task::JoinHandle<crate::Result<R>>),
}

/// Every item of a listing, once each, holding about one page in memory (two with prefetching):
/// a [`Stream`] of `Result<item, PageError>`, or [`try_next`](Self::try_next) without a stream
/// trait.
///
/// After an error the pager can be polled again to retry the failed page, or dropped.
///
/// ```no_run
/// # async fn roles(client: rockit_transport::Client, request: rockit_model::ListTasks) -> Result<(), rockit_transport::PageError> {
/// use rockit_transport::Pager;
///
/// let mut pager = Pager::new(client, request);
/// while let Some(task) = pager.try_next().await? {
///     println!("{}", task.name);
/// }
/// assert!(!pager.report().may_have_missed());
/// # Ok(())
/// # }
/// ```
pub struct Pager<E: PagedEndpoint> {
    client: Client,
    request: E,
    limit: u32,
    keyed: bool,
    prefetch: bool,
    buffer: VecDeque<PageItem<E>>,
    in_flight: Option<(u64, InFlight<E::Response>)>,
    next_offset: u64,
    last: Option<E::Key>,
    previous_page: HashSet<E::Key>,
    steps_back_for_page: u32,
    /// The most items one page has held: what a full page holds on a server that caps pages.
    largest_page: u64,
    done: bool,
    report: ListingReport,
}

impl<E> Pager<E>
where
    E: PagedEndpoint + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    /// Every item `request` lists, from its own offset, pages of its own limit (else
    /// [`DEFAULT_PAGE_LIMIT`]), one page fetched at a time.
    pub fn new(client: Client, request: E) -> Self {
        Self::resume(client, request, PagePosition::default())
    }

    /// Goes on from `position` (see [`Pager::position`]): in the default order, after the last
    /// item yielded, wherever it has moved meanwhile.
    pub fn resume(client: Client, request: E, position: PagePosition<E::Key>) -> Self {
        let keyed = !request.has_custom_order();
        // The overlap costs one item per page, so a page must hold at least two.
        let limit = request.page_limit().unwrap_or(DEFAULT_PAGE_LIMIT).max(2);
        let next_offset = if position.last.is_none() {
            position.offset.max(request.page_offset())
        } else {
            position.offset
        };
        Self {
            client,
            request,
            limit,
            keyed,
            prefetch: false,
            buffer: VecDeque::new(),
            in_flight: None,
            next_offset,
            last: position.last,
            previous_page: HashSet::new(),
            steps_back_for_page: 0,
            largest_page: 0,
            done: false,
            report: ListingReport { custom_order: !keyed, ..ListingReport::default() },
        }
    }

    /// Fetches the next page on the runtime while the consumer works through the current one
    /// (holding up to two pages); without a Tokio runtime, pages are fetched as they are needed.
    #[must_use]
    pub fn prefetch(mut self, prefetch: bool) -> Self {
        self.prefetch = prefetch;
        self
    }

    /// Where the listing stands now; pass it to [`Pager::resume`] to go on later.
    pub fn position(&self) -> PagePosition<E::Key> {
        // Items still buffered have not been yielded: the position is right after the last one that was.
        let offset = self.next_offset.saturating_sub(self.buffer.len() as u64);
        PagePosition { offset, last: self.last.clone() }
    }

    /// What the listing has observed so far.
    pub fn report(&self) -> &ListingReport {
        &self.report
    }

    /// The request the pager pages through.
    pub fn request(&self) -> &E {
        &self.request
    }

    /// Items fetched and not yet yielded.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Whether the last page has been fetched: what is buffered is all that is left.
    pub fn fetched_all(&self) -> bool {
        self.done
    }

    /// The next item, `None` at the end of the listing: the pager consumed without importing a
    /// stream trait. After an error, calling it again retries the failed page.
    pub async fn try_next(&mut self) -> Result<Option<PageItem<E>>, PageError> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await.transpose()
    }

    /// The offset the next request starts at: in the default order, one early once an item has
    /// been seen, so that the page overlaps the last item of the previous one.
    fn fetch_offset(&self) -> u64 {
        let seen = self.last.is_some() || !self.buffer.is_empty();
        if self.keyed && seen { self.next_offset.saturating_sub(1) } else { self.next_offset }
    }

    fn start_fetch(&mut self, offset: u64) {
        if self.buffer.is_empty() {
            // Free the last page's allocation before the next page arrives.
            self.buffer = VecDeque::new();
        }
        let client = self.client.clone();
        let request = self.request.with_page(offset, self.limit);
        let fetch: Fetch<E::Response> = Box::pin(async move { client.execute(&request).await });
        self.report.pages += 1;
        // Equivalent mutant: `||` would spawn a fetch without prefetching too, which the pager
        // then awaits at once: the same requests, in the same order, with the same results.
        let in_flight = if self.prefetch && tokio::runtime::Handle::try_current().is_ok() {
            InFlight::Spawned(tokio::spawn(fetch))
        } else {
            InFlight::Inline(fetch)
        };
        self.in_flight = Some((offset, in_flight));
    }

    /// Takes in one page fetched at `offset`, or decides to step back and fetch again.
    fn accept(&mut self, offset: u64, page: E::Response) {
        let total = page.total();
        if total.is_some() {
            if self.report.first_total.is_none() {
                self.report.first_total = total;
            } else if self.report.last_total != total {
                self.report.total_changed = true;
            }
            self.report.last_total = total;
        }
        let len = page.items().len() as u64;

        if self.keyed && !page.items().windows(2).all(|pair| E::key(&pair[0]) < E::key(&pair[1])) {
            // The default order is not by key after all: keep only the weaker guarantee.
            self.keyed = false;
            self.report.unordered = true;
            if let Some(last) = &self.last {
                self.previous_page.insert(last.clone());
            }
        }
        if self.keyed
            && let Some(last) = &self.last
            && offset > 0
        {
            let lost_overlap = page.items().first().is_none_or(|first| E::key(first) > last);
            if lost_overlap {
                self.report.total_changed = true;
                if self.steps_back_for_page < MAX_STEPS_BACK {
                    // Items before the cursor disappeared; look further back for the overlap.
                    self.steps_back_for_page += 1;
                    self.report.steps_back += 1;
                    let back = offset.saturating_sub(u64::from(self.limit) - 1);
                    self.next_offset = back + 1;
                    return;
                }
                self.report.incomplete = true;
            }
        }
        self.steps_back_for_page = 0;
        self.largest_page = self.largest_page.max(len);
        let new = self.take_items(page.into_items(), len);
        let before = self.next_offset;
        self.next_offset = offset + len;
        // A page is full when it holds what the limit asks, or as much as the server has ever
        // sent: a server may cap pages below the limit.
        let full = len >= u64::from(self.limit).min(self.largest_page);
        let end = match total {
            Some(total) => offset + len >= total,
            // Without a count, a page that brings nothing new ends the listing, unless it was
            // full (items inserted before the cursor, or a step back, can fill a page with ones
            // already seen).
            None => new == 0 && !full,
        };
        if len == 0 || end {
            self.done = true;
        } else if new == 0 && self.next_offset <= before {
            // Nothing new and no step forward: the count promised items the pages do not hold
            // (or pages hold one item). Asking again would bring the same page forever.
            self.done = true;
            self.report.incomplete = total.is_some();
        }
    }

    /// Drops the items already yielded from a page's `items` (`len` of them as it came) and
    /// hands its allocation to the buffer: no second copy of a page is ever alive. Returns how
    /// many were new.
    fn take_items(&mut self, mut items: Vec<PageItem<E>>, len: u64) -> usize {
        let last = self.last.as_ref().filter(|_| self.keyed);
        let previous_page = &self.previous_page;
        items.retain(|item| match last {
            Some(last) => E::key(item) > last,
            None => !previous_page.contains(E::key(item)),
        });
        self.report.skipped_repeats += len - items.len() as u64;
        if !self.keyed {
            self.previous_page = items.iter().map(|item| E::key(item).clone()).collect();
        }
        let new = items.len();
        if self.buffer.is_empty() {
            self.buffer = VecDeque::from(items);
        } else {
            self.buffer.extend(items);
        }
        new
    }
}

impl<E> Stream for Pager<E>
where
    E: PagedEndpoint + Send + Sync + 'static,
    E::Response: Send + 'static,
{
    type Item = Result<PageItem<E>, PageError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.buffer.pop_front() {
                if this.keyed {
                    // Reuses the previous key's allocation: no allocation per item.
                    match &mut this.last {
                        Some(last) => last.clone_from(E::key(&item)),
                        empty => *empty = Some(E::key(&item).clone()),
                    }
                }
                if this.buffer.is_empty() && !this.done && this.prefetch && this.in_flight.is_none() {
                    this.start_fetch(this.fetch_offset());
                }
                this.report.yielded += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            if this.in_flight.is_none() {
                this.start_fetch(this.fetch_offset());
            }
            let Some((offset, in_flight)) = this.in_flight.as_mut() else { continue };
            let offset = *offset;
            let result = match in_flight {
                InFlight::Inline(fetch) => ready!(fetch.as_mut().poll(cx)),
                InFlight::Spawned(handle) => match ready!(Pin::new(handle).poll(cx)) {
                    Ok(result) => result,
                    Err(source) => {
                        this.in_flight = None;
                        return Poll::Ready(Some(Err(PageError::Background { offset, source })));
                    }
                },
            };
            this.in_flight = None;
            match result {
                Ok(page) => {
                    this.accept(offset, page);
                    if !this.done && this.prefetch && !this.buffer.is_empty() {
                        this.start_fetch(this.fetch_offset());
                    }
                }
                Err(source) => return Poll::Ready(Some(Err(PageError::Fetch { offset, source }))),
            }
        }
    }
}

// Nothing of a pager is ever pinned in place (its fetches are boxed), so it moves freely whatever
// its request and items are.
impl<E: PagedEndpoint> Unpin for Pager<E> {}

impl<E: PagedEndpoint> Drop for Pager<E> {
    fn drop(&mut self) {
        if let Some((_, InFlight::Spawned(handle))) = &self.in_flight {
            handle.abort();
        }
    }
}

impl<E: PagedEndpoint + fmt::Debug> fmt::Debug for Pager<E>
where
    E::Key: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = self.next_offset.saturating_sub(self.buffer.len() as u64);
        f.debug_struct("Pager")
            .field("request", &self.request)
            .field("position", &PagePosition { offset, last: self.last.as_ref() })
            .field("buffered", &self.buffer.len())
            .field("done", &self.done)
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_listing_that_could_not_keep_its_place_may_have_missed_items() {
        let report = |custom_order, unordered, total_changed, incomplete| ListingReport {
            custom_order,
            total_changed,
            unordered,
            incomplete,
            ..ListingReport::default()
        };
        // In key order a changing listing keeps its place: nothing is missed.
        assert!(!report(false, false, true, false).may_have_missed());
        assert!(!report(false, false, false, false).may_have_missed());
        // A custom order, or pages out of key order, with items coming and going.
        assert!(report(true, false, true, false).may_have_missed());
        assert!(report(false, true, true, false).may_have_missed());
        assert!(!report(true, true, false, false).may_have_missed());
        // Giving up on finding its place, whatever else happened.
        assert!(report(false, false, false, true).may_have_missed());
    }
}
