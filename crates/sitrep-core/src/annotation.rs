//! Mentions produced by the annotation stage (sentences, quantities, time
//! expressions, attribution, modality). Filled in by `sitrep-annotate`.
