//! RISC-V IOPMP (placeholder; being written).
