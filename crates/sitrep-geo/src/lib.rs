//! Who and where: actor knowledge base and GeoNames geoparser.
