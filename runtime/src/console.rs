//! The host side of the guest's console: host stdin feeds the UART, the
//! terminal runs in raw mode, and an escape key quits.
//!
//! As with QEMU's `-nographic`: when stdin is a terminal, it is put in raw
//! mode (no echo, no line editing, Ctrl-C and Ctrl-Z go to the guest) and
//! `Ctrl-a x` quits; `Ctrl-a Ctrl-a` sends a Ctrl-a, `Ctrl-a h` lists the
//! keys. The terminal is restored when the [`Console`] is dropped, which
//! every exit path of `rvdbt run` does, also a stop by SIGTERM, SIGINT or
//! SIGHUP: those set the stop flag the machine polls (a second one kills
//! at once). When stdin is not a terminal (a pipe, a file), bytes pass
//! through untouched and its end only stops the input; the guest runs on.

use std::io::{Read, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;

use rustix::termios::{self, OptionalActions, Termios};

/// The escape key: Ctrl-a.
const ESCAPE: u8 = 0x01;

/// Why the host asked the machine to stop (the value of the stop flag).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// `Ctrl-a x` on the terminal.
    Escape,
    /// This signal arrived.
    Signal(i32),
}

/// The stop flag: 0 while running, else [`STOP_ESCAPE`] or a signal number.
pub type StopFlag = Arc<AtomicUsize>;
const STOP_ESCAPE: usize = usize::MAX;

/// Decodes a stop flag's value.
pub fn stop_reason(flag: &StopFlag) -> Option<StopReason> {
    match flag.load(Ordering::Relaxed) {
        0 => None,
        STOP_ESCAPE => Some(StopReason::Escape),
        sig => Some(StopReason::Signal(sig as i32)),
    }
}

/// The console of one `rvdbt run`.
pub struct Console {
    /// Bytes read from stdin, for the guest's UART (shared by the machines
    /// of a run that reboots).
    pub input: Rc<Receiver<Vec<u8>>>,
    /// Set when the host wants the run to end.
    pub stop: StopFlag,
    /// The terminal's settings before raw mode, restored on drop.
    saved: Option<Termios>,
}

impl Console {
    /// Starts reading stdin on a thread of its own, with the terminal (if
    /// stdin is one) in raw mode, and routes SIGTERM, SIGINT and SIGHUP to
    /// the stop flag.
    pub fn start() -> Console {
        let stop: StopFlag = Arc::new(AtomicUsize::new(0));
        let signalled = Arc::new(AtomicBool::new(false));
        for sig in [
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGHUP,
        ] {
            // A second signal, once the first was seen, kills the process
            // at once (the terminal is then left as it is, as with kill -9).
            // Handlers run in registration order: the check comes first.
            let _ =
                signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, signalled.clone());
            let _ = signal_hook::flag::register(sig, signalled.clone());
            let _ = signal_hook::flag::register_usize(sig, stop.clone(), sig as usize);
        }
        let stdin = rustix::stdio::stdin();
        let saved = termios::isatty(stdin)
            .then(|| termios::tcgetattr(stdin).ok())
            .flatten();
        if let Some(old) = &saved {
            // Output keeps LF -> CRLF, as QEMU's stdio does, so rvdbt's own
            // messages (warnings, --stats) print as lines; the guest's CRLF
            // becomes CR CR LF, which a terminal shows the same.
            let mut raw = old.clone();
            raw.make_raw();
            raw.output_modes |= termios::OutputModes::OPOST | termios::OutputModes::ONLCR;
            if termios::tcsetattr(stdin, OptionalActions::Now, &raw).is_err() {
                tracing::warn!("cannot put the terminal in raw mode");
            }
        }
        let (tx, input) = mpsc::channel::<Vec<u8>>();
        let escapes = saved.is_some();
        let stop_reader = stop.clone();
        std::thread::spawn(move || {
            let mut keys = EscapeState::default();
            let mut buf = [0u8; 256];
            let mut stdin = std::io::stdin();
            while let Ok(n) = stdin.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let bytes = if escapes {
                    let (bytes, action) = keys.filter(&buf[..n]);
                    match action {
                        Some(Action::Quit) => {
                            stop_reader.store(STOP_ESCAPE, Ordering::Relaxed);
                            break;
                        }
                        Some(Action::Help) => {
                            let _ = std::io::stderr().write_all(HELP.as_bytes());
                        }
                        None => {}
                    }
                    bytes
                } else {
                    buf[..n].to_vec()
                };
                if !bytes.is_empty() && tx.send(bytes).is_err() {
                    break;
                }
            }
        });
        Console {
            input: Rc::new(input),
            stop,
            saved,
        }
    }

    /// Puts the terminal back as it was (also done on drop).
    pub fn restore(&mut self) {
        if let Some(old) = self.saved.take() {
            let _ = termios::tcsetattr(rustix::stdio::stdin(), OptionalActions::Now, &old);
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.restore();
    }
}

const HELP: &str = "\r\nC-a h    print this help\r\nC-a x    exit rvdbt\r\nC-a C-a  send C-a\r\n";

/// What an escape sequence asks of rvdbt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
}

/// The escape-key state machine over the bytes typed on the terminal.
#[derive(Debug, Default)]
pub struct EscapeState {
    /// The previous byte was an unconsumed Ctrl-a.
    pending: bool,
}

impl EscapeState {
    /// The bytes for the guest among `input`, and the first action asked
    /// for (bytes after a quit are dropped).
    pub fn filter(&mut self, input: &[u8]) -> (Vec<u8>, Option<Action>) {
        let mut out = Vec::with_capacity(input.len());
        let mut action = None;
        for &b in input {
            if std::mem::take(&mut self.pending) {
                match b {
                    b'x' | b'X' => return (out, Some(Action::Quit)),
                    b'h' | b'H' | b'?' => action = action.or(Some(Action::Help)),
                    ESCAPE => out.push(ESCAPE),
                    // Unknown commands are ignored, as in QEMU's mux.
                    _ => {}
                }
            } else if b == ESCAPE {
                self.pending = true;
            } else {
                out.push(b);
            }
        }
        (out, action)
    }
}

#[cfg(test)]
mod tests {
    use super::{Action, EscapeState};

    #[test]
    fn escape_keys() {
        let mut k = EscapeState::default();
        assert_eq!(k.filter(b"ls\r"), (b"ls\r".to_vec(), None));
        // Ctrl-a Ctrl-a sends one Ctrl-a; Ctrl-a h asks for help.
        assert_eq!(
            k.filter(b"a\x01\x01b\x01h"),
            (b"a\x01b".to_vec(), Some(Action::Help))
        );
        // A Ctrl-a split across reads still escapes; x quits, dropping the rest.
        assert_eq!(k.filter(b"q\x01"), (b"q".to_vec(), None));
        assert_eq!(k.filter(b"xzz"), (Vec::new(), Some(Action::Quit)));
        // Unknown commands vanish; Ctrl-C passes through to the guest.
        let mut k = EscapeState::default();
        assert_eq!(k.filter(b"\x01z\x03"), (b"\x03".to_vec(), None));
    }
}
