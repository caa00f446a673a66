//! What a host input can make rvdbt allocate, and how long it can make it
//! wait, is bounded: tiny ELFs asking for more than guest RAM, overlapping
//! images, special files and huge sparse files as the program or the
//! firmware are input errors (exit 2) found before anything big is
//! allocated or read. Peak RSS is measured with `wait4`.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A run of the binary: exit code, stderr, wall time and peak RSS.
struct Run {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    max_rss_kb: i64,
}

/// Runs rvdbt with `args`; kills it (and fails) after `HANG_GUARD`.
// The child is reaped by `wait4` (for its rusage), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run(args: &[&str]) -> Run {
    const HANG_GUARD: Duration = Duration::from_secs(20);
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_rvdbt"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rvdbt");
    let pid = child.id() as libc::pid_t;
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            while start.elapsed() < HANG_GUARD {
                if done.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            // SAFETY: `pid` is our child, not yet reaped (the main thread
            // reaps it only after this thread is done or has killed it).
            unsafe { libc::kill(pid, libc::SIGKILL) };
        })
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.unwrap(), &mut stderr).unwrap();
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; `status` and `usage` are valid for writes.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    done.store(true, Ordering::Relaxed);
    watchdog.join().unwrap();
    assert_eq!(r, pid, "wait4");
    let exit = std::process::ExitStatus::from_raw(status);
    assert!(
        elapsed < HANG_GUARD,
        "rvdbt {args:?} hung (killed after {HANG_GUARD:?})"
    );
    Run {
        code: exit.code(),
        stderr,
        elapsed,
        max_rss_kb: usage.ru_maxrss,
    }
}

fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rvdbt-bounded-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let p = scratch_dir().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn guest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/guest")
        .join(format!("{name}.elf"))
}

/// An RV64 ET_EXEC ELF with one PT_LOAD per `(paddr, memsz, filesz)`; the
/// file bytes of every segment are `j .` words, the file padded to 7 KiB.
fn elf(segments: &[(u64, u64, u64)]) -> Vec<u8> {
    let phoff = 64u64;
    let data_off = phoff + 56 * segments.len() as u64;
    let mut f = vec![0u8; 64];
    f[..4].copy_from_slice(b"\x7fELF");
    f[4] = 2; // 64-bit
    f[5] = 1; // little-endian
    f[6] = 1;
    f[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f[18..20].copy_from_slice(&243u16.to_le_bytes()); // EM_RISCV
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..32].copy_from_slice(&segments.first().map_or(0, |s| s.0).to_le_bytes()); // e_entry
    f[32..40].copy_from_slice(&phoff.to_le_bytes());
    f[52..54].copy_from_slice(&64u16.to_le_bytes());
    f[54..56].copy_from_slice(&56u16.to_le_bytes());
    f[56..58].copy_from_slice(&(segments.len() as u16).to_le_bytes());
    f[58..60].copy_from_slice(&64u16.to_le_bytes());
    let mut data = Vec::new();
    for &(paddr, memsz, filesz) in segments {
        let off = data_off + data.len() as u64;
        let mut ph = [0u8; 56];
        ph[0..4].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        ph[4..8].copy_from_slice(&7u32.to_le_bytes()); // RWX
        ph[8..16].copy_from_slice(&off.to_le_bytes());
        ph[16..24].copy_from_slice(&paddr.to_le_bytes());
        ph[24..32].copy_from_slice(&paddr.to_le_bytes());
        ph[32..40].copy_from_slice(&filesz.to_le_bytes());
        ph[40..48].copy_from_slice(&memsz.to_le_bytes());
        f.extend_from_slice(&ph);
        for _ in 0..filesz / 4 {
            data.extend_from_slice(&0x0000_006fu32.to_le_bytes()); // j .
        }
    }
    f.extend_from_slice(&data);
    f.resize(f.len().max(7 * 1024), 0);
    f
}

const RAM: u64 = 0x8000_0000;
const MIB: u64 = 1 << 20;
/// Peak RSS allowed for a refused input.
const RSS_LIMIT_KB: i64 = 64 * 1024;

fn assert_refused(r: &Run, needles: &[&str]) {
    assert_eq!(r.code, Some(2), "exit status; stderr: {}", r.stderr);
    for n in needles {
        assert!(
            r.stderr.contains(n),
            "stderr should mention {n:?}: {}",
            r.stderr
        );
    }
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    assert!(
        r.max_rss_kb < RSS_LIMIT_KB,
        "peak RSS {} KiB (limit {RSS_LIMIT_KB} KiB)",
        r.max_rss_kb
    );
    println!(
        "refused in {:?}, peak RSS {} KiB: {}",
        r.elapsed,
        r.max_rss_kb,
        r.stderr.trim()
    );
}

#[test]
fn overlapping_zero_filled_segments_are_refused_before_allocation() {
    for n in [8u64, 40] {
        let segs: Vec<_> = (0..n).map(|i| (RAM + i * 4096, 120 * MIB, 0)).collect();
        let f = elf(&segs);
        assert!(f.len() <= 7 * 1024, "the input is a 7 KiB file");
        let p = scratch(&format!("overlap{n}.elf"), &f);
        let r = run(&["run", p.to_str().unwrap()]);
        assert_refused(
            &r,
            &[
                "overlaps",
                "0x80000000..0x87800000",
                "0x80001000..0x87801000",
            ],
        );
    }
}

#[test]
fn a_segment_larger_than_ram_is_refused() {
    let p = scratch("huge.elf", &elf(&[(RAM, 256 * MIB, 0)]));
    let r = run(&["run", p.to_str().unwrap()]);
    assert_refused(&r, &["outside guest RAM"]);
}

#[test]
fn a_zero_filled_segment_costs_no_host_memory() {
    // 120 MiB of zeros after 16 bytes of code: it runs (until the limit),
    // and the zeros are fresh RAM's own, never copied or touched.
    let p = scratch("bss.elf", &elf(&[(RAM, 120 * MIB, 16)]));
    let r = run(&[
        "run",
        "--engine",
        "interp",
        "--max-insns",
        "100000",
        p.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(124), "stderr: {}", r.stderr);
    assert!(
        r.max_rss_kb < RSS_LIMIT_KB,
        "peak RSS {} KiB for a 120 MiB zero-filled segment",
        r.max_rss_kb
    );
}

#[test]
fn special_files_are_refused_as_program_or_firmware() {
    let dir = scratch_dir();
    let fifo = dir.join("fifo");
    let _ = std::fs::remove_file(&fifo);
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let sparse = dir.join("sparse.bin");
    let f = std::fs::File::create(&sparse).unwrap();
    f.set_len(2 << 30).unwrap();
    drop(f);
    let hello = guest("hello");
    let hello = hello.to_str().unwrap();
    let cases: [(&str, &str); 4] = [
        ("/dev/zero", "a character device"),
        (fifo.to_str().unwrap(), "a FIFO"),
        (sparse.to_str().unwrap(), "larger than guest RAM"),
        (dir.to_str().unwrap(), "a directory"),
    ];
    for (path, why) in cases {
        let r = run(&["run", path]);
        assert_refused(&r, &[path, why]);
        let r = run(&["run", "--bios", path, hello]);
        assert_refused(&r, &[path, why]);
    }
    std::fs::remove_file(&sparse).unwrap();
}

#[test]
fn images_overlapping_the_device_tree_are_refused() {
    let hello = guest("hello");
    for mem in ["1M", "2M"] {
        let r = run(&["run", "--mem", mem, hello.to_str().unwrap()]);
        assert_refused(
            &r,
            &[
                "the program's segment at 0x80000000",
                "overlaps",
                "the device tree at 0x80000000",
            ],
        );
    }
}

#[test]
fn firmware_overlapping_the_program_is_refused() {
    let hello = guest("hello");
    let h = hello.to_str().unwrap();
    let r = run(&["run", "--bios", h, h]);
    assert_refused(
        &r,
        &[
            "the firmware's segment at 0x80000000",
            "overlaps",
            "the program's segment at 0x80000000",
        ],
    );
}

#[test]
fn the_same_elf_still_runs() {
    // The bounds do not refuse ordinary programs.
    let r = run(&["run", guest("hello").to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
}
