//! Turn the TSV written by scripts/build-gazetteer.py into the binary index
//! `sitrep` loads. Usage: `sitrep-gazetteer-build IN.tsv OUT.bin`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: sitrep-gazetteer-build IN.tsv OUT.bin");
        return ExitCode::from(2);
    }
    let tsv = match std::fs::read_to_string(&args[1]) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", args[1]);
            return ExitCode::FAILURE;
        }
    };
    let bytes = match sitrep_geo::gazetteer::build_from_tsv(&tsv) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let written: Result<Vec<u8>, std::io::Error> = if args[2].ends_with(".lz4") {
        let mut out = sitrep_geo::gazetteer::LZ4_MAGIC.to_vec();
        out.extend_from_slice(&lz4_flex::block::compress_prepend_size(&bytes));
        Ok(out)
    } else {
        Ok(bytes.clone())
    };
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            eprintln!("compressing: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&args[2], &written) {
        eprintln!("{}: {e}", args[2]);
        return ExitCode::FAILURE;
    }
    match sitrep_geo::gazetteer::Gazetteer::from_bytes(bytes) {
        Ok(g) => {
            eprintln!("{}: {} records, {} bytes", args[2], g.len(), g.byte_len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("written index does not load: {e}");
            ExitCode::FAILURE
        }
    }
}
