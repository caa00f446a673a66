//! `rvdbt report`: a saved profile printed and drawn; bad input is a clean
//! exit 2 naming the problem.

use std::process::Output;

use runtime::profile::format::{self, BlockCount, CodeCount, FunctionCount, MemPc, Profile};

mod common;
use common::{guest, rvdbt, scratch};

/// Asserts a clean usage/input error: exit 2, a message naming `needle`, no panic.
fn assert_input_error(out: &Output, needle: &str) {
    let err = common::assert_input_error(out, needle);
    assert!(err.starts_with("rvdbt report: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
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

/// `rvdbt run --profile=FILE` under every engine: the guest's exit status
/// is kept, the summary goes to stderr, and the saved profile reads back
/// with the instructions the run executed and the program's symbols.
#[test]
fn run_profile_saves_what_report_reads() {
    let elf = guest("checksum");
    for engine in ["reference", "interp", "jit", "tiered"] {
        let json = scratch(&format!("checksum-{engine}.json"), b"");
        let arg = format!("--profile={}", json.display());
        let out = rvdbt(&["run", "--engine", engine, &arg, elf.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{engine}: {err}");
        assert!(err.contains("hot memory paths"), "{engine}: {err}");
        let text = std::fs::read_to_string(&json).unwrap();
        let p = Profile::from_json(&text).unwrap();
        assert_eq!(p.engine, engine);
        let executed: u64 = p.code.iter().map(|c| c.count).sum();
        assert!(p.instructions > 1_000_000, "{engine}: {}", p.instructions);
        // Exact in every engine, also where a device access ends a block
        // in its middle (the UART's registers).
        assert_eq!(executed, p.instructions, "{engine}: instructions per pc");
        assert!(
            p.functions.iter().any(|f| f.name == "crc32_table"),
            "{engine}: symbols from the ELF"
        );
        let row = p
            .mem_by_pc
            .iter()
            .find(|m| m.devices.contains_key("uart"))
            .expect("the UART's accesses");
        assert_eq!(row.count("mmio"), row.count("slow"), "{engine}");
        let report = rvdbt(&["report", json.to_str().unwrap(), "--top", "3"]);
        assert_eq!(report.status.code(), Some(0), "{engine}");
    }
}

#[test]
fn run_profile_bad_inputs_fail_before_running() {
    let elf = guest("hello");
    let elf = elf.to_str().unwrap();
    let out = rvdbt(&[
        "run",
        "--profile",
        "--symbols",
        "/nonexistent/System.map",
        elf,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("/nonexistent/System.map"), "{err}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("Hello"),
        "ran"
    );
    let junk = scratch("junk.map", b"not a symbol map\n");
    let out = rvdbt(&["run", "--profile", "--symbols", junk.to_str().unwrap(), elf]);
    assert_eq!(out.status.code(), Some(2));
    let out = rvdbt(&["run", "--profile=/nonexistent/dir/p.json", elf]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write the profile"), "{err}");
    // --symbols needs --profile.
    let out = rvdbt(&["run", "--symbols", junk.to_str().unwrap(), elf]);
    assert_eq!(out.status.code(), Some(2));
}
