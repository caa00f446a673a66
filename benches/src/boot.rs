//! Booting Linux to its root-fs panic: the payloads, the `rvdbt` binary, a timed child process, and `--stats`.
//!
//! Shared by `cargo bench --bench boot` and the `linux_boot` test. Both run
//! `rvdbt run` as a child process rather than in-process, so a boot is
//! exactly what a user types, and a hung engine can be killed at a deadline.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Where `benches/linux/fetch.sh` puts the payloads, under the workspace root.
pub const PAYLOAD_DIR: &str = "target/linux-payloads";
/// The command that fetches them (root, Debian's apt).
pub const FETCH_COMMAND: &str = "sudo bash benches/linux/fetch.sh";
/// The last line of a boot without a root file system; its appearance on
/// the console ends the run.
pub const PANIC_LINE: &str = "VFS: Unable to mount root fs";
/// The kernel command line, rvdbt and QEMU alike.
pub const BOOTARGS: &str = "console=ttyS0 earlycon=sbi";
/// Guest RAM, rvdbt and QEMU alike.
pub const MEM: &str = "512M";

/// The workspace root (the parent of `benches/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ has a parent")
        .to_path_buf()
}

/// The kernel and firmware `benches/linux/fetch.sh` fetched.
#[derive(Clone, Debug)]
pub struct Payloads {
    /// The kernel (a raw RISC-V `Image`).
    pub image: PathBuf,
    /// OpenSBI's `fw_jump.bin`, loaded at the start of RAM.
    pub firmware: PathBuf,
}

impl Payloads {
    /// The payloads, when both files are in [`PAYLOAD_DIR`].
    pub fn find() -> Option<Payloads> {
        let dir = workspace_root().join(PAYLOAD_DIR);
        let p = Payloads {
            image: dir.join("Image"),
            firmware: dir.join("fw_jump.bin"),
        };
        (p.image.is_file() && p.firmware.is_file()).then_some(p)
    }

    /// Another file of the payload directory (`fw_jump.elf`,
    /// `initramfs-test.cpio.gz`...), when `fetch.sh` made it.
    pub fn file(&self, name: &str) -> Option<PathBuf> {
        let p = self.image.parent()?.join(name);
        p.is_file().then_some(p)
    }

    /// The kernel's Debian package name (`fetch.sh` records it), for reports.
    pub fn kernel_package(&self) -> Option<String> {
        let dir = self.image.parent()?;
        let text = std::fs::read_to_string(dir.join("kernel-package")).ok()?;
        Some(text.trim().to_string())
    }
}

/// Builds `rvdbt` in the cargo profile of the running test or bench (`dev`
/// for `cargo test`, `release` for `cargo bench`, whose `bench` profile is
/// `release`'s) and returns its path. Cargo makes this a no-op when the
/// binary is current, and never measures a stale one.
pub fn build_rvdbt() -> Result<PathBuf, String> {
    // The running executable is target/<profile dir>/deps/<name>-<hash>.
    let exe = std::env::current_exe().map_err(|e| format!("current executable: {e}"))?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("{} is not in a cargo target directory", exe.display()))?;
    let profile = match dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev",
        Some(name) => name,
        None => return Err(format!("no profile directory above {}", exe.display())),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--profile", profile])
        .args(["--package", "runtime", "--bin", "rvdbt"])
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo build --profile {profile} --bin rvdbt: {status}"
        ));
    }
    Ok(dir.join(format!("rvdbt{}", std::env::consts::EXE_SUFFIX)))
}

/// `rvdbt run` booting the kernel under `engine` to [`PANIC_LINE`], with `--stats`.
pub fn rvdbt_boot(rvdbt: &Path, engine: &str, payloads: &Payloads) -> Command {
    let mut cmd = Command::new(rvdbt);
    cmd.args(["run", "--engine", engine, "--stats", "--mem", MEM])
        .arg("--bios")
        .arg(&payloads.firmware)
        .args(["--append", BOOTARGS, "--exit-on-output", PANIC_LINE])
        .arg(&payloads.image);
    cmd
}

/// QEMU booting the same kernel; it never exits by itself (see [`run_child`]).
pub fn qemu_boot(qemu: &Path, payloads: &Payloads) -> Command {
    let mut cmd = Command::new(qemu);
    cmd.args(["-M", "virt", "-m", MEM, "-nographic", "-bios"])
        .arg(&payloads.firmware)
        .arg("-kernel")
        .arg(&payloads.image)
        .args(["-append", BOOTARGS]);
    cmd
}

/// For the Linux tests: the payloads when they and `files` (other names in
/// the payload directory) are present. Otherwise, under CI (`CI` set) a
/// panic, since `.ci/run` fetches them; elsewhere None, after `note` said
/// once per process that the tests are skipped and how to fetch them.
pub fn payloads_for_test(files: &[&str], note: fn(&str)) -> Option<Payloads> {
    static SKIP_NOTE: std::sync::Once = std::sync::Once::new();
    let found = Payloads::find().filter(|p| files.iter().all(|f| p.file(f).is_some()));
    if found.is_none() {
        let hint = format!(
            "no Linux payloads ({}) in {PAYLOAD_DIR}; fetch them with `{FETCH_COMMAND}`",
            ["Image", "fw_jump.bin"]
                .iter()
                .chain(files)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert!(std::env::var_os("CI").is_none(), "CI: {hint}");
        SKIP_NOTE.call_once(|| note(&format!("skipped: {hint}")));
    }
    found
}

/// The initramfs whose `/init` (benches/linux/init-test) runs commands and
/// powers off, and the one that starts a shell (benches/linux/init-shell).
pub const INITRAMFS_TEST: &str = "initramfs-test.cpio.gz";
pub const INITRAMFS_SHELL: &str = "initramfs-shell.cpio.gz";
/// The test initramfs's last line before its poweroff.
pub const INITRAMFS_DONE: &str = "RVDBT-INITRAMFS-TEST-DONE";
/// The shell initramfs's line just before the shell starts: input typed
/// earlier may be lost (the serial driver drains the UART when /init
/// opens the console), input typed after it is not.
pub const SHELL_READY: &str = "RVDBT-SHELL-READY";

/// `rvdbt run` booting the kernel with `initrd` under `engine` and firmware
/// `bios` (a path or `default`), to the guest's own poweroff (`--no-reboot`
/// turns a reboot into an exit too), with `--stats`.
pub fn rvdbt_initrd_boot(
    rvdbt: &Path,
    engine: &str,
    bios: &std::ffi::OsStr,
    payloads: &Payloads,
    initrd: &Path,
) -> Command {
    let mut cmd = Command::new(rvdbt);
    cmd.args([
        "run",
        "--engine",
        engine,
        "--stats",
        "--no-reboot",
        "--mem",
        MEM,
    ])
    .arg("--bios")
    .arg(bios)
    .args(["--append", "console=ttyS0"])
    .arg("--initrd")
    .arg(initrd)
    .arg(&payloads.image);
    cmd
}

/// QEMU booting the same kernel with `initrd`; the guest's poweroff ends it.
pub fn qemu_initrd_boot(qemu: &Path, payloads: &Payloads, initrd: &Path) -> Command {
    let mut cmd = Command::new(qemu);
    cmd.args(["-M", "virt", "-m", MEM, "-nographic", "-no-reboot", "-bios"])
        .arg(&payloads.firmware)
        .arg("-kernel")
        .arg(&payloads.image)
        .arg("-initrd")
        .arg(initrd)
        .args(["-append", "console=ttyS0"]);
    cmd
}

/// The sections the test initramfs prints (`=== name` ... `=== end`), in
/// order, with `\r` dropped.
pub fn initramfs_sections(console: &str) -> Vec<(String, Vec<String>)> {
    let mut sections = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in console.lines().map(|l| l.trim_end_matches('\r')) {
        match (line.strip_prefix("=== "), current.take()) {
            (Some("end"), Some(done)) => sections.push(done),
            (Some(name), _) => current = Some((name.to_string(), Vec::new())),
            (None, Some((name, mut lines))) => {
                lines.push(line.to_string());
                current = Some((name, lines));
            }
            (None, None) => {}
        }
    }
    sections
}

/// How a [`run_child`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The child exited by itself.
    Exited(ExitStatus),
    /// Its output contained the `kill_at` text, and it was killed.
    Matched,
    /// The deadline passed, and it was killed.
    TimedOut,
}

/// One child process run to its end.
#[derive(Clone, Debug)]
pub struct ChildRun {
    pub ending: Ending,
    /// Wall time from spawning to the exit, the match or the deadline.
    pub secs: f64,
    pub stdout: String,
    pub stderr: String,
    /// When the `note_at` text of [`run_child_fed`] first appeared on
    /// stdout (seconds from spawning), if it did.
    pub noted_secs: Option<f64>,
}

impl ChildRun {
    /// Whether the boot reached [`PANIC_LINE`]: rvdbt exits 0 on it, QEMU is
    /// killed on it.
    pub fn reached_panic(&self) -> bool {
        let ok = match self.ending {
            Ending::Exited(s) => s.success(),
            Ending::Matched => true,
            Ending::TimedOut => false,
        };
        ok && self.stdout.contains(PANIC_LINE)
    }

    /// What went wrong, for a report: the ending and the console's last lines.
    pub fn describe_failure(&self) -> String {
        let what = match self.ending {
            Ending::Exited(s) => format!("exited with {s}"),
            Ending::Matched => "matched".to_string(),
            Ending::TimedOut => format!("timed out after {:.0} s (killed)", self.secs),
        };
        let tail = |s: &str| {
            let lines: Vec<&str> = s.lines().collect();
            lines[lines.len().saturating_sub(10)..].join("\n")
        };
        format!(
            "{what}\n--- last console lines:\n{}\n--- stderr:\n{}",
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }
}

/// Runs `cmd` (stdin empty, stdout and stderr captured) until it exits, its
/// stdout contains `kill_at` (then it is killed at once: QEMU never exits by
/// itself), or `timeout` passes (then it is killed too). The time is taken
/// at that moment, so a match does not count QEMU's teardown.
pub fn run_child(
    cmd: &mut Command,
    kill_at: Option<&str>,
    timeout: Duration,
) -> std::io::Result<ChildRun> {
    run_child_fed(cmd, kill_at, None, None, timeout)
}

/// Console input for [`run_child_fed`]: once stdout contains `after`, the
/// bytes `input` are written to the child's stdin, which is then closed.
#[derive(Clone, Copy, Debug)]
pub struct Feed<'a> {
    pub after: &'a str,
    pub input: &'a [u8],
}

/// [`run_child`] with stdin piped: `feed` (if any) says what to type and
/// when; stdin stays open (with nothing to read) until then. The time at
/// which `note_at` (if any) first appears is recorded, without stopping.
pub fn run_child_fed(
    cmd: &mut Command,
    kill_at: Option<&str>,
    feed: Option<Feed>,
    note_at: Option<&str>,
    timeout: Duration,
) -> std::io::Result<ChildRun> {
    let start = Instant::now();
    let deadline = start + timeout;
    let mut child = cmd
        .stdin(if feed.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take();
    let mut fed = feed.is_none();
    let mut noted_secs = None;
    // Both pipes are drained on threads, so a chatty child never blocks;
    // stdout comes back in chunks, to be searched as it arrives.
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = out_pipe.read(&mut buf) {
            if tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let stderr = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });

    let mut stdout = Vec::new();
    let ending = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => {
                let marker = kill_at.unwrap_or_default().as_bytes();
                // Search only what arrived since the last search could miss.
                let from = stdout.len().saturating_sub(marker.len());
                stdout.extend_from_slice(&chunk);
                if !marker.is_empty() && stdout[from..].windows(marker.len()).any(|w| w == marker) {
                    break Ending::Matched;
                }
                if let (None, Some(note)) = (noted_secs, note_at) {
                    let note = note.as_bytes();
                    let from = from.saturating_sub(note.len());
                    if stdout[from..].windows(note.len()).any(|w| w == note) {
                        noted_secs = Some(start.elapsed().as_secs_f64());
                    }
                }
                if let (false, Some(f)) = (fed, feed) {
                    let after = f.after.as_bytes();
                    if stdout.windows(after.len()).any(|w| w == after) {
                        if let Some(mut pipe) = stdin.take() {
                            use std::io::Write as _;
                            // Dropping the pipe closes the child's stdin.
                            let _ = pipe.write_all(f.input);
                        }
                        fed = true;
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => break Ending::TimedOut,
            // Stdout is closed: the child is exiting (or closed it and runs on).
            Err(RecvTimeoutError::Disconnected) => match child.try_wait()? {
                Some(status) => break Ending::Exited(status),
                None if left.is_zero() => break Ending::TimedOut,
                None => std::thread::sleep(Duration::from_millis(1)),
            },
        }
    };
    let secs = start.elapsed().as_secs_f64();
    if !matches!(ending, Ending::Exited(_)) {
        let _ = child.kill();
    }
    child.wait()?;
    Ok(ChildRun {
        ending,
        secs,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.join().unwrap_or_default()).into_owned(),
        noted_secs,
    })
}

/// The figures a boot reads from `rvdbt run --stats` (stderr).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Guest instructions executed (`instructions N`).
    pub insns: Option<u64>,
    /// Translation blocks compiled (`jit tbs N ...`; jit and tiered only).
    pub tbs: Option<u64>,
    /// Total compile time in seconds (`total-compile X ms`), on whatever
    /// threads compiled: tiered compiles in the background.
    pub compile_secs: Option<f64>,
}

impl Stats {
    pub fn parse(stderr: &str) -> Stats {
        let mut s = Stats::default();
        for line in stderr.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let after = |key: &str| {
                let i = words.iter().position(|w| *w == key)?;
                words.get(i + 1).copied()
            };
            match words.first() {
                Some(&"instructions") => {
                    s.insns = after("instructions").and_then(|n| n.parse().ok())
                }
                Some(&"jit") if words.get(1) == Some(&"tbs") => {
                    s.tbs = after("tbs").and_then(|n| n.parse().ok());
                    s.compile_secs = after("total-compile")
                        .and_then(|ms| ms.parse::<f64>().ok())
                        .map(|ms| ms / 1e3);
                }
                _ => {}
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_lines_are_parsed() {
        let s = Stats::parse(
            "instructions      1209202990\n\
             memory            mmio 32822 split 54433 code-writes 381\n\
             jit               tbs 14466 avg-compile 355.2 us total-compile 5138.1 ms code 13368 KiB\n\
             jit dispatch      tb-runs 10502254 jump-cache-hits 7437528\n",
        );
        assert_eq!(s.insns, Some(1_209_202_990));
        assert_eq!(s.tbs, Some(14466));
        assert!((s.compile_secs.unwrap() - 5.1381).abs() < 1e-9);
        assert_eq!(Stats::parse("instructions 7\n").tbs, None);
    }

    #[test]
    fn initramfs_sections_are_parsed() {
        let console = "[ 1.0] Run /init\r\n=== uname\r\nLinux x\r\n=== end\r\n\
                       noise\n=== cpuinfo\nprocessor\t: 0\n\n=== end\n=== cut\nlost\n";
        let s = initramfs_sections(console);
        assert_eq!(
            s,
            vec![
                ("uname".to_string(), vec!["Linux x".to_string()]),
                (
                    "cpuinfo".to_string(),
                    vec!["processor\t: 0".to_string(), String::new()]
                ),
            ]
        );
    }

    #[test]
    fn a_child_is_killed_on_its_marker_and_at_its_deadline() {
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "echo booting; echo 'Kernel panic: VFS: Unable to mount root fs'; exec sleep 30",
        ]);
        let r = run_child(&mut cmd, Some(PANIC_LINE), Duration::from_secs(20)).unwrap();
        assert_eq!(r.ending, Ending::Matched);
        assert!(r.reached_panic() && r.secs < 10.0);

        let mut cmd = Command::new("sleep");
        cmd.arg("30");
        let r = run_child(&mut cmd, None, Duration::from_millis(200)).unwrap();
        assert_eq!(r.ending, Ending::TimedOut);
        assert!(!r.reached_panic() && r.secs < 10.0);

        // Input is typed after its marker, and stdin closes after it.
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "echo ready; read a; read b; echo got $a; read c || echo eof",
        ]);
        let feed = Feed {
            after: "ready",
            input: b"one\ntwo\n",
        };
        let r = run_child_fed(
            &mut cmd,
            None,
            Some(feed),
            Some("got"),
            Duration::from_secs(20),
        )
        .unwrap();
        assert!(matches!(r.ending, Ending::Exited(s) if s.success()));
        assert_eq!(r.stdout, "ready\ngot one\neof\n");
        assert!(r.noted_secs.is_some_and(|t| t <= r.secs));

        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo out; echo err >&2; exit 3"]);
        let r = run_child(&mut cmd, None, Duration::from_secs(20)).unwrap();
        assert!(matches!(r.ending, Ending::Exited(s) if s.code() == Some(3)));
        assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("out\n", "err\n"));
    }
}
