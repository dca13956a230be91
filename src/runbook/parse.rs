//! Markdown body → steps. Each `## ` section is a step; without sections, each item of the
//! top-level numbered list is. Fenced blocks tagged `sh`, `bash` or `shell` are executable.

use super::frontmatter;
use super::model::{CodeBlock, Runbook, RunbookError, Step};

/// Languages whose blocks the responder can execute.
const EXECUTABLE: [&str; 3] = ["sh", "bash", "shell"];

/// Parses one runbook. `origin` names the file in errors and in [`Runbook::origin`].
pub fn parse(origin: &str, text: &str) -> Result<Runbook, RunbookError> {
    let lines: Vec<&str> = text.lines().collect();
    let split = frontmatter::split(&lines).map_err(|e| fail(origin, e))?;
    parse_body(origin, &lines, split)
}

/// Parses a runbook fetched from `url`, where front matter is optional: without it the id is
/// the URL, the title the first `# ` heading (else the URL), and nothing matches by label.
pub fn parse_fetched(url: &str, text: &str) -> Result<Runbook, RunbookError> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.first().map_or("", |l| l.trim_end());
    if first == "+++" || first == "---" {
        return parse(url, text);
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
    parse_body(url, &lines, (front, 0))
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
) -> Result<Runbook, RunbookError> {
    let fail = |e| fail(origin, e);
    let lines = lines.to_vec();
    let fenced = fence_mask(&lines, body_start).map_err(fail)?;
    let outside = |i: usize| !fenced[i];
    let sections: Vec<usize> = (body_start..lines.len())
        .filter(|&i| outside(i) && lines[i].starts_with("## "))
        .collect();
    let (intro_end, steps) = if sections.is_empty() {
        list_steps(&lines, body_start, &fenced)
    } else {
        let mut steps = Vec::new();
        for (n, &start) in sections.iter().enumerate() {
            let end = sections.get(n + 1).copied().unwrap_or(lines.len());
            let title = lines[start].trim_start_matches('#').trim().to_string();
            steps.push(step(title, start, &lines[start + 1..end]));
        }
        (sections[0], steps)
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
        intro: lines[body_start..intro_end].join("\n").trim().to_string(),
        steps,
    })
}

fn step(title: String, start: usize, body: &[&str]) -> Step {
    let text = body.join("\n");
    Step {
        title,
        blocks: blocks(&text, start + 2),
        body: text.trim_matches('\n').to_string(),
        line: start + 1,
    }
}

/// An opening fence: its character and length, and the info string after it.
fn fence_open(line: &str) -> Option<(char, usize, &str)> {
    let t = line.trim_start();
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then(|| (c, n, t[n..].trim()))
}

fn fence_closes(line: &str, c: char, n: usize) -> bool {
    let t = line.trim();
    t.chars().take_while(|x| *x == c).count() >= n && t.chars().all(|x| x == c)
}

/// Which lines sit inside a fence (fences included); an unclosed fence is an error.
fn fence_mask(lines: &[&str], start: usize) -> Result<Vec<bool>, (usize, String)> {
    let mut mask = vec![false; lines.len()];
    let mut open: Option<(usize, char, usize)> = None;
    for (i, line) in lines.iter().enumerate().skip(start) {
        match open {
            Some((_, c, n)) => {
                mask[i] = true;
                if fence_closes(line, c, n) {
                    open = None;
                }
            }
            None => {
                if let Some((c, n, _)) = fence_open(line) {
                    mask[i] = true;
                    open = Some((i, c, n));
                }
            }
        }
    }
    match open {
        Some((at, _, _)) => Err((
            at + 1,
            format!("unterminated code fence opened at line {}", at + 1),
        )),
        None => Ok(mask),
    }
}

/// The marker width of a top-level numbered item (`1. `, `12) `), and its text.
fn list_item(line: &str) -> Option<(usize, &str)> {
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = &line[digits..];
    let after = rest
        .strip_prefix(". ")
        .or_else(|| rest.strip_prefix(") "))?;
    Some((line.len() - after.len(), after))
}

fn list_steps(lines: &[&str], start: usize, fenced: &[bool]) -> (usize, Vec<Step>) {
    let mut steps: Vec<Step> = Vec::new();
    let mut intro_end = lines.len();
    let mut current: Option<(usize, String, usize, Vec<String>)> = None;
    let flush = |cur: Option<(usize, String, usize, Vec<String>)>, steps: &mut Vec<Step>| {
        if let Some((at, title, _, body)) = cur {
            let body: Vec<&str> = body.iter().map(String::as_str).collect();
            steps.push(step(title, at, &body));
        }
    };
    for i in start..lines.len() {
        let line = lines[i];
        if !fenced[i] {
            if let Some((width, text)) = list_item(line) {
                if current.is_none() && steps.is_empty() {
                    intro_end = i;
                }
                flush(current.take(), &mut steps);
                current = Some((i, text.trim().to_string(), width, Vec::new()));
                continue;
            }
            let ends_list = !line.is_empty() && !line.starts_with(' ') && !line.starts_with('\t');
            if ends_list && current.is_some() {
                flush(current.take(), &mut steps);
                continue;
            }
        }
        if let Some((_, _, width, body)) = current.as_mut() {
            let indent = line.len() - line.trim_start_matches(' ').len();
            body.push(line[indent.min(*width)..].to_string());
        }
    }
    flush(current, &mut steps);
    (intro_end, steps)
}

/// Fenced blocks in a step body whose first line is file line `first_line`.
fn blocks(body: &str, first_line: usize) -> Vec<CodeBlock> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize, String, usize, Vec<&str>)> = None;
    for (i, line) in body.lines().enumerate() {
        match open.as_mut() {
            Some((c, n, lang, at, code)) => {
                if fence_closes(line, *c, *n) {
                    let lang = std::mem::take(lang);
                    out.push(CodeBlock {
                        executable: EXECUTABLE.contains(&lang.as_str()),
                        code: code.join("\n"),
                        lang,
                        line: *at,
                    });
                    open = None;
                } else {
                    code.push(line);
                }
            }
            None => {
                if let Some((c, n, info)) = fence_open(line) {
                    let lang = info.split_whitespace().next().unwrap_or("").to_string();
                    open = Some((c, n, lang, first_line + i, Vec::new()));
                }
            }
        }
    }
    out
}
