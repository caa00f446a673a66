//! Runs the guest test programs on QEMU, the reference machine.
//!
//! For every `qemu` entry of `tests/guest/manifest.txt` this starts
//! `qemu-system-riscv64 -M virt -bios none -kernel tests/guest/<name>.elf
//! -nographic -m 128M` (killed after 20 s), and checks that the bytes QEMU
//! wrote to stdout equal `tests/guest/expected/<name>.out` exactly and that
//! its exit status equals the manifest's expected exit code.  This keeps the
//! suite honest: every program and expected output is verified against QEMU,
//! so rvdbt can be checked against the same files.
//!
//! QEMU copies the guest's UART bytes to stdout unchanged (no "\n" -> "\r\n"
//! translation when stdout is not a terminal), so the comparison is exact.
//!
//! Without `qemu-system-riscv64` on PATH the test prints
//! `qemu_compat: SKIPPED: qemu-system-riscv64 not found` and passes, unless
//! the environment variable `CI` is set, in which case it fails.
//! `RVDBT_QEMU` may name the QEMU binary explicitly.
//!
//! Only std is used (the process timeout is a `try_wait` polling loop).

use std::env;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const QEMU: &str = "qemu-system-riscv64";
const TIMEOUT: Duration = Duration::from_secs(20);

struct Entry {
    name: String,
    exit_code: i32,
    on_qemu: bool,
}

fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guest")
}

fn read_manifest(dir: &Path) -> Vec<Entry> {
    let path = dir.join("manifest.txt");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut entries = Vec::new();
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert!(
            fields.len() >= 3,
            "manifest.txt:{}: expected `<name> <exit_code> <qemu|noqemu> [rvdbt run flags]`, got `{line}`",
            lineno + 1
        );
        let exit_code = fields[1]
            .parse()
            .unwrap_or_else(|e| panic!("manifest.txt:{}: bad exit code: {e}", lineno + 1));
        let on_qemu = match fields[2] {
            "qemu" => true,
            "noqemu" => false,
            other => panic!(
                "manifest.txt:{}: expected qemu or noqemu, got `{other}`",
                lineno + 1
            ),
        };
        entries.push(Entry {
            name: fields[0].to_string(),
            exit_code,
            on_qemu,
        });
    }
    entries
}

/// The QEMU binary: `$RVDBT_QEMU`, else `qemu-system-riscv64` found on PATH.
fn find_qemu() -> Option<PathBuf> {
    if let Some(explicit) = env::var_os("RVDBT_QEMU") {
        return Some(PathBuf::from(explicit));
    }
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(QEMU))
        .find(|candidate| candidate.is_file())
}

struct QemuRun {
    /// `None` when QEMU was killed (timeout) or died from a signal.
    exit_code: Option<i32>,
    timed_out: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn run_qemu(qemu: &Path, elf: &Path) -> QemuRun {
    let mut child = Command::new(qemu)
        .args(["-M", "virt", "-bios", "none", "-kernel"])
        .arg(elf)
        .args(["-nographic", "-m", "128M"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", qemu.display()));

    // Drain both pipes on their own threads so QEMU never blocks on them.
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out_pipe.read_to_end(&mut buf);
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });

    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() >= TIMEOUT => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("wait for killed qemu");
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("waiting for qemu: {e}"),
        }
    };
    QemuRun {
        exit_code: if timed_out { None } else { status.code() },
        timed_out,
        stdout: out_reader.join().expect("stdout reader"),
        stderr: err_reader.join().expect("stderr reader"),
    }
}

/// Every manifest entry has its ELF and expected output; every source in
/// tests/guest/src has a manifest entry. Needs no QEMU.
#[test]
fn manifest_is_consistent() {
    let dir = guest_dir();
    let entries = read_manifest(&dir);
    assert!(!entries.is_empty(), "empty manifest");
    let mut names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    for e in &entries {
        assert!(
            dir.join(format!("{}.elf", e.name)).is_file(),
            "{}.elf missing",
            e.name
        );
        assert!(
            dir.join("expected")
                .join(format!("{}.out", e.name))
                .is_file(),
            "expected/{}.out missing",
            e.name
        );
        assert!(
            (0..=255).contains(&e.exit_code),
            "{}: exit code out of range",
            e.name
        );
    }
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate names in manifest.txt");

    let src = dir.join("src");
    let sources = fs::read_dir(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    for source in sources {
        let path = source.expect("dir entry").path();
        let ext = path.extension().and_then(|x| x.to_str());
        if !matches!(ext, Some("S" | "c")) {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        assert!(
            names.binary_search(&stem).is_ok(),
            "{} has no entry in manifest.txt",
            path.display()
        );
    }
}

#[test]
fn qemu_compat() {
    let Some(qemu) = find_qemu() else {
        if env::var_os("CI").is_some() {
            panic!("qemu_compat: {QEMU} not found (required when CI is set)");
        }
        // Written to the stderr handle directly so that the line is shown
        // even though the test harness captures print!/eprint! output.
        let _ = writeln!(std::io::stderr(), "qemu_compat: SKIPPED: {QEMU} not found");
        return;
    };

    let dir = guest_dir();
    let mut failures = Vec::new();
    let mut ran = 0;
    for entry in read_manifest(&dir).iter().filter(|e| e.on_qemu) {
        let elf = dir.join(format!("{}.elf", entry.name));
        let expected_path = dir.join("expected").join(format!("{}.out", entry.name));
        let expected = fs::read(&expected_path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", expected_path.display()));

        let run = run_qemu(&qemu, &elf);
        ran += 1;
        let mut problems = Vec::new();
        if run.timed_out {
            problems.push(format!("timed out after {} s", TIMEOUT.as_secs()));
        } else if run.exit_code != Some(entry.exit_code) {
            problems.push(format!(
                "exit status {:?}, expected {}",
                run.exit_code, entry.exit_code
            ));
        }
        if run.stdout != expected {
            problems.push(format!(
                "output differs:\n--- expected ({} bytes)\n{}\n--- got ({} bytes)\n{}",
                expected.len(),
                String::from_utf8_lossy(&expected),
                run.stdout.len(),
                String::from_utf8_lossy(&run.stdout)
            ));
        }
        if problems.is_empty() {
            println!("qemu_compat: {} ok", entry.name);
        } else {
            let stderr = String::from_utf8_lossy(&run.stderr);
            failures.push(format!(
                "{}: {}{}",
                entry.name,
                problems.join("; "),
                if stderr.trim().is_empty() {
                    String::new()
                } else {
                    format!("\n--- qemu stderr\n{stderr}")
                }
            ));
        }
    }
    assert!(ran > 0, "no `qemu` entries in manifest.txt");
    assert!(
        failures.is_empty(),
        "{} of {ran} guest programs failed on QEMU:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
