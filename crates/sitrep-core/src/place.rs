//! Places and actors produced by the who-and-where stage. Filled in by
//! `sitrep-geo`.
