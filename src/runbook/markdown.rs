//! A small Markdown renderer for runbook steps: headings, lists, quotes, emphasis, inline
//! code, fenced code blocks and links, turned into lines of spans tagged by meaning. The UI
//! maps each [`MdStyle`] to a theme role; nothing here knows about colours.

/// What a piece of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MdStyle {
    /// Body text.
    Plain,
    /// `*emphasis*`.
    Emphasis,
    /// `**strong**`.
    Strong,
    /// `` `inline code` ``.
    Code,
    /// A link's text.
    Link,
    /// A link's target, or other secondary text.
    Muted,
    /// A heading.
    Heading,
    /// A line of a fenced block that is shown only.
    Block,
    /// A line of an executable (`sh`, `bash`, `shell`) block.
    Command,
    /// List bullets and quote bars.
    Marker,
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdSpan {
    /// The text.
    pub text: String,
    /// Its meaning.
    pub style: MdStyle,
}

/// One rendered line.
pub type MdLine = Vec<MdSpan>;

fn span(text: impl Into<String>, style: MdStyle) -> MdSpan {
    MdSpan {
        text: text.into(),
        style,
    }
}

/// Renders a Markdown body into lines.
pub fn render(markdown: &str) -> Vec<MdLine> {
    let mut out: Vec<MdLine> = Vec::new();
    let mut fence: Option<(String, bool)> = None;
    for raw in markdown.lines() {
        let trimmed = raw.trim_start();
        if let Some((marker, executable)) = &fence {
            if trimmed.starts_with(marker.as_str())
                && trimmed
                    .trim_start_matches(marker.as_str())
                    .trim()
                    .is_empty()
            {
                fence = None;
                continue;
            }
            let style = if *executable {
                MdStyle::Command
            } else {
                MdStyle::Block
            };
            out.push(vec![
                span("  ", MdStyle::Plain),
                span(raw.to_string(), style),
            ]);
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let c = trimmed.chars().next().unwrap_or('`');
            let n = trimmed.chars().take_while(|x| *x == c).count();
            let lang = trimmed[n..].split_whitespace().next().unwrap_or("");
            let executable = matches!(lang, "sh" | "bash" | "shell");
            let label = if executable {
                format!("  ▶ {lang} — press x to run")
            } else if lang.is_empty() {
                "  ─".to_string()
            } else {
                format!("  ─ {lang}")
            };
            out.push(vec![span(label, MdStyle::Muted)]);
            fence = Some((c.to_string().repeat(n), executable));
            continue;
        }
        out.push(block_line(raw));
    }
    out
}

fn block_line(raw: &str) -> MdLine {
    let trimmed = raw.trim_start();
    let indent = &raw[..raw.len() - trimmed.len()];
    if trimmed.starts_with('#') {
        let text = trimmed.trim_start_matches('#').trim();
        return vec![span(text.to_string(), MdStyle::Heading)];
    }
    if let Some(rest) = trimmed
        .strip_prefix("> ")
        .or_else(|| trimmed.strip_prefix('>').filter(|r| r.is_empty()))
    {
        let mut line = vec![span("│ ", MdStyle::Marker)];
        line.extend(inline(rest));
        return line;
    }
    if let Some(rest) = trimmed
        .strip_prefix("- ")
        .or_else(|| trimmed.strip_prefix("* "))
    {
        let mut line = vec![span(format!("{indent}• "), MdStyle::Marker)];
        line.extend(inline(rest));
        return line;
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = trimmed[digits..]
            .strip_prefix(". ")
            .or_else(|| trimmed[digits..].strip_prefix(") "))
    {
        let mut line = vec![span(
            format!("{indent}{}. ", &trimmed[..digits]),
            MdStyle::Marker,
        )];
        line.extend(inline(rest));
        return line;
    }
    let mut line = Vec::new();
    if !indent.is_empty() {
        line.push(span(indent.to_string(), MdStyle::Plain));
    }
    line.extend(inline(trimmed));
    line
}

/// Inline markup: code first (nothing inside it is markup), then links, strong, emphasis.
pub fn inline(text: &str) -> Vec<MdSpan> {
    let mut out: Vec<MdSpan> = Vec::new();
    let mut plain = String::new();
    let flush = |plain: &mut String, out: &mut Vec<MdSpan>| {
        if !plain.is_empty() {
            out.push(span(std::mem::take(plain), MdStyle::Plain));
        }
    };
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let found = match c {
            '`' => rest[1..]
                .find('`')
                .map(|end| (vec![span(&rest[1..=end], MdStyle::Code)], end + 2)),
            '[' => link(rest),
            '*' | '_' if rest[c.len_utf8()..].starts_with(c) => {
                let marker = &rest[..2];
                rest[2..]
                    .find(marker)
                    .filter(|&e| e > 0)
                    .map(|end| (vec![span(&rest[2..2 + end], MdStyle::Strong)], end + 4))
            }
            '*' | '_' => rest[1..]
                .find(c)
                .filter(|&e| e > 0 && !rest[1..].starts_with(' '))
                .map(|end| (vec![span(&rest[1..=end], MdStyle::Emphasis)], end + 2)),
            _ => None,
        };
        match found {
            Some((spans, used)) => {
                flush(&mut plain, &mut out);
                out.extend(spans);
                rest = &rest[used..];
            }
            None => {
                plain.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    flush(&mut plain, &mut out);
    out
}

/// `[text](url)` at the start of `rest`: the text styled as a link, the url muted after it.
fn link(rest: &str) -> Option<(Vec<MdSpan>, usize)> {
    let close = rest.find("](")?;
    let end = rest[close + 2..].find(')')? + close + 2;
    let text = &rest[1..close];
    let url = &rest[close + 2..end];
    Some((
        vec![
            span(text, MdStyle::Link),
            span(format!(" <{url}>"), MdStyle::Muted),
        ],
        end + 1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(line: &MdLine) -> Vec<(&str, MdStyle)> {
        line.iter().map(|s| (s.text.as_str(), s.style)).collect()
    }

    #[test]
    fn inline_markup_is_split_by_meaning() {
        let line = inline("run `df -h` **now**, see *docs* at [wiki](https://w/x)");
        assert_eq!(
            styles(&line),
            vec![
                ("run ", MdStyle::Plain),
                ("df -h", MdStyle::Code),
                (" ", MdStyle::Plain),
                ("now", MdStyle::Strong),
                (", see ", MdStyle::Plain),
                ("docs", MdStyle::Emphasis),
                (" at ", MdStyle::Plain),
                ("wiki", MdStyle::Link),
                (" <https://w/x>", MdStyle::Muted),
            ]
        );
    }

    #[test]
    fn code_blocks_show_whether_they_run() {
        let lines = render("Intro\n\n```sh\ndf -h\n```\n```text\nout\n```\n- item");
        assert_eq!(lines[2][0].text, "  ▶ sh — press x to run");
        assert_eq!(lines[3][1], span("df -h", MdStyle::Command));
        assert_eq!(lines[5][1], span("out", MdStyle::Block));
        assert_eq!(lines[6][0], span("• ", MdStyle::Marker));
    }
}
