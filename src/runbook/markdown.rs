//! The one Markdown reader for runbooks: CommonMark as pulldown-cmark reads it. The code
//! blocks a step executes and the lines the runbook view draws come out of the same parse
//! ([`read`]), so the command on screen is the command that runs — a hand-written fence
//! scanner for each could disagree on where a block ends.
//!
//! Drawing turns blocks into lines of spans tagged by meaning (the UI maps each [`MdStyle`]
//! to a theme role); paragraphs reflow as Markdown says: a soft line break is a space.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::model::CodeBlock;

/// Languages whose blocks the responder can execute.
pub const EXECUTABLE: [&str; 3] = ["sh", "bash", "shell"];

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

/// A Markdown body read once: the lines to draw and the code blocks in it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Read {
    /// What the runbook view draws.
    pub lines: Vec<MdLine>,
    /// The fenced and indented code blocks, in order.
    pub blocks: Vec<CodeBlock>,
    /// A fenced block that the text never closes: its line (CommonMark runs it to the end).
    pub unclosed: Option<usize>,
}

/// The parser every runbook reader shares.
pub(super) fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, Options::empty())
}

/// The 1-based line of byte `offset` in `text`, counting from `first_line`.
pub(super) fn line_of(text: &str, offset: usize, first_line: usize) -> usize {
    first_line + text[..offset.min(text.len())].matches('\n').count()
}

/// One open container, for the prefix of each line drawn inside it.
enum Container {
    Quote,
    List { next: Option<u64> },
    Item { marker: String, first: bool },
}

/// Reads `markdown` (whose first line is line `first_line` of its file).
pub fn read(markdown: &str, first_line: usize) -> Read {
    let mut reader = Reader::default();
    let mut code: Option<(String, usize, String)> = None;
    let mut links: Vec<String> = Vec::new();
    for (event, range) in parser(markdown).into_offset_iter() {
        if let Some((lang, line, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let code_text = text.strip_suffix('\n').unwrap_or(text).to_string();
                    let block = CodeBlock {
                        executable: EXECUTABLE.contains(&lang.as_str()),
                        lang: std::mem::take(lang),
                        code: code_text,
                        line: *line,
                    };
                    reader.code_block(&block);
                    reader.blocks.push(block);
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                reader.end_line();
                let lang = match &kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                if matches!(kind, CodeBlockKind::Fenced(_))
                    && !closed(&markdown[range.clone()])
                    && reader.unclosed.is_none()
                {
                    reader.unclosed = Some(line_of(markdown, range.start, first_line));
                }
                let line = line_of(markdown, range.start, first_line);
                code = Some((lang, line, String::new()));
            }
            Event::Start(Tag::Heading { .. }) => {
                reader.gap();
                reader.styles.push(MdStyle::Heading);
            }
            Event::End(TagEnd::Heading(_)) => {
                reader.styles.pop();
                reader.end_line();
                reader.gap();
            }
            Event::End(TagEnd::Paragraph) => {
                reader.end_line();
                reader.gap();
            }
            Event::Start(Tag::BlockQuote(_)) => reader.containers.push(Container::Quote),
            Event::Start(Tag::List(start)) => {
                reader.end_line();
                reader.containers.push(Container::List { next: start });
            }
            Event::Start(Tag::Item) => {
                reader.end_line();
                let marker = match reader.containers.last_mut() {
                    Some(Container::List { next: Some(n) }) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "• ".to_string(),
                };
                reader.containers.push(Container::Item {
                    marker,
                    first: true,
                });
            }
            Event::End(TagEnd::Item) => {
                reader.end_line();
                reader.containers.pop();
            }
            Event::End(TagEnd::List(_)) => {
                reader.containers.pop();
                reader.gap();
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                reader.end_line();
                reader.containers.pop();
                reader.gap();
            }
            Event::Start(Tag::Emphasis) => reader.styles.push(MdStyle::Emphasis),
            Event::Start(Tag::Strong) => reader.styles.push(MdStyle::Strong),
            Event::Start(Tag::Link { dest_url, .. }) => {
                reader.styles.push(MdStyle::Link);
                links.push(dest_url.to_string());
            }
            Event::End(TagEnd::Emphasis | TagEnd::Strong) => {
                reader.styles.pop();
            }
            Event::End(TagEnd::Link) => {
                reader.styles.pop();
                if let Some(url) = links.pop() {
                    reader.push(span(format!(" <{url}>"), MdStyle::Muted));
                }
            }
            Event::Text(text) => {
                let style = reader.style();
                reader.push(span(text.to_string(), style));
            }
            Event::Code(text) => reader.push(span(text.to_string(), MdStyle::Code)),
            // Markup is data: raw HTML is shown as written, never interpreted.
            Event::Html(text) | Event::InlineHtml(text) => {
                for (i, part) in text.split('\n').enumerate() {
                    if i > 0 {
                        reader.end_line();
                    }
                    if !part.is_empty() {
                        reader.push(span(part.to_string(), MdStyle::Plain));
                    }
                }
            }
            Event::SoftBreak => reader.push(span(" ", MdStyle::Plain)),
            Event::HardBreak => reader.end_line(),
            Event::Rule => {
                reader.end_line();
                reader.push(span("───", MdStyle::Marker));
                reader.end_line();
                reader.gap();
            }
            _ => {}
        }
    }
    if let Some((lang, line, text)) = code {
        // Never reached with pulldown-cmark (it always ends a block), kept so no text is lost.
        reader.blocks.push(CodeBlock {
            executable: EXECUTABLE.contains(&lang.as_str()),
            lang,
            code: text,
            line,
        });
    }
    reader.end_line();
    while reader.lines.last().is_some_and(Vec::is_empty) {
        reader.lines.pop();
    }
    Read {
        lines: reader.lines,
        blocks: reader.blocks,
        unclosed: reader.unclosed,
    }
}

/// Renders a Markdown body into lines.
pub fn render(markdown: &str) -> Vec<MdLine> {
    read(markdown, 1).lines
}

/// Whether a fenced block's source ends with a closing fence as long as its opening one.
fn closed(source: &str) -> bool {
    let mut lines = source.trim_end_matches('\n').lines();
    let Some(open) = lines.next().map(str::trim) else {
        return false;
    };
    let Some(fence) = open.chars().next() else {
        return false;
    };
    let width = open.chars().take_while(|c| *c == fence).count();
    lines
        .next_back()
        .map(str::trim)
        .is_some_and(|close| close.chars().all(|c| c == fence) && close.chars().count() >= width)
}

#[derive(Default)]
struct Reader {
    lines: Vec<MdLine>,
    current: MdLine,
    styles: Vec<MdStyle>,
    containers: Vec<Container>,
    blocks: Vec<CodeBlock>,
    unclosed: Option<usize>,
}

impl Reader {
    fn style(&self) -> MdStyle {
        self.styles.last().copied().unwrap_or(MdStyle::Plain)
    }

    /// The prefix a new line gets from the containers it is in: quote bars, list markers
    /// on an item's first line and their width in spaces after it.
    fn prefix(&mut self) -> Vec<MdSpan> {
        let mut prefix = Vec::new();
        for container in &mut self.containers {
            match container {
                Container::Quote => prefix.push(span("│ ", MdStyle::Marker)),
                Container::List { .. } => {}
                Container::Item { marker, first } => {
                    if *first {
                        *first = false;
                        prefix.push(span(marker.clone(), MdStyle::Marker));
                    } else {
                        prefix.push(span(" ".repeat(marker.chars().count()), MdStyle::Plain));
                    }
                }
            }
        }
        prefix
    }

    fn push(&mut self, piece: MdSpan) {
        if self.current.is_empty() {
            self.current = self.prefix();
        }
        match self.current.last_mut() {
            Some(last) if last.style == piece.style && piece.style != MdStyle::Marker => {
                last.text.push_str(&piece.text);
            }
            _ => self.current.push(piece),
        }
    }

    fn end_line(&mut self) {
        if !self.current.is_empty() {
            self.lines.push(std::mem::take(&mut self.current));
        }
    }

    /// A blank line between blocks, except between the items of a list.
    fn gap(&mut self) {
        let in_item = self
            .containers
            .iter()
            .any(|c| matches!(c, Container::Item { .. }));
        if !in_item && self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(Vec::new());
        }
    }

    /// A code block: a label saying whether it runs, then its lines exactly as they run.
    fn code_block(&mut self, block: &CodeBlock) {
        let label = if block.executable {
            format!("▶ {} — press x to run", block.lang)
        } else if block.lang.is_empty() {
            "─".to_string()
        } else {
            format!("─ {}", block.lang)
        };
        self.push(span("  ", MdStyle::Plain));
        self.push(span(label, MdStyle::Muted));
        self.end_line();
        let style = if block.executable {
            MdStyle::Command
        } else {
            MdStyle::Block
        };
        for line in block.code.split('\n') {
            self.push(span("  ", MdStyle::Plain));
            self.push(span(line.to_string(), style));
            self.end_line();
        }
        self.gap();
    }
}

/// Whether the event starts a level-2 heading (a step in a sectioned runbook).
pub(super) fn is_step_heading(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Start(Tag::Heading {
            level: HeadingLevel::H2,
            ..
        })
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(line: &MdLine) -> Vec<(&str, MdStyle)> {
        line.iter().map(|s| (s.text.as_str(), s.style)).collect()
    }

    #[test]
    fn inline_markup_is_split_by_meaning() {
        let lines = render("run `df -h` **now**, see *docs* at [wiki](https://w/x)");
        assert_eq!(
            styles(&lines[0]),
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
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect();
        assert_eq!(
            text,
            [
                "Intro",
                "",
                "  ▶ sh — press x to run",
                "  df -h",
                "",
                "  ─ text",
                "  out",
                "",
                "• item"
            ]
        );
        assert_eq!(lines[3][1], span("df -h", MdStyle::Command));
        assert_eq!(lines[6][1], span("out", MdStyle::Block));
        assert_eq!(lines[8][0], span("• ", MdStyle::Marker));
    }

    #[test]
    fn a_hard_wrapped_paragraph_reflows_into_one_line() {
        let lines = render("Buy time first,\nthen find\nwhat grows.\n\nNext.");
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect();
        assert_eq!(text, ["Buy time first, then find what grows.", "", "Next."]);
    }

    #[test]
    fn a_longer_fence_closes_a_shorter_one_for_display_and_execution_alike() {
        // ```` closes ``` (CommonMark): `echo hidden` is text, not part of the command.
        let body = "```sh\necho shown\n````\necho hidden\n";
        let read = read(body, 1);
        assert_eq!(read.blocks.len(), 1);
        assert_eq!(read.blocks[0].code, "echo shown");
        let commands: Vec<&str> = read
            .lines
            .iter()
            .flatten()
            .filter(|s| s.style == MdStyle::Command)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(commands, ["echo shown"]);
        assert_eq!(read.unclosed, None);
    }

    #[test]
    fn an_unclosed_fence_is_reported_with_its_line() {
        let read = read("text\n\n```sh\nrm -rf /tmp/x\n", 10);
        assert_eq!(read.unclosed, Some(12));
        assert_eq!(read.blocks[0].code, "rm -rf /tmp/x");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let lines = render("<script>alert(1)</script>\n");
        assert_eq!(lines[0][0].text, "<script>alert(1)</script>");
    }
}
