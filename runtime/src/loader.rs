//! Loading guest images: statically linked RV64 ELF executables and raw binaries.
//!
//! Every check a malformed file could trip is an error value carrying the
//! file and the reason; nothing here panics on bad input.

use std::path::{Path, PathBuf};

use object::elf::{EM_RISCV, ET_EXEC, PT_LOAD};
use object::read::elf::{ElfFile64, FileHeader, ProgramHeader};
use object::{Endianness, Object, ObjectSymbol};

/// Why a guest image could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: empty file")]
    Empty { path: PathBuf },
    #[error("{path}: not an ELF file (bad magic)")]
    NotElf { path: PathBuf },
    #[error("{path}: not a 64-bit little-endian ELF: {reason}")]
    BadElf { path: PathBuf, reason: String },
    #[error("{path}: ELF machine is {machine}, expected RISC-V ({EM_RISCV})")]
    WrongMachine { path: PathBuf, machine: u16 },
    #[error("{path}: ELF type {ty} is not an executable (ET_EXEC); link it statically")]
    NotExecutable { path: PathBuf, ty: u16 },
    #[error("{path}: segment {index} data (offset {offset:#x}, size {size:#x}) lies beyond the end of the file (truncated?)")]
    Truncated {
        path: PathBuf,
        index: usize,
        offset: u64,
        size: u64,
    },
    #[error("{path}: segment {index} at {addr:#x}..{end:#x} lies outside guest RAM {ram_start:#x}..{ram_end:#x}")]
    OutsideRam {
        path: PathBuf,
        index: usize,
        addr: u64,
        end: u64,
        ram_start: u64,
        ram_end: u64,
    },
    #[error(
        "{path}: segment {index} has file size {filesz:#x} larger than memory size {memsz:#x}"
    )]
    BadSegment {
        path: PathBuf,
        index: usize,
        filesz: u64,
        memsz: u64,
    },
    #[error("{path}: no loadable segment")]
    NoSegments { path: PathBuf },
}

/// One block of bytes to place in guest memory.
#[derive(Clone, Debug)]
pub struct Segment {
    pub addr: u64,
    /// File bytes followed by zeros up to the segment's memory size.
    pub bytes: Vec<u8>,
}

/// A parsed guest image, ready to copy into RAM.
#[derive(Clone, Debug)]
pub struct Image {
    pub entry: u64,
    pub segments: Vec<Segment>,
    /// Addresses of the HTIF `tohost`/`fromhost` symbols, when present.
    pub tohost: Option<u64>,
    pub fromhost: Option<u64>,
}

impl Image {
    /// The first address past the highest segment.
    pub fn end(&self) -> u64 {
        self.segments
            .iter()
            .map(|s| s.addr + s.bytes.len() as u64)
            .max()
            .unwrap_or(0)
    }
}

/// Reads a file, with the path in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let data = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.into(),
        source,
    })?;
    if data.is_empty() {
        return Err(LoadError::Empty { path: path.into() });
    }
    Ok(data)
}

/// Whether `data` starts with the ELF magic.
pub fn is_elf(data: &[u8]) -> bool {
    data.starts_with(b"\x7fELF")
}

/// Parses a statically linked RV64 ELF executable whose loadable segments
/// must all lie in `ram` (start, end).
pub fn parse_elf(path: &Path, data: &[u8], ram: (u64, u64)) -> Result<Image, LoadError> {
    let p = || path.to_path_buf();
    if !is_elf(data) {
        return Err(LoadError::NotElf { path: p() });
    }
    let elf = ElfFile64::<Endianness>::parse(data).map_err(|e| LoadError::BadElf {
        path: p(),
        reason: e.to_string(),
    })?;
    let endian = elf.endian();
    if endian != Endianness::Little {
        return Err(LoadError::BadElf {
            path: p(),
            reason: "big-endian".into(),
        });
    }
    let hdr = elf.elf_header();
    let machine = hdr.e_machine(endian);
    if machine != EM_RISCV {
        return Err(LoadError::WrongMachine { path: p(), machine });
    }
    let ty = hdr.e_type(endian);
    if ty != ET_EXEC {
        return Err(LoadError::NotExecutable { path: p(), ty });
    }
    let mut segments = Vec::new();
    for (index, ph) in elf.elf_program_headers().iter().enumerate() {
        if ph.p_type(endian) != PT_LOAD {
            continue;
        }
        let (addr, memsz) = (ph.p_paddr(endian), ph.p_memsz(endian));
        let (offset, filesz) = (ph.p_offset(endian), ph.p_filesz(endian));
        if memsz == 0 {
            continue;
        }
        if filesz > memsz {
            return Err(LoadError::BadSegment {
                path: p(),
                index,
                filesz,
                memsz,
            });
        }
        let file_end = offset
            .checked_add(filesz)
            .filter(|&e| e <= data.len() as u64);
        let Some(file_end) = file_end else {
            return Err(LoadError::Truncated {
                path: p(),
                index,
                offset,
                size: filesz,
            });
        };
        let end = addr.saturating_add(memsz);
        if addr < ram.0 || end > ram.1 || end == u64::MAX {
            return Err(LoadError::OutsideRam {
                path: p(),
                index,
                addr,
                end,
                ram_start: ram.0,
                ram_end: ram.1,
            });
        }
        let mut bytes = data[offset as usize..file_end as usize].to_vec();
        bytes.resize(memsz as usize, 0);
        segments.push(Segment { addr, bytes });
    }
    if segments.is_empty() {
        return Err(LoadError::NoSegments { path: p() });
    }
    let sym = |name: &str| {
        elf.symbols()
            .find(|s| s.name() == Ok(name))
            .map(|s| s.address())
    };
    Ok(Image {
        entry: hdr.e_entry(endian),
        segments,
        tohost: sym("tohost"),
        fromhost: sym("fromhost"),
    })
}

/// Wraps a raw binary as an image placed at `addr`.
pub fn raw_image(
    path: &Path,
    data: Vec<u8>,
    addr: u64,
    ram: (u64, u64),
) -> Result<Image, LoadError> {
    let end = addr + data.len() as u64;
    if addr < ram.0 || end > ram.1 {
        return Err(LoadError::OutsideRam {
            path: path.into(),
            index: 0,
            addr,
            end,
            ram_start: ram.0,
            ram_end: ram.1,
        });
    }
    Ok(Image {
        entry: addr,
        segments: vec![Segment { addr, bytes: data }],
        tohost: None,
        fromhost: None,
    })
}
