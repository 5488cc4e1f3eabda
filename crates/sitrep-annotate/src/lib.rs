//! Annotation: sentences, quantities, time expressions, attribution and modality, each with its span.
