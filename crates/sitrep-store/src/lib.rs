//! The SQLite store: documents, versions, outlets, cleaning spans, migrations.
