//! Compares our disassembler with `riscv64-unknown-elf-objdump -d` output.
//!
//! Every instruction line of an objdump listing is decoded from its raw
//! encoding and disassembled; the text must equal objdump's, after
//! whitespace is normalised and a trailing `<symbol>` or `# comment` is
//! removed. Lines that objdump prints as data (`.insn`, `.2byte`, `.4byte`,
//! `.word`...) are skipped in listings of programs; in the pseudo-random
//! sweep, where every word was emitted as an instruction, they must be
//! encodings we decode as illegal too.

use std::path::{Path, PathBuf};

use frontend_riscv::{csr_name, decode, disasm, AluOp, Decoded, FpFmt, Insn, IntFmt};

/// One instruction line of an objdump listing.
struct Line {
    /// The line number in the file, for messages.
    number: usize,
    pc: u64,
    raw: u32,
    len: u8,
    text: String,
    /// objdump printed the word as data: it is not an instruction it knows.
    data: bool,
}

/// Whether lines that objdump shows as data must be illegal for us.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    /// Skip them: a program's code can hold data.
    Skip,
    /// Check them: the file was generated with `.insn` from random words.
    MustBeIllegal,
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
    if text.is_empty() {
        return None;
    }
    let data = text.starts_with('.');
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
        data,
    })
}

/// Encodings the spec reserves, so we decode them as illegal, that binutils
/// 2.40 still disassembles: `c.addi16sp` with a zero immediate and `uret`
/// (from the withdrawn N extension).
fn spec_reserves_but_objdump_decodes(raw: u32) -> bool {
    raw == 0x6101 || raw == 0x0020_0073
}

/// Valid encodings that binutils 2.40 shows as data: fences with non-zero
/// reserved fields (which the spec says to execute as ordinary fences),
/// the exact conversions `fcvt.d.{s,w,wu}` with a rounding mode other than 0,
/// and Zicond (ratified after binutils 2.40).
fn spec_allows_but_objdump_rejects(d: &Decoded) -> bool {
    match d.insn {
        Insn::Fence { .. } | Insn::FenceI => true,
        Insn::Op {
            op: AluOp::CzeroEqz | AluOp::CzeroNez,
            ..
        } => true,
        Insn::FcvtFp { to, rm, .. } => to == FpFmt::D && rm.0 != 0,
        Insn::FcvtFromInt { fmt, int, rm, .. } => {
            fmt == FpFmt::D && matches!(int, IntFmt::W | IntFmt::Wu) && rm.0 != 0
        }
        _ => false,
    }
}

/// Checks every instruction of the objdump listing `path`; returns the
/// number of lines compared and a description of each mismatch.
fn check_objdump_file(path: &Path, unknown: Unknown) -> (usize, Vec<String>) {
    let content = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (i, line) in content.lines().enumerate() {
        let Some(line) = parse_line(i + 1, line) else {
            continue;
        };
        let d = decode(line.raw);
        if line.data {
            let legal = d.insn != Insn::Illegal && !spec_allows_but_objdump_rejects(&d);
            if unknown == Unknown::MustBeIllegal && legal {
                mismatches.push(format!(
                    "{}:{}: {:#x}: objdump does not know it, we decode `{}`",
                    path.display(),
                    line.number,
                    line.raw,
                    disasm(&d, line.pc)
                ));
            }
            continue;
        }
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
        let ours = disasm(&d, line.pc);
        compared += 1;
        let ok = if d.insn == Insn::Illegal {
            // objdump shows `unimp` for the all-zero halfword, which we decode
            // as illegal and print the same way; a few reserved encodings it
            // decodes anyway.
            (ours == "unimp" && line.text == "unimp") || spec_reserves_but_objdump_decodes(line.raw)
        } else {
            ours == line.text || ours_in_priv_1_11(&d, &ours) == line.text
        };
        if !ok {
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

/// CSRs that binutils 2.40 names only for privileged spec 1.11, which the
/// assembler records by default in objects that use CSRs.
const CSRS_ONLY_IN_PRIV_1_11: &[(u16, &str)] = &[
    (0x000, "ustatus"),
    (0x004, "uie"),
    (0x005, "utvec"),
    (0x040, "uscratch"),
    (0x041, "uepc"),
    (0x042, "ucause"),
    (0x043, "utval"),
    (0x044, "uip"),
    (0x102, "sedeleg"),
    (0x103, "sideleg"),
];

/// Whether binutils 2.40 names `csr` only from privileged spec 1.12 on; our
/// disassembler uses the 1.12 names.
fn csr_only_in_priv_1_12(csr: u16) -> bool {
    matches!(
        csr,
        0x10a | 0x30a | 0x310 | 0x31a | 0x34a | 0x34b | 0x747 | 0x757 | 0xf15
    ) || (0x3a4..=0x3af).contains(&csr)
        || (0x3c0..=0x3ef).contains(&csr)
}

/// Our text for `d` with the CSR operand spelled as objdump spells it for
/// an object that records privileged spec 1.11 (the assembler's default).
/// Other instructions are returned unchanged.
fn ours_in_priv_1_11(d: &Decoded, ours: &str) -> String {
    let csr = match d.insn {
        Insn::Csr { csr, .. } | Insn::CsrImm { csr, .. } => csr,
        _ => return ours.to_string(),
    };
    let name_1_12 = csr_name(csr).map_or_else(|| format!("{csr:#x}"), str::to_string);
    let name_1_11 = match CSRS_ONLY_IN_PRIV_1_11.iter().find(|&&(num, _)| num == csr) {
        Some(&(_, name)) => name.to_string(),
        None if csr_only_in_priv_1_12(csr) => format!("{csr:#x}"),
        None => return ours.to_string(),
    };
    // The CSR is the operand after the mnemonic's space or after a comma.
    let (mnemonic, operands) = ours.split_once(' ').unwrap_or((ours, ""));
    let operands: Vec<&str> = operands
        .split(',')
        .map(|op| {
            if op == name_1_12 {
                name_1_11.as_str()
            } else {
                op
            }
        })
        .collect();
    format!("{mnemonic} {}", operands.join(","))
}

/// Checks `path` and fails with the first mismatches, if any.
fn assert_matches_objdump(path: &Path, unknown: Unknown) {
    let (compared, mismatches) = check_objdump_file(path, unknown);
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
fn csr_names_follow_priv_1_11_when_asked() {
    let d = decode(0x30a0_2573); // csrr a0, menvcfg
    assert_eq!(disasm(&d, 0), "csrr a0,menvcfg");
    assert_eq!(ours_in_priv_1_11(&d, "csrr a0,menvcfg"), "csrr a0,0x30a");
    let d = decode(0x0000_2573); // csrr a0, ustatus
    assert_eq!(disasm(&d, 0), "csrr a0,0x0");
    assert_eq!(ours_in_priv_1_11(&d, "csrr a0,0x0"), "csrr a0,ustatus");
    let d = decode(0x3000_2573); // csrr a0, mstatus
    assert_eq!(ours_in_priv_1_11(&d, "csrr a0,mstatus"), "csrr a0,mstatus");
}

/// binutils 2.40 does not know Zicond; newer objdumps print it like this.
#[test]
fn zicond_prints_in_objdump_syntax() {
    assert_eq!(disasm(&decode(0x0ec5_d533), 0), "czero.eqz a0,a1,a2");
    assert_eq!(disasm(&decode(0x0ec5_f533), 0), "czero.nez a0,a1,a2");
    assert_eq!(disasm(&decode(0x0e00_5033), 0), "czero.eqz zero,zero,zero");
}

#[test]
fn all_instructions_match_objdump() {
    assert_matches_objdump(
        &data_dir().join("all_insns.objdump"),
        Unknown::MustBeIllegal,
    );
}

#[test]
fn random_sweep_matches_objdump() {
    assert_matches_objdump(&data_dir().join("sweep.objdump"), Unknown::MustBeIllegal);
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
        assert_matches_objdump(file, Unknown::Skip);
    }
}
