//! `rvdbt run --profile`: where a guest spends its memory time and which
//! code it runs, per guest instruction, page, MMU index and tier.

pub mod format;
