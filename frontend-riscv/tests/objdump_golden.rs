//! Compares our disassembler with `riscv64-unknown-elf-objdump -d` output.
//!
//! Every instruction line of an objdump listing is decoded from its raw
//! encoding and disassembled; the text must equal objdump's, after
//! whitespace is normalised and a trailing `<symbol>` or `# comment` is
//! removed. Lines that objdump prints as data (`.insn`, `.2byte`, `.4byte`,
//! `.word`...) are skipped, as are lines whose encoding we decode as illegal.

use std::path::{Path, PathBuf};

use frontend_riscv::{decode, disasm, Insn};

/// One instruction line of an objdump listing.
struct Line {
    /// The line number in the file, for messages.
    number: usize,
    pc: u64,
    raw: u32,
    len: u8,
    text: String,
}

/// Collapses runs of whitespace to one space and drops objdump's
/// annotations: a trailing `<symbol+offset>` and a `# comment`.
fn normalise(text: &str) -> String {
    let mut text = text;
    if let Some(i) = text.find('#') {
        text = &text[..i];
    }
    let mut text = text.trim_end().to_string();
    if text.ends_with('>') {
        if let Some(i) = text.rfind(" <") {
            text.truncate(i);
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses `   80000000:\t00000013          \tnop` into a [`Line`]; other lines
/// (headers, labels, blank lines, data directives) give `None`.
fn parse_line(number: usize, line: &str) -> Option<Line> {
    let mut fields = line.splitn(3, '\t');
    let addr = fields.next()?.trim().strip_suffix(':')?;
    let pc = u64::from_str_radix(addr, 16).ok()?;
    let hex = fields.next()?.trim();
    let text = fields.next()?.trim();
    if text.starts_with('.') || text.is_empty() {
        return None;
    }
    // objdump prints a RISC-V instruction as one little-endian number of
    // 4 (compressed) or 8 hex digits.
    let len = match hex.len() {
        4 => 2,
        8 => 4,
        _ => return None,
    };
    let raw = u32::from_str_radix(hex, 16).ok()?;
    Some(Line {
        number,
        pc,
        raw,
        len,
        text: normalise(text),
    })
}

/// Checks every instruction of the objdump listing `path`; returns the
/// number of lines compared and a description of each mismatch.
fn check_objdump_file(path: &Path) -> (usize, Vec<String>) {
    let content = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let Some(line) = parse_line(i + 1, line) else {
            continue;
        };
        let d = decode(line.raw);
        if d.len != line.len {
            mismatches.push(format!(
                "{}:{}: {:#x}: length {} but objdump says {}",
                path.display(),
                line.number,
                line.raw,
                d.len,
                line.len
            ));
            continue;
        }
        // objdump shows `unimp` for the all-zero halfword, which we decode as
        // illegal but print the same way; other illegal encodings are ones
        // objdump decodes and we do not, reported as mismatches below.
        let ours = disasm(&d, line.pc);
        compared += 1;
        if ours != line.text || (d.insn == Insn::Illegal && line.text != "unimp") {
            mismatches.push(format!(
                "{}:{}: {:#x} at {:#x}: ours `{ours}`, objdump `{}`",
                path.display(),
                line.number,
                line.raw,
                line.pc,
                line.text
            ));
        }
    }
    (compared, mismatches)
}

/// Checks `path` and fails with the first mismatches, if any.
fn assert_matches_objdump(path: &Path) {
    let (compared, mismatches) = check_objdump_file(path);
    eprintln!("{}: {compared} instructions compared", path.display());
    assert!(
        compared > 0,
        "{}: no instruction lines found",
        path.display()
    );
    if !mismatches.is_empty() {
        let shown: Vec<_> = mismatches.iter().take(50).cloned().collect();
        panic!(
            "{} mismatches, the first ones:\n{}",
            mismatches.len(),
            shown.join("\n")
        );
    }
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

#[test]
fn normalise_strips_annotations() {
    assert_eq!(normalise("j\t80000010 <loop>"), "j 80000010");
    assert_eq!(
        normalise("auipc\ta0,0x0\t# 80000000 <_start>"),
        "auipc a0,0x0"
    );
    assert_eq!(normalise("jal\tra,10 <f+0x4>"), "jal ra,10");
    assert_eq!(normalise("add\ta0,a0,a1"), "add a0,a0,a1");
}

#[test]
fn all_instructions_match_objdump() {
    assert_matches_objdump(&data_dir().join("all_insns.objdump"));
}

/// The guest programs' listings, when another part of the project has
/// produced them, and any files named in `RVDBT_OBJDUMP` (separated by `:`).
#[test]
fn guest_listings_match_objdump() {
    let mut files = Vec::new();
    let guest_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/guest");
    if let Ok(entries) = std::fs::read_dir(&guest_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "objdump") {
                files.push(path);
            }
        }
    }
    if let Ok(extra) = std::env::var("RVDBT_OBJDUMP") {
        files.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    files.sort();
    for file in &files {
        assert_matches_objdump(file);
    }
}
