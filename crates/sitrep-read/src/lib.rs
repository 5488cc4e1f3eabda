//! Intake: files, directories, gzip, JSON Lines, stdin, sidecar metadata.
