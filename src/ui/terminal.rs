//! The real terminal: taking it (raw mode, alternate screen, mouse capture when configured),
//! giving it back on exit, suspend and panic, and a backend that writes nothing for a frame
//! that changed nothing — on a slow SSH link every idle byte counts.

use std::io::{self, BufWriter, Stdout, Write};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

use super::wire::Screen;

/// One frame is normally far below this; a full 200x50 redraw fits in one write.
const WRITE_BUFFER: usize = 64 * 1024;

/// The cockpit's terminal.
pub type Tty = Terminal<QuietBackend<BufWriter<Stdout>>>;

/// A crossterm backend that sends nothing for a frame without changed cells (ratatui would
/// otherwise reset the colours and hide the cursor again on every draw) and buffers each frame
/// into a single write.
#[derive(Debug)]
pub struct QuietBackend<W: Write> {
    inner: CrosstermBackend<W>,
    cursor_hidden: bool,
    /// What the terminal shows, for the encoder's choice between spaces and jumps.
    screen: Screen,
    /// The window size, asked once and kept until [`QuietBackend::forget_size`]: crossterm
    /// opens `/dev/tty` for every query, and ratatui asks before every frame.
    size: std::cell::Cell<Option<Size>>,
}

impl<W: Write> QuietBackend<W> {
    /// Wraps a writer.
    pub fn new(writer: W) -> Self {
        Self {
            inner: CrosstermBackend::new(writer),
            cursor_hidden: false,
            screen: Screen::default(),
            size: std::cell::Cell::new(None),
        }
    }

    /// The window may have changed size (a resize event, a return from suspend): ask again.
    pub fn forget_size(&self) {
        self.size.set(None);
    }
}

impl<W: Write> Backend for QuietBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let frame = super::wire::encode(content, &mut self.screen);
        if frame.is_empty() {
            return Ok(());
        }
        Write::write_all(&mut self.inner, frame.as_bytes())
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.cursor_hidden {
            return Ok(());
        }
        self.cursor_hidden = true;
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.cursor_hidden = false;
        // Best effort, and never an error: ratatui shows the cursor again when the terminal
        // is dropped and reports a failure with `eprintln!`, which panics when the terminal
        // has hung up — a panic in a drop, on the way out, aborts the process.
        let _ = self.inner.show_cursor();
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.screen.cleared();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        match clear_type {
            ClearType::All => self.screen.cleared(),
            _ => self.screen.forget(),
        }
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        if let Some(size) = self.size.get() {
            return Ok(size);
        }
        let size = self.inner.size()?;
        self.size.set(Some(size));
        Ok(size)
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

/// Takes the terminal: a panic hook that gives it back first, raw mode, the alternate screen,
/// and mouse capture when `mouse`.
pub fn init(mouse: bool) -> io::Result<Tty> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore(mouse);
        previous(info);
    }));
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    if mouse {
        crossterm::execute!(io::stdout(), EnableMouseCapture)?;
    }
    let writer = BufWriter::with_capacity(WRITE_BUFFER, io::stdout());
    Terminal::new(QuietBackend::new(writer))
}

/// Gives the terminal back: mouse capture off, raw mode off, the main screen, the cursor.
/// Errors are ignored: this runs on the way out, when nothing better can be done — and when
/// the terminal has hung up (the SSH link dropped) every step fails. Not `ratatui::restore`:
/// it reports failures with `eprintln!`, which panics on a hung-up terminal, and a panic in
/// the panic hook that calls this aborts the process.
/// Whether a failed write or size query means the terminal is gone (the SSH link dropped):
/// the kernel answers EIO once a pseudo-terminal hung up, ENXIO to opening it, and a pipe
/// or socket in its place gives EPIPE.
pub fn is_gone(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::BrokenPipe
        || matches!(error.raw_os_error(), Some(libc::EIO | libc::ENXIO))
}

pub fn restore(mouse: bool) {
    let mut out = io::stdout();
    if mouse {
        let _ = crossterm::execute!(out, DisableMouseCapture);
    }
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = crossterm::execute!(
        out,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Takes the terminal again after a suspend (`fg`): raw mode, the alternate screen, the mouse.
pub fn resume(mouse: bool) -> io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
    if mouse {
        crossterm::execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::Write;
    use std::rc::Rc;

    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    use super::QuietBackend;

    /// Counts the bytes a terminal would receive.
    #[derive(Clone, Default)]
    struct Wire(Rc<Cell<usize>>);

    impl Write for Wire {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.set(self.0.get() + buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn draw(terminal: &mut Terminal<QuietBackend<Wire>>, wire: &Wire, text: &str) -> usize {
        let before = wire.0.get();
        terminal
            .draw(|f| f.render_widget(Line::raw(text.to_string()), f.area()))
            .unwrap();
        wire.0.get() - before
    }

    #[test]
    fn an_unchanged_frame_writes_nothing() {
        let wire = Wire::default();
        let options = TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 20, 2)),
        };
        let mut terminal =
            Terminal::with_options(QuietBackend::new(wire.clone()), options).unwrap();
        let first = draw(&mut terminal, &wire, "12:00:01");
        assert!(first > 0);
        assert_eq!(draw(&mut terminal, &wire, "12:00:01"), 0);
        let changed = draw(&mut terminal, &wire, "12:00:02");
        assert!(changed > 0 && changed < first, "{changed} vs {first}");
    }

    #[test]
    fn a_write_to_a_terminal_that_hung_up_reads_as_gone() {
        use std::os::fd::{FromRawFd, OwnedFd};
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty writes two descriptors we then own.
        let opened = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(opened, 0);
        // SAFETY: both were just opened and are owned here alone.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut terminal = std::fs::File::from(slave);
        terminal.write_all(b"frame").unwrap();
        drop(master);
        let error = terminal.write_all(b"frame").unwrap_err();
        assert!(super::is_gone(&error), "{error:?}");
        let interrupted = std::io::Error::from(std::io::ErrorKind::Interrupted);
        assert!(!super::is_gone(&interrupted));
    }
}
