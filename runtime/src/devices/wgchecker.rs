//! RISC-V WorldGuard wgChecker (placeholder; being written).
