//! Loading guest images: RV64 ELF executables (`ET_EXEC`, and `ET_DYN` such
//! as OpenSBI's position-independent `fw_*.elf`, both at their physical
//! addresses as QEMU loads them), RISC-V Linux `Image`s and flat binaries.
//!
//! Every check a malformed file could trip is an error value carrying the
//! file and the reason; nothing here panics on bad input. What a file can
//! make rvdbt allocate is bounded by guest RAM: only regular files no
//! larger than RAM are read, segments are checked against RAM and against
//! each other before any of their bytes are copied, and a segment keeps
//! only its file bytes (the zeros up to its memory size are guest RAM's
//! own: it starts zeroed).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use object::elf::{EM_RISCV, ET_DYN, ET_EXEC, PT_LOAD};
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
    #[error("{path}: not a regular file ({kind}); give an ELF or raw image file")]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("{path}: {size} bytes, larger than guest RAM ({limit} bytes)")]
    TooBig {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{path}: segment {first} at {first_start:#x}..{first_end:#x} overlaps segment {second} at {second_start:#x}..{second_end:#x}")]
    Overlap {
        path: PathBuf,
        first: usize,
        first_start: u64,
        first_end: u64,
        second: usize,
        second_start: u64,
        second_end: u64,
    },
    #[error("{path}: not an ELF file (bad magic)")]
    NotElf { path: PathBuf },
    #[error("{path}: not a 64-bit little-endian ELF: {reason}")]
    BadElf { path: PathBuf, reason: String },
    #[error("{path}: ELF machine is {machine}, expected RISC-V ({EM_RISCV})")]
    WrongMachine { path: PathBuf, machine: u16 },
    #[error("{path}: ELF type {ty} is neither an executable (ET_EXEC) nor a position-independent executable (ET_DYN)")]
    NotExecutable { path: PathBuf, ty: u16 },
    #[error("{path}: not an ELF file or a RISC-V Image (bad magic); a flat binary is loaded only behind firmware (--bios)")]
    NotBootable { path: PathBuf },
    #[error("{path}: RISC-V Image header: {reason}")]
    BadImageHeader { path: PathBuf, reason: String },
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
    /// The bytes from the file; the segment's memory beyond them (up to
    /// `memsz`) is zero, which fresh guest RAM already is.
    pub bytes: Vec<u8>,
    /// Size in guest memory (at least `bytes.len()`).
    pub memsz: u64,
}

impl Segment {
    /// A segment of exactly `bytes`.
    pub fn new(addr: u64, bytes: Vec<u8>) -> Segment {
        let memsz = bytes.len() as u64;
        Segment { addr, bytes, memsz }
    }

    /// One past its last byte in guest memory (saturating).
    pub fn end(&self) -> u64 {
        self.addr.saturating_add(self.memsz)
    }
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
        self.segments.iter().map(Segment::end).max().unwrap_or(0)
    }
}

/// Reads a guest image file of at most `limit` bytes (guest RAM's size),
/// with the path in the error. Anything but a regular file (a FIFO, which
/// would block; `/dev/zero`, which never ends; a directory) is refused
/// before it is opened, and a larger file before a byte is read.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.into(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    check_regular(path, &meta)?;
    check_size(path, meta.len(), limit)?;
    let file = std::fs::File::open(path).map_err(io)?;
    // The path may name another file by now: check what was opened, and
    // never read more than the limit whatever the file does.
    let meta = file.metadata().map_err(io)?;
    check_regular(path, &meta)?;
    check_size(path, meta.len(), limit)?;
    let mut data = Vec::with_capacity(meta.len() as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(io)?;
    check_size(path, data.len() as u64, limit)?;
    Ok(data)
}

fn check_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), LoadError> {
    let t = meta.file_type();
    if t.is_file() {
        return Ok(());
    }
    let kind = if t.is_dir() {
        "a directory"
    } else {
        special_kind(&t)
    };
    Err(LoadError::NotRegular {
        path: path.into(),
        kind,
    })
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

fn check_size(path: &Path, size: u64, limit: u64) -> Result<(), LoadError> {
    if size == 0 {
        return Err(LoadError::Empty { path: path.into() });
    }
    if size > limit {
        return Err(LoadError::TooBig {
            path: path.into(),
            size,
            limit,
        });
    }
    Ok(())
}

/// Whether `data` starts with the ELF magic.
pub fn is_elf(data: &[u8]) -> bool {
    data.starts_with(b"\x7fELF")
}

/// Parses an RV64 ELF executable whose loadable segments must all lie in
/// `ram` (start, end). Segments go to their physical addresses (`p_paddr`),
/// as QEMU's `load_elf` places firmware and kernels; an `ET_DYN` linked
/// below RAM is moved up to RAM's start as a whole (it relocates itself,
/// as OpenSBI's position-independent firmware does; nothing is patched).
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
    if ty != ET_EXEC && ty != ET_DYN {
        return Err(LoadError::NotExecutable { path: p(), ty });
    }
    // Every segment is checked (in the file, in RAM, against the others)
    // before any byte is copied.
    struct Placed {
        index: usize,
        addr: u64,
        memsz: u64,
        offset: u64,
        filesz: u64,
    }
    // A position-independent executable linked below RAM (trixie's OpenSBI
    // `fw_jump.elf` is linked at 0 and relocates itself) is moved as a
    // whole so its lowest segment starts RAM; one linked inside RAM stays
    // where it was linked, as an ET_EXEC would.
    let loads = || {
        elf.elf_program_headers()
            .iter()
            .filter(|ph| ph.p_type(endian) == PT_LOAD && ph.p_memsz(endian) != 0)
    };
    let lowest = loads().map(|ph| ph.p_paddr(endian)).min().unwrap_or(0);
    let bias = if ty == ET_DYN && lowest < ram.0 {
        ram.0 - lowest
    } else {
        0
    };
    let mut placed = Vec::new();
    for (index, ph) in elf.elf_program_headers().iter().enumerate() {
        if ph.p_type(endian) != PT_LOAD {
            continue;
        }
        let addr = ph.p_paddr(endian).wrapping_add(bias);
        let memsz = ph.p_memsz(endian);
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
        if offset
            .checked_add(filesz)
            .is_none_or(|e| e > data.len() as u64)
        {
            return Err(LoadError::Truncated {
                path: p(),
                index,
                offset,
                size: filesz,
            });
        }
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
        placed.push(Placed {
            index,
            addr,
            memsz,
            offset,
            filesz,
        });
    }
    placed.sort_by_key(|s| (s.addr, s.index));
    // Sorted by start, two segments overlap only if some neighbours do.
    for w in placed.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if b.addr < a.addr + a.memsz {
            let (first, second) = if a.index < b.index { (a, b) } else { (b, a) };
            return Err(LoadError::Overlap {
                path: p(),
                first: first.index,
                first_start: first.addr,
                first_end: first.addr + first.memsz,
                second: second.index,
                second_start: second.addr,
                second_end: second.addr + second.memsz,
            });
        }
    }
    let segments: Vec<Segment> = placed
        .iter()
        .map(|s| Segment {
            addr: s.addr,
            bytes: data[s.offset as usize..(s.offset + s.filesz) as usize].to_vec(),
            memsz: s.memsz,
        })
        .collect();
    if segments.is_empty() {
        return Err(LoadError::NoSegments { path: p() });
    }
    let sym = |name: &str| {
        elf.symbols()
            .find(|s| s.name() == Ok(name))
            .map(|s| s.address())
    };
    Ok(Image {
        entry: hdr.e_entry(endian).wrapping_add(bias),
        segments,
        tohost: sym("tohost").map(|a| a.wrapping_add(bias)),
        fromhost: sym("fromhost").map(|a| a.wrapping_add(bias)),
    })
}

/// Wraps a raw binary as an image placed at `addr`.
pub fn raw_image(
    path: &Path,
    data: Vec<u8>,
    addr: u64,
    ram: (u64, u64),
) -> Result<Image, LoadError> {
    let end = addr.saturating_add(data.len() as u64);
    check_in_ram(path, addr, end, ram)?;
    Ok(Image {
        entry: addr,
        segments: vec![Segment::new(addr, data)],
        tohost: None,
        fromhost: None,
    })
}

/// The fields of a RISC-V Linux `Image` header (Documentation/arch/riscv/boot-image-header.rst).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageHeader {
    /// Offset of the image from a 2 MiB-aligned base of RAM.
    pub text_offset: u64,
    /// Bytes of memory the kernel occupies from its load address (its
    /// file plus bss and early data); 0 in headers that leave it unset.
    pub image_size: u64,
}

/// Size of the header; the magics sit at its end.
const IMAGE_HEADER_LEN: usize = 64;

/// The `Image` header of `data`, when it has one ("RISCV\0\0\0" at 48, the
/// deprecated magic, or "RSC\x05" at 56).
pub fn image_header(path: &Path, data: &[u8]) -> Result<Option<ImageHeader>, LoadError> {
    if data.len() < IMAGE_HEADER_LEN
        || (&data[48..56] != b"RISCV\0\0\0" && &data[56..60] != b"RSC\x05")
    {
        return Ok(None);
    }
    let u64_at = |o: usize| u64::from_le_bytes(data[o..o + 8].try_into().expect("8 bytes"));
    let h = ImageHeader {
        text_offset: u64_at(8),
        image_size: u64_at(16),
    };
    // The kernel runs at a 2 MiB-aligned base plus text_offset (2 MiB for
    // RV64): an offset that is not page aligned, or a wild one, is not a
    // kernel's.
    if !h.text_offset.is_multiple_of(4096) || h.text_offset >= 1 << 30 {
        return Err(LoadError::BadImageHeader {
            path: path.into(),
            reason: format!(
                "text_offset {:#x} is not a page-aligned offset below 1 GiB",
                h.text_offset
            ),
        });
    }
    Ok(Some(h))
}

/// A RISC-V `Image` placed at `addr`: its memory footprint is the larger of
/// the file and the header's `image_size`, so nothing else is placed over
/// the kernel's bss.
pub fn kernel_image(
    path: &Path,
    data: Vec<u8>,
    header: ImageHeader,
    addr: u64,
    ram: (u64, u64),
) -> Result<Image, LoadError> {
    let mut img = raw_image(path, data, addr, ram)?;
    let seg = &mut img.segments[0];
    seg.memsz = seg.memsz.max(header.image_size);
    check_in_ram(path, addr, seg.end(), ram)?;
    Ok(img)
}

/// A whole-file image at `addr..end` must lie in `ram`.
fn check_in_ram(path: &Path, addr: u64, end: u64, ram: (u64, u64)) -> Result<(), LoadError> {
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
    Ok(())
}
