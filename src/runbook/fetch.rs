//! Fetching a runbook an alert links by http(s) URL: one bounded GET (a timeout and a 1 MiB
//! cap), accepted only when the server says it is Markdown or plain text, or the path ends in
//! `.md`; then parsed with front matter optional.

use std::time::Duration;

use super::model::Runbook;
use super::parse::parse_fetched;
use super::provenance::Provenance;

/// The most a fetched runbook may weigh.
pub const MAX_BYTES: usize = 1024 * 1024;

/// How long a fetch may take in all.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// True for the references that are fetched rather than looked up.
pub fn is_url(reference: &str) -> bool {
    reference.starts_with("http://") || reference.starts_with("https://")
}

/// GETs `url` and parses it as a runbook; the error is a sentence for the responder.
pub async fn fetch(url: &str, timeout: Duration) -> Result<Runbook, String> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| format!("cannot fetch {url}: {e}"))?;
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "text/markdown, text/plain;q=0.9")
        .send()
        .await
        .map_err(|e| format!("cannot fetch {url}: {}", without_url(e)))?;
    // Trust follows where the body came from, after any redirect.
    let final_url = response.url().to_string();
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{url} answered {status}"));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("cannot fetch {url}: {}", without_url(e)))?
    {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(format!("{url} is larger than 1 MiB; not a runbook"));
        }
        body.extend_from_slice(&chunk);
    }
    let mut runbook = from_response(url, &content_type, &body)?;
    if let Provenance::Fetched { url, .. } = &mut runbook.provenance {
        *url = final_url;
    }
    Ok(runbook)
}

/// reqwest's messages repeat the URL, which the caller already names.
fn without_url(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    error.without_url().to_string()
}

/// Accepts a response as a runbook when it is Markdown, and parses it.
pub fn from_response(url: &str, content_type: &str, body: &[u8]) -> Result<Runbook, String> {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let markdown = matches!(
        mime.as_str(),
        "text/markdown" | "text/x-markdown" | "text/plain"
    ) || path.ends_with(".md");
    if !markdown {
        let served = if mime.is_empty() {
            "no content type"
        } else {
            mime.as_str()
        };
        return Err(format!("{url} served {served}, not Markdown"));
    }
    let text = std::str::from_utf8(body).map_err(|_| format!("{url} is not UTF-8 text"))?;
    parse_fetched(url, text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = b"# Disk\n\n## Look\n\n```sh\ndf -h\n```\n";

    #[test]
    fn markdown_without_front_matter_takes_the_url_as_id() {
        let url = "https://wiki.example/runbooks/disk";
        let runbook = from_response(url, "text/markdown; charset=utf-8", BODY).unwrap();
        assert_eq!(runbook.id, url);
        assert_eq!(runbook.title, "Disk");
        assert_eq!(
            runbook.steps[0].command().map(|b| b.code.as_str()),
            Some("df -h")
        );
    }

    #[test]
    fn html_is_refused_unless_the_path_says_markdown() {
        let error = from_response(
            "https://wiki.example/disk",
            "text/html; charset=utf-8",
            BODY,
        );
        assert_eq!(
            error.unwrap_err(),
            "https://wiki.example/disk served text/html, not Markdown"
        );
        assert!(
            from_response(
                "https://x.example/disk.md?raw=1",
                "application/octet-stream",
                BODY
            )
            .is_ok()
        );
    }
}
