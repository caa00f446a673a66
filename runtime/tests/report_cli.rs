//! `rvdbt report`: a saved profile printed and drawn; bad input is a clean
//! exit 2 naming the problem.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use runtime::profile::format::{self, BlockCount, CodeCount, FunctionCount, MemPc, Profile};

fn rvdbt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvdbt"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run rvdbt")
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rvdbt-report-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Asserts a clean usage/input error: exit 2, a message naming `needle`, no panic.
fn assert_input_error(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.contains(needle),
        "stderr should mention {needle:?}: {err}"
    );
    assert!(err.starts_with("rvdbt report: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked"), "panic: {err}");
}

fn profile() -> Profile {
    Profile {
        format: format::FORMAT.into(),
        engine: "tiered".into(),
        program: "guest.elf".into(),
        instructions: 1_000,
        wall_seconds: 0.5,
        mem_by_pc: vec![MemPc {
            pc: 0x8000_0010,
            symbol: Some("memcpy+0x10".into()),
            disasm: "sd a0,0(a1)".into(),
            access: "write".into(),
            counts: [("fast", 10), ("slow", 2), ("tlb_miss", 2)]
                .into_iter()
                .map(|(k, n)| (k.to_string(), n))
                .collect(),
            ..MemPc::default()
        }],
        code: vec![CodeCount {
            pc: 0x8000_0010,
            symbol: Some("memcpy+0x10".into()),
            disasm: "sd a0,0(a1)".into(),
            tier: "jit".into(),
            count: 1_000,
        }],
        blocks: vec![BlockCount {
            pc: 0x8000_0000,
            symbol: Some("memcpy+0x0".into()),
            tier: "jit".into(),
            len: 10,
            entries: 100,
        }],
        functions: vec![FunctionCount {
            name: "memcpy".into(),
            tiers: [("jit".to_string(), 1_000)].into_iter().collect(),
            total: 1_000,
            slow_accesses: 2,
        }],
        ..Profile::default()
    }
}

#[test]
fn report_prints_a_saved_profile() {
    let p = scratch(
        "ok.json",
        serde_json::to_string(&profile()).unwrap().as_bytes(),
    );
    let out = rvdbt(&["report", p.to_str().unwrap(), "--top", "5"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "hot memory paths",
        "hot pages",
        "TLB per MMU index",
        "hot code: functions",
        "hot code: blocks",
        "memcpy+0x10",
        "tlb_miss=2",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
}

#[test]
fn report_svg_writes_three_files() {
    let p = scratch(
        "svg.json",
        serde_json::to_string(&profile()).unwrap().as_bytes(),
    );
    let svg = p.with_file_name("prof.svg");
    let out = rvdbt(&[
        "report",
        p.to_str().unwrap(),
        "--sort",
        "insns",
        "--svg",
        svg.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for name in ["prof.svg", "prof.slow.svg", "prof.reasons.svg"] {
        let path = p.with_file_name(name);
        assert!(text.contains(&path.display().to_string()), "{text}");
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("memcpy") || name.contains("reasons"), "{name}");
        assert!(svg.contains("<svg"), "{name}");
    }
}

#[test]
fn report_missing_file_is_an_input_error() {
    assert_input_error(
        &rvdbt(&["report", "/nonexistent/prof.json"]),
        "/nonexistent/prof.json",
    );
}

#[test]
fn report_not_json_is_an_input_error() {
    let p = scratch("garbage.json", b"{ not json");
    assert_input_error(&rvdbt(&["report", p.to_str().unwrap()]), "not a profile");
}

#[test]
fn report_wrong_format_is_an_input_error() {
    let mut prof = profile();
    prof.format = "rvdbt-profile/999".into();
    let p = scratch(
        "v999.json",
        serde_json::to_string(&prof).unwrap().as_bytes(),
    );
    let out = rvdbt(&["report", p.to_str().unwrap()]);
    assert_input_error(&out, "rvdbt-profile/999");
    assert_input_error(&out, p.to_str().unwrap());
}

#[test]
fn report_bad_sort_key_is_an_input_error() {
    let p = scratch(
        "sort.json",
        serde_json::to_string(&profile()).unwrap().as_bytes(),
    );
    let out = rvdbt(&["report", p.to_str().unwrap(), "--sort", "bogus"]);
    assert_input_error(&out, "bogus");
    // The message lists the valid keys.
    assert_input_error(&out, "tlb_miss, victim_hit");
    assert_input_error(&out, "accesses, insns");
}
