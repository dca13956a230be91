//! Markdown body → steps, read by the one Markdown reader ([`super::markdown`]). Each `## `
//! section is a step; without sections, each item of the top-level numbered lists is. Fenced
//! blocks tagged `sh`, `bash` or `shell` are executable.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::frontmatter;
use super::markdown;
use super::model::{Runbook, RunbookError, Step};
use super::provenance::{Provenance, Version, sha256_hex};

/// Parses one runbook. `origin` names the file in errors and in [`Runbook::origin`]. Its
/// provenance is a shipped runbook for an `embedded:` origin, else a file outside
/// `runbook_dirs` (view-only) until the library says otherwise.
pub fn parse(origin: &str, text: &str) -> Result<Runbook, RunbookError> {
    let lines: Vec<&str> = text.lines().collect();
    let split = frontmatter::split(&lines).map_err(|e| fail(origin, e))?;
    let provenance = match origin.strip_prefix("embedded:") {
        Some(name) => Provenance::Embedded {
            name: name.to_string(),
        },
        None => Provenance::File {
            path: origin.into(),
            version: Version::Sha256(sha256_hex(text.as_bytes())),
            in_runbook_dirs: false,
        },
    };
    parse_body(origin, &lines, split, provenance)
}

/// Parses a runbook fetched from `url`, where front matter is optional: without it the id is
/// the URL, the title the first `# ` heading (else the URL), and nothing matches by label.
pub fn parse_fetched(url: &str, text: &str) -> Result<Runbook, RunbookError> {
    let lines: Vec<&str> = text.lines().collect();
    let provenance = Provenance::Fetched {
        url: url.to_string(),
        sha256: sha256_hex(text.as_bytes()),
    };
    let first = lines.first().map_or("", |l| l.trim_end());
    if first == "+++" || first == "---" {
        let split = frontmatter::split(&lines).map_err(|e| fail(url, e))?;
        return parse_body(url, &lines, split, provenance);
    }
    let title = lines
        .iter()
        .find_map(|l| l.strip_prefix("# "))
        .map_or_else(|| url.to_string(), |t| t.trim().to_string());
    let front = frontmatter::FrontMatter {
        id: url.to_string(),
        title,
        matchers: Vec::new(),
    };
    parse_body(url, &lines, (front, 0), provenance)
}

fn fail(origin: &str, (line, message): (usize, String)) -> RunbookError {
    RunbookError {
        file: origin.to_string(),
        line,
        message,
    }
}

fn parse_body(
    origin: &str,
    lines: &[&str],
    (front, body_start): (frontmatter::FrontMatter, usize),
    provenance: Provenance,
) -> Result<Runbook, RunbookError> {
    let fail = |e| fail(origin, e);
    let body = lines.get(body_start..).unwrap_or_default().join("\n");
    let first_line = body_start + 1;
    if let Some(line) = markdown::read(&body, first_line).unclosed {
        return Err(fail((
            line,
            format!("unterminated code fence opened at line {line}"),
        )));
    }
    let (intro_end, steps) = match heading_steps(&body, first_line) {
        Some(found) => found,
        None => list_steps(&body, first_line),
    };
    if steps.is_empty() {
        return Err(fail((
            body_start.min(lines.len().saturating_sub(1)) + 1,
            "no steps: add `## ` sections or a top-level numbered list".into(),
        )));
    }
    if let Some(empty) = steps.iter().find(|s| s.title.is_empty()) {
        return Err(fail((empty.line, "a step needs a title".into())));
    }
    Ok(Runbook {
        id: front.id,
        title: front.title,
        matchers: front.matchers,
        origin: origin.to_string(),
        intro: body[..intro_end].trim().to_string(),
        steps,
        provenance,
    })
}

/// A step from its title, the file line it starts on, and its Markdown body (whose first
/// line is file line `body_line`).
fn step(title: String, line: usize, body: &str, body_line: usize) -> Step {
    // Blank lines before the body shift where its blocks are in the file.
    let leading = body.len() - body.trim_start_matches('\n').len();
    let body_line = body_line + leading;
    let body = body.trim_matches('\n');
    Step {
        title,
        blocks: markdown::read(body, body_line).blocks,
        body: body.to_string(),
        line,
    }
}

/// Steps as `## ` sections (level-2 headings outside any list or quote): each runs to the
/// next. `None` when there is no such heading. Also returns where the intro ends.
fn heading_steps(body: &str, first_line: usize) -> Option<(usize, Vec<Step>)> {
    let mut headings: Vec<(usize, usize, String)> = Vec::new();
    let mut depth = 0usize;
    let mut title: Option<(usize, usize, String)> = None;
    for (event, range) in markdown::parser(body).into_offset_iter() {
        if let Some((start, _, text)) = title.as_mut() {
            match event {
                Event::Text(t) | Event::Code(t) => text.push_str(&t),
                Event::End(TagEnd::Heading(_)) => {
                    headings.push((*start, range.end, text.trim().to_string()));
                    title = None;
                }
                _ => {}
            }
            continue;
        }
        match &event {
            Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => depth += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => depth -= 1,
            e if depth == 0 && markdown::is_step_heading(e) => {
                title = Some((range.start, range.end, String::new()));
            }
            _ => {}
        }
    }
    let first = headings.first()?.0;
    let steps = headings
        .iter()
        .enumerate()
        .map(|(n, (start, end, title))| {
            let next = headings.get(n + 1).map_or(body.len(), |h| h.0);
            let line = markdown::line_of(body, *start, first_line);
            let body_text = body.get(*end..next).unwrap_or_default();
            step(
                title.clone(),
                line,
                body_text,
                markdown::line_of(body, *end, first_line),
            )
        })
        .collect();
    Some((first, steps))
}

/// Steps as the items of the top-level numbered lists: an item's first line is its title,
/// the rest (un-indented by the marker's width) its body. Also returns where the intro ends.
fn list_steps(body: &str, first_line: usize) -> (usize, Vec<Step>) {
    let mut items: Vec<std::ops::Range<usize>> = Vec::new();
    let mut depth = 0usize;
    let mut ordered = false;
    for (event, range) in markdown::parser(body).into_offset_iter() {
        match event {
            Event::Start(Tag::List(start)) => {
                if depth == 0 {
                    ordered = start.is_some();
                }
                depth += 1;
            }
            Event::End(TagEnd::List(_)) => depth -= 1,
            Event::Start(Tag::BlockQuote(_)) => depth += 2,
            Event::End(TagEnd::BlockQuote(_)) => depth -= 2,
            Event::Start(Tag::Item) if depth == 1 && ordered => items.push(range),
            _ => {}
        }
    }
    let intro_end = items.first().map_or(body.len(), |r| r.start);
    let steps = items
        .into_iter()
        .map(|range| {
            let source = &body[range.clone()];
            let marker = source.find(['.', ')']).map_or(0, |dot| {
                dot + 1 + source[dot + 1..].len() - source[dot + 1..].trim_start_matches(' ').len()
            });
            let (title, rest) = source[marker..]
                .split_once('\n')
                .unwrap_or((&source[marker..], ""));
            let rest: Vec<&str> = rest
                .split('\n')
                .map(|line| {
                    let indent = line.len() - line.trim_start_matches(' ').len();
                    &line[indent.min(marker)..]
                })
                .collect();
            let line = markdown::line_of(body, range.start, first_line);
            step(title.trim().to_string(), line, &rest.join("\n"), line + 1)
        })
        .collect();
    (intro_end, steps)
}
