//! `sitrep eval fusion` (to come).
