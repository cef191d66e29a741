//! A WABA's phone-number listing, pipelined. Paging is sequential (each page names the next),
//! so the one overlap there is to have is between asking for a page and decoding the last:
//! a paging task reads only `paging.next` from each answer and sends the next request at
//! once, while the caller decodes the rows of the page it was handed. Decoding first and
//! asking after cost every page its decoding time on top of the round trip (issue 14).
//!
//! What the sequential loop guaranteed still holds: every request goes through the client's
//! `send_with` (throttle check, retries of reads, usage headers, bounded bodies, the token
//! taken out), a link is only followed on the configured origin, a link back to a page already
//! read stops the listing, and so does `MAX_PAGES`. The paging task is at most two pages ahead
//! of the decoder (one waiting in a channel of one, one in flight), and a page whose rows do
//! not decode stops it: the request in flight for a later page is cancelled.

use std::collections::HashSet;

use reqwest::Method;
use serde::Deserialize;
use serde::de::IgnoredAny;
use tokio::sync::mpsc;
use url::Url;

use super::client::{GraphClient, MAX_PAGES, Resend, decode};
use super::errors::ApiError;
use super::types::{MINIMAL_FIELDS, NumberId, NumbersPage, Paging, PhoneNumber};

/// The listing's calls, beside the client's others (`client.rs`); kept here so that the
/// client knows nothing of how a listing is paged.
impl GraphClient {
    /// Every number of a WABA, following `paging.next` until it is absent (docs/graph-api-facts.md §3: short or
    /// empty pages do not mean the end). The next page is asked for while the last decodes
    /// (`listing`).
    pub async fn list_numbers(&self, waba: &NumberId) -> Result<Listed, ApiError> {
        // As for a single read: one field Meta does not know fails the whole listing, so a #100
        // on the first page is tried once more with the minimal set (docs/graph-api-facts.md §3, §7.8).
        match self.number_pages(waba, self.full_fields()).collect().await {
            Err(e) if e.code() == Some(100) => {
                self.number_pages(waba, MINIMAL_FIELDS).collect().await
            }
            other => other,
        }
    }

    /// The listing page by page, with the table's fields; the paging starts at once, in a task
    /// of the current tokio runtime (it must be called inside one).
    pub fn list_number_pages(&self, waba: &NumberId) -> NumberPages {
        self.number_pages(waba, self.full_fields())
    }

    fn number_pages(&self, waba: &NumberId, fields: &str) -> NumberPages {
        let mut url = self.url(&[waba.as_str(), "phone_numbers"]);
        url.query_pairs_mut()
            .append_pair("fields", fields)
            .append_pair("limit", "100");
        NumberPages::start(self, url)
    }
}

/// A listing's numbers, each boxed as its page is decoded: a row takes its box as it is. By
/// value (what clippy's `vec_box` asks for) 20,000 numbers were an 8 MB list standing beside
/// the rows' boxed copies of them until the last copy was made.
#[allow(clippy::vec_box)]
pub type Listed = Vec<Box<PhoneNumber>>;

/// What the paging task reads of a page: the link to the next one. `data` must be there (an
/// answer without it is no listing page, and is not followed) but is skipped, not decoded.
#[derive(Deserialize)]
struct PagingOnly {
    #[serde(rename = "data")]
    _data: IgnoredAny,
    #[serde(default)]
    paging: Option<Paging>,
}

/// One answer as the paging task hands it to the decoder.
struct RawPage {
    status: u16,
    content_type: String,
    /// The whole body, bounded and with the token already taken out by the client.
    body: Vec<u8>,
}

/// What the paging task sends, in page order.
enum Sent {
    Page(RawPage),
    /// The last page was sent: it had no `paging.next`.
    End,
    /// The listing stops here; the pages before this were all sent.
    Stop(Stop),
}

enum Stop {
    Failed(ApiError),
    /// `paging.next` named a page already read, after this many pages.
    Looped {
        pages: usize,
    },
    TooManyPages,
}

/// The pages of one listing, decoded as they are taken, while the next is already asked for.
/// Dropping it stops the paging task and any request it has in flight.
pub struct NumberPages {
    pages: mpsc::Receiver<Sent>,
    task: tokio::task::AbortHandle,
    /// Numbers decoded so far: the stop messages say how many were read.
    numbers: usize,
    done: bool,
}

impl Drop for NumberPages {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl NumberPages {
    /// Starts paging from `first` (the listing's URL, fields and limit set). Needs a tokio
    /// runtime, as every call of the client does.
    pub(super) fn start(client: &GraphClient, first: Url) -> NumberPages {
        // One page waiting beside the one in flight: enough to keep the requests going while
        // a page decodes, and bodies held stay at most three (each bounded by the client).
        let (sender, pages) = mpsc::channel(1);
        let task = tokio::spawn(follow(client.clone(), first, sender)).abort_handle();
        NumberPages {
            pages,
            task,
            numbers: 0,
            done: false,
        }
    }

    /// The rows of the next page, in page order; `None` after the last page or an error.
    pub async fn next_page(&mut self) -> Option<Result<Vec<PhoneNumber>, ApiError>> {
        if self.done {
            return None;
        }
        let result = match self.pages.recv().await {
            Some(Sent::Page(raw)) => {
                match decode::<NumbersPage>(raw.status, &raw.content_type, &raw.body) {
                    Ok(page) => {
                        self.numbers += page.data.len();
                        return Some(Ok(page.data));
                    }
                    Err(e) => {
                        tracing::warn!(target: "wareg::api", "a listing page did not decode: {e}");
                        Some(Err(e))
                    }
                }
            }
            Some(Sent::End) => None,
            Some(Sent::Stop(Stop::Failed(e))) => Some(Err(e)),
            Some(Sent::Stop(Stop::Looped { pages })) => Some(Err(ApiError::Refused(format!(
                "paging.next leads back to a page already read (after {}, {}): the listing is stopped there",
                crate::plural::count(pages, "page"),
                crate::plural::count(self.numbers, "number")
            )))),
            Some(Sent::Stop(Stop::TooManyPages)) => Some(Err(ApiError::Refused(format!(
                "the listing has more than {MAX_PAGES} pages ({} so far): stopped there",
                crate::plural::count(self.numbers, "number")
            )))),
            // The task ended without saying how: never a listing cut short in silence.
            None => Some(Err(ApiError::Network(
                "the listing stopped before its last page".into(),
            ))),
        };
        self.done = true;
        result
    }

    /// Every row of every page, or the first failure in page order; each number boxed as
    /// its page is taken (`Listed`).
    pub async fn collect(mut self) -> Result<Listed, ApiError> {
        let mut numbers = Vec::new();
        while let Some(page) = self.next_page().await {
            numbers.extend(page?.into_iter().map(Box::new));
        }
        Ok(numbers)
    }
}

/// The paging task: one request after the other, each sent as soon as the answer before it
/// named it. Ends when the decoder has gone (it stopped at a bad page) or with what stopped it.
async fn follow(client: GraphClient, first: Url, pages: mpsc::Sender<Sent>) {
    let stop = match follow_links(&client, first, &pages).await {
        Ok(()) => Sent::End,
        Err(stop) => Sent::Stop(stop),
    };
    let _ = pages.send(stop).await;
}

async fn follow_links(
    client: &GraphClient,
    first: Url,
    pages: &mpsc::Sender<Sent>,
) -> Result<(), Stop> {
    let mut url = first;
    // A server can send a link to a page already read (itself, or a cycle): stop there, and
    // at a cap far above any real fleet, rather than loop for ever.
    let mut seen = HashSet::new();
    loop {
        seen.insert(url.to_string());
        let (raw, next) = client
            .send_with(Method::GET, url, None, Resend::Allowed, paging_of)
            .await
            .map_err(Stop::Failed)?;
        client.count_listing_page();
        if pages.send(Sent::Page(raw)).await.is_err() {
            return Ok(()); // the decoder stopped: its error is the listing's
        }
        let Some(next) = next else {
            return Ok(());
        };
        url = client.same_origin(&next).map_err(Stop::Failed)?;
        if seen.contains(url.as_str()) {
            return Err(Stop::Looped { pages: seen.len() });
        }
        if seen.len() >= MAX_PAGES {
            return Err(Stop::TooManyPages);
        }
    }
}

/// The client's parse step for a listing page: the answer is checked as a whole (a Graph
/// error, or no JSON, fails here as it would when decoded) and only its link is read.
fn paging_of(
    status: u16,
    content_type: &str,
    body: Vec<u8>,
) -> Result<(RawPage, Option<String>), ApiError> {
    let page: PagingOnly = decode(status, content_type, &body)?;
    let next = page.paging.and_then(|p| p.next);
    let raw = RawPage {
        status,
        content_type: content_type.to_owned(),
        body,
    };
    Ok((raw, next))
}
