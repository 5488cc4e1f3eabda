//! Print the classifier's per-sentence scores for a passage read from
//! stdin: `cargo run --release -p sitrep-extract --example explain < file.txt`.
//! A debugging aid for the cue lexicon.

use std::io::Read;

use sitrep_extract::classify::split_sentences;
use sitrep_extract::SubtypeClassifier;

fn main() {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        eprintln!("explain: stdin is not UTF-8 text");
        std::process::exit(2);
    }
    let clf = SubtypeClassifier::new();
    for (i, s) in split_sentences(&text).enumerate() {
        let scores = clf.score_sentence(s);
        let mut v: Vec<_> = scores.iter().collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        println!("[{i}] {}", s.trim());
        for (t, sc) in v {
            println!("      {sc:>5.2}  {t:?}");
        }
    }
    println!("=> {:?}", clf.classify(&text));
}
