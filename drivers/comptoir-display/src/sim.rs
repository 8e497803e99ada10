//! A simulated 2x20 display on a pseudo-terminal: it decodes what the register sends, as a
//! DM-D display would, and reports the two lines it shows after each burst of bytes.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use serialport::{SerialPort, TTYPort};

use crate::decode::Screen;
use crate::text::ROWS;

/// The simulator's end of a pseudo-terminal pair.
pub struct Simulator {
    master: TTYPort,
    path: String,
    screen: Screen,
    frame_file: Option<PathBuf>,
}

impl Simulator {
    /// Opens a pseudo-terminal pair; the register opens [`Simulator::path`]. `frame_file`,
    /// when given, always holds the last screen: two lines of 20 characters, UTF-8.
    pub fn open(frame_file: Option<PathBuf>) -> Result<Simulator, comptoir_device::DeviceError> {
        let (mut master, slave) = comptoir_device::serial::pty_pair()?;
        let path = slave.name().unwrap_or_default();
        // The register opens the path itself; holding the other end here would keep the
        // terminal's exclusive flag after the register lets go, and a second claim would fail.
        drop(slave);
        let _ = master.set_timeout(Duration::from_millis(100));
        Ok(Simulator { master, path, screen: Screen::new(), frame_file })
    }

    /// The path a display setting names: `/dev/pts/N`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Decodes what arrives until the process ends; `show` gets the two lines each time the
    /// screen changed and no command is half received.
    pub fn run(mut self, mut show: impl FnMut(&[String; ROWS])) -> io::Result<()> {
        let mut buffer = [0u8; 512];
        let mut shown = self.screen.lines();
        self.save(&shown)?;
        loop {
            let n = match self.master.read(&mut buffer) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
                // Nobody holds the other end (EIO on Linux): wait for the register to open it.
                // A writer that closes at once (a shell's `printf > /dev/pts/N`) can lose its
                // bytes in this pause: the terminal drops them when its last user leaves.
                Err(_) => {
                    thread::sleep(Duration::from_millis(5));
                    continue;
                }
            };
            for error in self.screen.feed(&buffer[..n]) {
                tracing::warn!(%error, "the display ignores bytes");
            }
            let lines = self.screen.lines();
            if self.screen.has_pending() || lines == shown {
                continue;
            }
            self.save(&lines)?;
            show(&lines);
            shown = lines;
        }
    }

    fn save(&self, lines: &[String; ROWS]) -> io::Result<()> {
        let Some(path) = &self.frame_file else { return Ok(()) };
        write_atomically(path, format!("{}\n{}\n", lines[0], lines[1]).as_bytes())
    }
}

/// Writes beside the file, then renames, so a reader never sees half a frame.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    fs::write(&temporary, bytes)?;
    fs::rename(&temporary, path)
}
