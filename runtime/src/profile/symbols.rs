//! Guest symbols for profiles: from an ELF's symbol table or a Linux
//! `System.map` (`address type name` per line).

use std::path::Path;

use object::{Object, ObjectSymbol, SymbolKind};

/// Symbols sorted by address.
#[derive(Debug, Default)]
pub struct Symbols {
    /// (start, end, name); `end` is the next symbol's start when the
    /// source gives no size.
    syms: Vec<(u64, u64, String)>,
    source: Option<String>,
}

impl Symbols {
    /// No symbols.
    pub fn none() -> Symbols {
        Symbols::default()
    }

    /// Reads an ELF's symbols or a `System.map`. The error says why the
    /// file could not be used.
    pub fn load(path: &Path) -> Result<Symbols, String> {
        let data = crate::loader::read_file(path, 1 << 30)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let mut s = if data.starts_with(b"\x7fELF") {
            Symbols::from_elf(&data).map_err(|e| format!("{}: {e}", path.display()))?
        } else {
            Symbols::from_system_map(&data).map_err(|e| format!("{}: {e}", path.display()))?
        };
        s.source = Some(path.display().to_string());
        Ok(s)
    }

    /// The symbols of an ELF file (functions and objects with a name).
    pub fn from_elf(data: &[u8]) -> Result<Symbols, String> {
        let file = object::File::parse(data).map_err(|e| format!("not a valid ELF: {e}"))?;
        let mut v: Vec<(u64, u64, String)> = file
            .symbols()
            .filter(|s| {
                // Assembly labels have no type (`Unknown`); sections and
                // files are not locations.
                matches!(
                    s.kind(),
                    SymbolKind::Text | SymbolKind::Data | SymbolKind::Unknown
                )
            })
            // Defined in a section: `is_definition` would drop assembly labels
            // (no type, no size).
            .filter(|s| !s.is_undefined() && s.section_index().is_some())
            .filter_map(|s| {
                let name = s.name().ok()?;
                (!name.is_empty() && !name.starts_with(".L") && !name.starts_with("$"))
                    .then(|| (s.address(), s.size(), name.to_string()))
            })
            .map(|(a, size, n)| (a, if size == 0 { 0 } else { a + size }, n))
            .collect();
        v.sort();
        v.dedup_by_key(|s| s.0);
        Ok(Symbols::close(v))
    }

    /// The symbols of a `System.map`: `ffffffff80000000 T _text` lines.
    pub fn from_system_map(data: &[u8]) -> Result<Symbols, String> {
        let text = std::str::from_utf8(data).map_err(|_| "neither an ELF nor a System.map")?;
        let mut v = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let mut f = line.split_whitespace();
            let (Some(addr), Some(kind), Some(name)) = (f.next(), f.next(), f.next()) else {
                if line.trim().is_empty() {
                    continue;
                }
                return Err(format!("line {}: not `address type name`", i + 1));
            };
            let addr = u64::from_str_radix(addr, 16)
                .map_err(|_| format!("line {}: bad address `{addr}`", i + 1))?;
            // Absolute symbols (`a`/`A`) are not code locations.
            if !kind.eq_ignore_ascii_case("a") {
                v.push((addr, 0, name.to_string()));
            }
        }
        if v.is_empty() {
            return Err("no symbols".into());
        }
        v.sort();
        v.dedup_by_key(|s| s.0);
        Ok(Symbols::close(v))
    }

    /// Gives sizeless symbols the next symbol's start as their end.
    fn close(mut v: Vec<(u64, u64, String)>) -> Symbols {
        for i in 0..v.len() {
            if v[i].1 == 0 {
                v[i].1 = v.get(i + 1).map_or(v[i].0 + 0x1000, |n| n.0);
            }
        }
        Symbols {
            syms: v,
            source: None,
        }
    }

    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    pub fn is_empty(&self) -> bool {
        self.syms.is_empty()
    }

    fn find(&self, pc: u64) -> Option<&(u64, u64, String)> {
        let i = self.syms.partition_point(|s| s.0 <= pc).checked_sub(1)?;
        let s = &self.syms[i];
        (pc < s.1).then_some(s)
    }

    /// The function `pc` lies in.
    pub fn function(&self, pc: u64) -> Option<&str> {
        self.find(pc).map(|s| s.2.as_str())
    }

    /// `name+0xoff`, as objdump and perf print it.
    pub fn describe(&self, pc: u64) -> Option<String> {
        self.find(pc).map(|s| format!("{}+{:#x}", s.2, pc - s.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_map_lines_resolve_to_the_enclosing_symbol() {
        let map = b"ffffffff80000000 T _start\nffffffff80000040 t helper\n0000000000000000 A absolute\nffffffff80000100 T end\n";
        let s = Symbols::from_system_map(map).unwrap();
        assert_eq!(
            s.describe(0xffff_ffff_8000_0044).as_deref(),
            Some("helper+0x4")
        );
        assert_eq!(s.function(0xffff_ffff_8000_0000), Some("_start"));
        assert_eq!(s.function(0x10), None, "absolute symbols are skipped");
        assert!(Symbols::from_system_map(b"nonsense\n").is_err());
    }

    #[test]
    fn elf_symbols_of_a_bundled_guest() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/guest/hello.elf");
        let Ok(data) = std::fs::read(path) else {
            panic!("bundled guest {path} is missing");
        };
        let s = Symbols::from_elf(&data).unwrap();
        assert!(!s.is_empty());
        let main = s.syms.iter().find(|x| x.2 == "main").expect("main");
        assert_eq!(s.function(main.0 + 2), Some("main"));
        assert!(Symbols::from_elf(b"\x7fELFjunk").is_err());
    }
}
