//! The byte cap on a log source's answers. A log answer is sized by its lines, and lines can
//! be long (a stack trace, a JSON dump): an answer over the cap is not read on — the
//! connection is dropped once the cap is passed — and the page is asked again for a tenth of
//! the lines, so a few huge lines cost a smaller page, said in a warning, not the whole panel.

use std::future::Future;

use crate::sources::SourceError;
use crate::sources::http::{Capped, Reply};

/// The fewest lines a page is shrunk to before the cap counts as a failure.
pub const MIN_PAGE: usize = 10;

/// A page read within the cap, with how many lines it asked for.
#[derive(Debug, Clone)]
pub struct Page {
    /// The reply.
    pub reply: Reply,
    /// The `limit` the reply answers.
    pub asked: usize,
    /// Set when the first ask passed the cap and a smaller page was read instead.
    pub shrunk: Option<String>,
}

/// Asks `send(limit)` for `limit` lines; while the answer passes `max_bytes`, asks again for
/// a tenth as many (not below [`MIN_PAGE`]). Fails when even that passes the cap.
pub async fn ask<F, Fut>(limit: usize, max_bytes: usize, mut send: F) -> Result<Page, SourceError>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<Capped, SourceError>>,
{
    let mut asked = limit.max(1);
    let mut shrunk = None;
    loop {
        match send(asked).await? {
            Capped::Whole(reply) => {
                return Ok(Page {
                    reply,
                    asked,
                    shrunk,
                });
            }
            Capped::Over { status, .. } => {
                if asked <= MIN_PAGE {
                    return Err(SourceError::Malformed(format!(
                        "an answer of {asked} lines is larger than max_bytes ({} KiB, HTTP {status}): the lines are very long; raise max_bytes or narrow the query",
                        max_bytes / 1024
                    )));
                }
                let smaller = (asked / 10).max(MIN_PAGE);
                shrunk = Some(format!(
                    "an answer of {asked} lines passed max_bytes ({} KiB): read {smaller} lines a page instead",
                    max_bytes / 1024
                ));
                asked = smaller;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(body: &str) -> Reply {
        Reply {
            status: 200,
            content_type: None,
            retry_after: None,
            location: None,
            link: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[tokio::test]
    async fn an_oversized_page_is_asked_again_smaller_then_refused() {
        let mut asks = Vec::new();
        let page = ask(2000, 1024, |limit| {
            asks.push(limit);
            async move {
                Ok(if limit > 20 {
                    Capped::Over {
                        status: 200,
                        read: 1025,
                    }
                } else {
                    Capped::Whole(reply("ok"))
                })
            }
        })
        .await
        .unwrap();
        assert_eq!(asks, [2000, 200, 20]);
        assert_eq!(page.asked, 20);
        assert!(page.shrunk.is_some());

        let always_over = ask(100, 1024, |_| async {
            Ok(Capped::Over {
                status: 200,
                read: 0,
            })
        })
        .await
        .unwrap_err();
        assert!(
            always_over.to_string().contains("max_bytes"),
            "{always_over}"
        );
    }
}
