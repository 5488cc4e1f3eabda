//! Cleaning: HTML main content, boilerplate, repeated blocks, datelines, language, near-duplicate signatures.
