//! The web page and the libraries it uses, embedded in the binary so the
//! map works without a network. `web/build.mjs` copies the libraries into
//! `assets/vendor/` from npm; the page itself is `assets/index.html`,
//! `assets/app.js` and `assets/app.css`.

const FILES: &[(&str, &[u8], &str)] = &[
    (
        "index.html",
        include_bytes!("../assets/index.html"),
        "text/html; charset=utf-8",
    ),
    (
        "app.js",
        include_bytes!("../assets/app.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "app.css",
        include_bytes!("../assets/app.css"),
        "text/css; charset=utf-8",
    ),
    (
        "leaflet.js",
        include_bytes!("../assets/vendor/leaflet.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "leaflet.css",
        include_bytes!("../assets/vendor/leaflet.css"),
        "text/css; charset=utf-8",
    ),
    (
        "topojson-client.min.js",
        include_bytes!("../assets/vendor/topojson-client.min.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "countries-50m.json",
        include_bytes!("../assets/vendor/countries-50m.json"),
        "application/json",
    ),
];

/// An embedded file by name, with its media type.
pub fn get(name: &str) -> Option<(&'static [u8], &'static str)> {
    FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, b, m)| (*b, *m))
}

/// The names of the embedded files.
pub fn names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(n, _, _)| *n)
}
