//! The `rvdbt` binary's behaviour on bad input, exit codes and tracing.

use std::path::PathBuf;
use std::process::{Command, Stdio};

mod common;
use common::{assert_input_error, guest, rvdbt, scratch};

/// A minimal ELF64 little-endian header for machine `machine`.
fn elf_header(machine: u16) -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2; // 64-bit
    h[5] = 1; // little-endian
    h[6] = 1; // version
    h[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    h[18..20].copy_from_slice(&machine.to_le_bytes());
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
    h[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
    h[58..60].copy_from_slice(&64u16.to_le_bytes()); // e_shentsize
    h
}

#[test]
fn empty_file_is_an_input_error() {
    let p = scratch("empty.elf", b"");
    assert_input_error(&rvdbt(&["run", p.to_str().unwrap()]), "empty");
}

#[test]
fn missing_file_is_an_input_error() {
    assert_input_error(
        &rvdbt(&["run", "/nonexistent/prog.elf"]),
        "/nonexistent/prog.elf",
    );
}

#[test]
fn non_elf_is_an_input_error() {
    let p = scratch("text.elf", b"#!/bin/sh\necho not an elf\n");
    assert_input_error(&rvdbt(&["run", p.to_str().unwrap()]), "not an ELF");
}

#[test]
fn x86_elf_is_rejected_by_machine() {
    let p = scratch("x86.elf", &elf_header(62));
    assert_input_error(&rvdbt(&["run", p.to_str().unwrap()]), "RISC-V");
}

#[test]
fn truncated_elf_is_an_input_error() {
    let full = std::fs::read(guest("hello")).unwrap();
    for len in [10, 63, 64, 200, full.len() / 2] {
        let p = scratch(&format!("trunc{len}.elf"), &full[..len]);
        let out = rvdbt(&["run", p.to_str().unwrap()]);
        assert_input_error(&out, p.to_str().unwrap());
    }
}

#[test]
fn segment_outside_ram_is_an_input_error() {
    let mut elf = std::fs::read(guest("hello")).unwrap();
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(elf[0x38..0x3a].try_into().unwrap()) as usize;
    let load = (0..phnum)
        .map(|i| phoff + 56 * i)
        .find(|&o| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) == 1)
        .expect("a PT_LOAD segment");
    elf[load + 24..load + 32].copy_from_slice(&0x4000_0000u64.to_le_bytes()); // p_paddr
    let p = scratch("outside.elf", &elf);
    assert_input_error(&rvdbt(&["run", p.to_str().unwrap()]), "outside guest RAM");
}

#[test]
fn bad_flags_are_usage_errors() {
    let hello = guest("hello");
    let h = hello.to_str().unwrap();
    assert_input_error(&rvdbt(&["run", "--bogus", h]), "--bogus");
    assert_input_error(&rvdbt(&["run", "--engine", "warp", h]), "warp");
    assert_input_error(&rvdbt(&["run", "--mem", "lots", h]), "lots");
    assert_input_error(&rvdbt(&["run", "--mem", "1000", h]), "RAM size");
    assert_input_error(&rvdbt(&["run"]), "PROGRAM");
    assert_input_error(&rvdbt(&["frobnicate"]), "frobnicate");
}

#[test]
fn exit_code_and_output_follow_the_guest() {
    let out = rvdbt(&["run", guest("hello").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Hello"));
    let out = rvdbt(&["run", guest("exit_code").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn instruction_limit_exits_124() {
    let out = rvdbt(&[
        "run",
        "--max-insns",
        "100",
        guest("hello").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(124));
    assert!(String::from_utf8_lossy(&out.stderr).contains("after 100 instructions"));
}

#[test]
fn trace_prints_pc_disassembly_and_written_register() {
    let out = rvdbt(&[
        "run",
        "--trace",
        "--max-insns",
        "6",
        guest("hello").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(124));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("00000000000010"))
        .collect();
    assert_eq!(lines.len(), 6, "{err}");
    // The boot ROM: auipc t0 at 0x1000 writes t0 = 0x1000; csrr a0,mhartid.
    assert!(
        lines[0].contains("auipc") && lines[0].contains("t0=0x1000"),
        "{}",
        lines[0]
    );
    assert!(
        lines[2].contains("csrr") && lines[2].contains("mhartid"),
        "{}",
        lines[2]
    );
    // Execution reaches the program's entry at the start of RAM.
    assert!(
        lines[5].contains("jr") && lines[5].contains("t0"),
        "{}",
        lines[5]
    );
}

#[test]
fn perf_map_names_compiled_blocks() {
    let child = Command::new(env!("CARGO_BIN_EXE_rvdbt"))
        .args([
            "run",
            "--engine",
            "jit",
            "--perf-map",
            guest("hello").to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rvdbt");
    let map = PathBuf::from(format!("/tmp/perf-{}.map", child.id()));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&map).expect("perf map written");
    let _ = std::fs::remove_file(&map);
    // The program's entry block, named by guest pc; lines are "start size name".
    let line = text
        .lines()
        .find(|l| l.ends_with("rvdbt_tb_80000000_pa80000000"));
    let fields: Vec<&str> = line.expect("entry TB listed").split(' ').collect();
    assert_eq!(fields.len(), 3);
    assert!(
        u64::from_str_radix(fields[0], 16).is_ok()
            && u64::from_str_radix(fields[1], 16).unwrap() > 0
    );
}

#[test]
fn checker_flags_are_validated() {
    let hello = guest("hello");
    let h = hello.to_str().unwrap();
    let out = rvdbt(&["run", "--wg-worlds", "2", h]);
    assert_input_error(&out, "--worldguard");
    let out = rvdbt(&["run", "--worldguard", "--iopmp", h]);
    assert_input_error(&out, "--iopmp");
    let out = rvdbt(&[
        "run",
        "--worldguard",
        "--wg-worlds",
        "2",
        "--wg-trusted-wid",
        "5",
        h,
    ]);
    assert_input_error(&out, "trusted WID 5");
    let out = rvdbt(&["run", "--worldguard", "--wg-worlds", "99", h]);
    assert_input_error(&out, "99 worlds");
    let out = rvdbt(&["run", "--iopmp", "--rrid", "40", h]);
    assert_input_error(&out, "RRID 40");
}

#[test]
fn checkers_with_bypass_run_unaware_programs_and_report_counters() {
    let hello = guest("hello");
    let h = hello.to_str().unwrap();
    for flag in ["--worldguard", "--iopmp"] {
        let out = rvdbt(&["run", flag, "--stats", h]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{flag}: {err}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Hello from rvdbt guest!"),
            "{flag}"
        );
        assert!(
            err.contains("iommu             translations"),
            "{flag}: {err}"
        );
    }
}

#[test]
fn exit_on_output_stops_the_run_at_the_string() {
    let hello = guest("hello");
    let h = hello.to_str().unwrap();
    for engine in ["interp", "jit", "tiered", "reference"] {
        let out = rvdbt(&["run", "--engine", engine, "--exit-on-output", "guest!", h]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{engine}: {stdout}");
        // The run stops at the match: the lines hello prints after it are
        // never written.
        assert!(
            stdout.ends_with("Hello from rvdbt guest!"),
            "{engine}: {stdout:?}"
        );
    }
    // A string the guest never prints: the guest's own exit code, or the
    // instruction limit.
    let code = guest("exit_code");
    let out = rvdbt(&["run", "--exit-on-output", "never", code.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let out = rvdbt(&["run", "--exit-on-output", "never", "--max-insns", "100", h]);
    assert_eq!(out.status.code(), Some(124));
    assert_input_error(
        &rvdbt(&["run", "--exit-on-output", "", h]),
        "--exit-on-output",
    );
}

/// A RISC-V Linux `Image` (64-byte header, `text_offset` as given) whose
/// code exits through the test finisher with code `(pc >> 20) & 0xff` of
/// its own load address: 2 when loaded at 0x8020_0000.
fn riscv_image(text_offset: u64) -> Vec<u8> {
    let mut img = vec![0u8; 64];
    img[..4].copy_from_slice(&0x0400_006fu32.to_le_bytes()); // j 64 (over the header)
    img[8..16].copy_from_slice(&text_offset.to_le_bytes());
    img[16..24].copy_from_slice(&0x1000u64.to_le_bytes()); // image_size
    img[48..56].copy_from_slice(b"RISCV\0\0\0");
    img[56..60].copy_from_slice(b"RSC\x05");
    for insn in [
        0x0000_0617u32, // auipc a2, 0
        0x0146_5613,    // srli  a2, a2, 20
        0x0ff6_7613,    // andi  a2, a2, 0xff
        0x0106_1613,    // slli  a2, a2, 16
        0x0000_35b7,    // lui   a1, 3
        0x3335_8593,    // addi  a1, a1, 0x333
        0x00c5_e5b3,    // or    a1, a1, a2
        0x0010_0537,    // lui   a0, 0x100 (the test finisher)
        0x00b5_2023,    // sw    a1, 0(a0)
        0x0000_006f,    // j     .
    ] {
        img.extend(insn.to_le_bytes());
    }
    img
}

#[test]
fn riscv_image_is_loaded_at_its_text_offset() {
    let p = scratch("Image", &riscv_image(0x20_0000));
    let out = rvdbt(&["run", p.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the code ran at 0x802xxxxx: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A text_offset that is no kernel's is refused, not loaded.
    let p = scratch("BadImage", &riscv_image(0x123));
    assert_input_error(&rvdbt(&["run", p.to_str().unwrap()]), "text_offset 0x123");
}

#[test]
fn boot_files_are_checked() {
    let hello = guest("hello");
    let h = hello.to_str().unwrap();
    assert_input_error(
        &rvdbt(&["run", "--initrd", "/nonexistent/initrd.gz", h]),
        "/nonexistent/initrd.gz",
    );
    assert_input_error(
        &rvdbt(&["run", "--bios", "/nonexistent/fw.bin", h]),
        "/nonexistent/fw.bin",
    );
    // An initrd that does not fit where QEMU puts it (64 MiB into 128 MiB of RAM).
    let big = scratch("big.initrd", &vec![0u8; 65 << 20]);
    assert_input_error(
        &rvdbt(&["run", "--initrd", big.to_str().unwrap(), h]),
        "outside guest RAM",
    );
    // A firmware that overlaps the kernel: both name their ranges.
    let out = rvdbt(&["run", "--bios", h, h]);
    assert_input_error(&out, "the firmware's segment");
    assert_input_error(&out, "overlaps the program's segment");
    // An Image whose image_size (bss included) does not fit in RAM.
    let mut img = riscv_image(0x20_0000);
    img[16..24].copy_from_slice(&(1u64 << 30).to_le_bytes());
    let p = scratch("HugeImage", &img);
    assert_input_error(&rvdbt(&["run", p.to_str().unwrap()]), "outside guest RAM");
    // Behind no firmware, a file that is neither ELF nor Image is refused.
    let p = scratch("flat.bin", &[0x13, 0, 0, 0]);
    assert_input_error(&rvdbt(&["run", p.to_str().unwrap()]), "--bios");
}

/// An `Image` that spins forever (`j .` after the header).
fn spinning_image() -> PathBuf {
    let mut img = riscv_image(0x20_0000);
    img.truncate(64);
    img.extend(0x0000_006fu32.to_le_bytes());
    scratch("spin.Image", &img)
}

#[test]
fn signals_stop_the_run_in_order() {
    let spin = spinning_image();
    let child = Command::new(env!("CARGO_BIN_EXE_rvdbt"))
        .args(["run", "--stats", spin.to_str().unwrap()])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rvdbt");
    // Wait until rvdbt catches SIGTERM (its handlers are installed at
    // start-up): /proc's SigCgt mask has the signal's bit.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let catches_term = || {
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()));
        status.ok().and_then(|s| {
            let mask = s.lines().find_map(|l| l.strip_prefix("SigCgt:"))?;
            u64::from_str_radix(mask.trim(), 16).ok()
        })
    };
    while catches_term().is_none_or(|m| m & (1 << (libc::SIGTERM - 1)) == 0) {
        assert!(
            std::time::Instant::now() < deadline,
            "rvdbt never caught SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let pid = child.id() as libc::pid_t;
    // SAFETY: kill(2) on our own child's pid, which has not been reaped.
    let killed = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(killed, 0);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(128 + 15), "{err}");
    assert!(err.contains("stopped by signal 15"), "{err}");
    assert!(
        err.contains("instructions "),
        "--stats still printed: {err}"
    );
}

/// A pseudo-terminal: (controller, terminal) file descriptors.
fn openpty() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    let (mut controller, mut terminal) = (-1, -1);
    // SAFETY: openpty writes two descriptors into the given ints; the name,
    // termios and window-size pointers may be null.
    let r = unsafe {
        libc::openpty(
            &mut controller,
            &mut terminal,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    unsafe {
        (
            std::fs::File::from_raw_fd(controller),
            std::fs::File::from_raw_fd(terminal),
        )
    }
}

/// The local modes (`c_lflag`) of the terminal `f`.
fn lflag(f: &std::fs::File) -> libc::tcflag_t {
    use std::os::fd::AsRawFd;
    // SAFETY: tcgetattr fills the zeroed termios for a valid descriptor.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        assert_eq!(libc::tcgetattr(f.as_raw_fd(), &mut t), 0);
        t.c_lflag
    }
}

#[test]
fn a_terminal_is_raw_while_running_and_restored_after_ctrl_a_x() {
    use std::io::Write as _;
    let (mut controller, terminal) = openpty();
    let cooked = lflag(&terminal);
    assert_ne!(cooked & libc::ICANON, 0, "a fresh pty is cooked");
    let child = Command::new(env!("CARGO_BIN_EXE_rvdbt"))
        .args(["run", spinning_image().to_str().unwrap()])
        .stdin(terminal.try_clone().unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rvdbt");
    // Raw mode: no line editing, no echo, no signals from keys.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while lflag(&terminal) & libc::ICANON != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the terminal never went raw"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(lflag(&terminal) & (libc::ECHO | libc::ISIG), 0);
    // Ctrl-C is the guest's; Ctrl-a x quits.
    controller.write_all(b"\x03\x01x").unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("terminated (C-a x)"), "{err}");
    assert_eq!(lflag(&terminal), cooked, "the terminal is restored");
}

#[test]
fn stats_interval_prints_status_lines_while_running() {
    let spin = spinning_image();
    let out = rvdbt(&[
        "run",
        "--stats-interval",
        "0.01",
        "--max-insns",
        "200000000",
        spin.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(124), "{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains(" MIPS ")).collect();
    assert!(!lines.is_empty(), "no status line: {err}");
    for l in &lines {
        assert!(
            l.starts_with("rvdbt: ")
                && l.contains(" insns ")
                && l.contains("tlb-miss")
                && l.contains("slow-path")
                && l.contains("tbs "),
            "{l}"
        );
    }
    let h = guest("hello");
    for bad in ["0", "soon", "1e9"] {
        assert_input_error(
            &rvdbt(&["run", "--stats-interval", bad, h.to_str().unwrap()]),
            "--stats-interval",
        );
    }
}

#[test]
fn compare_runs_the_engines_and_reports_agreement() {
    let hello = guest("hello");
    let h = hello.to_str().unwrap();
    let out = rvdbt(&["compare", "--no-qemu", h]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for engine in ["interp", "jit", "tiered"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(engine) && l.contains("exit 0")),
            "{engine} row: {text}"
        );
    }
    assert!(text.contains("agree: the same console output"), "{text}");
    assert!(text.contains("qemu: not run (--no-qemu)"), "{text}");

    // JSON, with QEMU when it is installed (CI installs it).
    let qemu = std::env::var_os("PATH").is_some_and(|p| {
        std::env::split_paths(&p).any(|d| d.join("qemu-system-riscv64").is_file())
    });
    assert!(
        qemu || std::env::var_os("CI").is_none(),
        "CI: QEMU is not installed"
    );
    let out = rvdbt(&["compare", "--engine", "interp", "--json", h]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["layout"], "rvdbt-compare/1");
    assert_eq!(v["agree"], true);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs[0]["engine"], "interp");
    assert_eq!(runs[0]["ending"]["value"], 0);
    assert!(runs[0]["insns"].as_u64().unwrap() > 1000);
    assert_eq!(runs.len(), if qemu { 2 } else { 1 });
    if qemu {
        assert_eq!(runs[1]["engine"], "qemu");
        assert_eq!(runs[1]["output_bytes"], runs[0]["output_bytes"]);
    }
}

#[test]
fn compare_fails_when_runs_do_not_finish_or_options_are_wrong() {
    // A guest that never ends: every run times out, which is a disagreement.
    let spin = spinning_image();
    let out = rvdbt(&[
        "compare",
        "--engine",
        "interp",
        "--no-qemu",
        "--timeout",
        "1",
        spin.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("DISAGREE") && text.contains("interp: did not finish"),
        "{text}"
    );
    let h = guest("hello");
    let h = h.to_str().unwrap();
    assert_input_error(
        &rvdbt(&["compare", "--mem", "1G", "--engine", "jit", h]),
        "--engine",
    );
    assert_input_error(&rvdbt(&["compare", "--qemu", "--iopmp", h]), "--iopmp");
    assert_input_error(&rvdbt(&["compare", "--mem", "lots", h]), "lots");
}
