//! The logs panel of the debug pane: which lines it asked for (a service or a trace, over a
//! window), what each log source answered, the lines kept (bounded per source), follow mode,
//! the text filter and the selection. Plain data; `update::logs` changes it.
//!
//! Lines are kept in the order the panel lists them: trouble (error, critical, warning)
//! first, then the rest, each newest first.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::logs::DEFAULT_MAX_LINES;
use crate::model::{LogLine, LogTarget, contains_ignoring_case};

/// How one log source stands for the panel.
#[derive(Debug, Clone, PartialEq)]
pub struct LogFeed {
    /// The configured source name.
    pub name: String,
    /// How often it is asked again while the panel follows.
    pub refresh: Duration,
    /// Lines asked for and kept from it at most.
    pub max_lines: usize,
    /// Requests sent and not answered yet.
    pub in_flight: usize,
    /// When the last request was sent.
    pub asked_at: Option<DateTime<Utc>>,
    /// When it last answered with lines (or with none).
    pub answered_at: Option<DateTime<Utc>>,
    /// Its last failure and when, cleared by the next answer.
    pub failure: Option<(String, DateTime<Utc>)>,
    /// What its answers admitted to (a cap reached, shards missing), newest last.
    pub warnings: Vec<String>,
    /// Why its answer was empty, when it could tell.
    pub hint: Option<String>,
    /// The end of the window its lines are whole up to: a follow poll asks from here.
    pub read_until: Option<DateTime<Utc>>,
    /// Lines it gave that the panel let go of to stay within `max_lines`.
    pub dropped: usize,
}

impl LogFeed {
    /// A source that has not been asked yet.
    pub fn new(name: &str, refresh: Duration, max_lines: usize) -> Self {
        Self {
            name: name.to_string(),
            refresh,
            max_lines: max_lines.max(1),
            in_flight: 0,
            asked_at: None,
            answered_at: None,
            failure: None,
            warnings: Vec::new(),
            hint: None,
            read_until: None,
            dropped: 0,
        }
    }

    /// Forgets what it answered before (a new question).
    pub fn reset(&mut self) {
        let (name, refresh, max_lines) = (self.name.clone(), self.refresh, self.max_lines);
        *self = Self::new(&name, refresh, max_lines);
    }
}

/// The `/` filter: text typed, whether keys go to it, and the text last sent to the sources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogFilter {
    /// The text.
    pub text: String,
    /// Whether keys go to the field.
    pub editing: bool,
    /// The text the last question asked the sources for (after Enter).
    pub sent: Option<String>,
}

/// Where the panel's window starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogWindow {
    /// From a fixed instant (15 minutes before an incident began, a trace's start).
    Since(DateTime<Utc>),
    /// Over the trend range before now (`[` `]`).
    Range,
}

/// The logs panel.
#[derive(Debug, Clone, PartialEq)]
pub struct LogsState {
    /// Whether the panel is open. Only an open panel asks anything of the sources.
    pub open: bool,
    /// The lines asked for.
    pub target: Option<LogTarget>,
    /// What opened it, for its title: `incident PD-1`, `trace 4bf9…`.
    pub label: String,
    /// Where the window starts.
    pub window: LogWindow,
    /// Where a trace's window ends (its last span and some), `None`: now.
    pub until: Option<DateTime<Utc>>,
    /// Counts the questions: an answer to an older one is dropped.
    pub generation: u64,
    /// New lines are asked for on each source's refresh.
    pub follow: bool,
    /// The lines kept, in panel order.
    pub lines: Vec<LogLine>,
    /// Every log source, in config order.
    pub feeds: Vec<LogFeed>,
    /// Selected row among the lines shown (after the filter).
    pub selected: usize,
    /// The `/` filter.
    pub filter: LogFilter,
    /// First line shown of the selected line's detail.
    pub detail_scroll: usize,
}

impl Default for LogsState {
    fn default() -> Self {
        Self {
            open: false,
            target: None,
            label: String::new(),
            window: LogWindow::Range,
            until: None,
            generation: 0,
            follow: false,
            lines: Vec::new(),
            feeds: Vec::new(),
            selected: 0,
            filter: LogFilter::default(),
            detail_scroll: 0,
        }
    }
}

/// The order the panel lists lines in: trouble first, then newest first.
fn panel_order(a: &LogLine, b: &LogLine) -> std::cmp::Ordering {
    b.level
        .is_trouble()
        .cmp(&a.level.is_trouble())
        .then(b.at.cmp(&a.at))
        .then_with(|| a.key.cmp(&b.key))
}

impl LogsState {
    /// The lines the panel lists now: those the filter's text is in (ignoring case).
    pub fn shown(&self) -> Vec<&LogLine> {
        let text = self.filter.text.as_str();
        self.lines
            .iter()
            .filter(|l| text.is_empty() || contains_ignoring_case(&l.message, text))
            .collect()
    }

    /// The selected line, if any is shown.
    pub fn selected_line(&self) -> Option<&LogLine> {
        let shown = self.shown();
        let index = self.selected.min(shown.len().checked_sub(1)?);
        shown.get(index).copied()
    }

    /// The feed of `source`.
    pub fn feed_mut(&mut self, source: &str) -> Option<&mut LogFeed> {
        self.feeds.iter_mut().find(|f| f.name == source)
    }

    /// Adds `lines` from `source`, each once, and keeps at most the source's `max_lines`:
    /// the oldest ordinary lines go first, trouble lines last. Returns how many were new.
    pub fn merge(&mut self, source: &str, lines: Vec<LogLine>) -> usize {
        let max = self
            .feeds
            .iter()
            .find(|f| f.name == source)
            .map_or(DEFAULT_MAX_LINES, |f| f.max_lines);
        let known: HashSet<(String, String)> = self
            .lines
            .iter()
            .map(|l| (l.source.clone(), l.key.clone()))
            .collect();
        let mut added = 0;
        for line in lines {
            if !known.contains(&(line.source.clone(), line.key.clone())) {
                self.lines.push(line);
                added += 1;
            }
        }
        // Stable, so a selection of equal keys does not jump.
        self.lines.sort_by(panel_order);
        let mut from_source: Vec<usize> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.source == source)
            .map(|(i, _)| i)
            .collect();
        let over = from_source.len().saturating_sub(max);
        if over > 0 {
            // Panel order puts the oldest ordinary lines last, the oldest trouble lines just
            // before the ordinary ones: dropping from the end of the ordinary lines first,
            // then from the end of the trouble lines, is dropping the least useful first.
            from_source.sort_by_key(|&i| {
                let line = &self.lines[i];
                (line.level.is_trouble(), line.at)
            });
            let drop: HashSet<usize> = from_source.into_iter().take(over).collect();
            let mut index = 0;
            self.lines.retain(|_| {
                let keep = !drop.contains(&index);
                index += 1;
                keep
            });
            if let Some(feed) = self.feed_mut(source) {
                feed.dropped += over;
            }
        }
        added
    }

    /// The newest instant any line of `source` was logged at.
    pub fn newest_of(&self, source: &str) -> Option<DateTime<Utc>> {
        self.lines
            .iter()
            .filter(|l| l.source == source)
            .map(|l| l.at)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::LogLevel;

    fn line(second: u32, level: LogLevel, key: &str) -> LogLine {
        LogLine {
            at: Utc.with_ymd_and_hms(2026, 11, 21, 3, 10, second).unwrap(),
            level,
            source: "loki".into(),
            message: format!("line {key}"),
            labels: Vec::new(),
            trace_id: None,
            key: key.into(),
        }
    }

    #[test]
    fn trouble_comes_first_then_newest_and_the_cap_lets_the_oldest_ordinary_lines_go() {
        let mut logs = LogsState {
            feeds: vec![LogFeed::new("loki", Duration::from_secs(5), 3)],
            ..LogsState::default()
        };
        let added = logs.merge(
            "loki",
            vec![
                line(1, LogLevel::Info, "a"),
                line(2, LogLevel::Error, "b"),
                line(3, LogLevel::Info, "c"),
            ],
        );
        assert_eq!(added, 3);
        let order: Vec<&str> = logs.lines.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(order, ["b", "c", "a"]);
        // The same line again is kept once; one more line drops the oldest ordinary one.
        let added = logs.merge(
            "loki",
            vec![line(3, LogLevel::Info, "c"), line(4, LogLevel::Warn, "d")],
        );
        assert_eq!(added, 1);
        let order: Vec<&str> = logs.lines.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(order, ["d", "b", "c"]);
        assert_eq!(logs.feeds[0].dropped, 1);
        logs.filter.text = "LINE B".into();
        assert_eq!(logs.shown().len(), 1);
        assert_eq!(
            logs.newest_of("loki"),
            Some(line(4, LogLevel::Warn, "d").at)
        );
    }
}
