//! Print the gazetteer candidates of names given as arguments.
use sitrep_geo::{fold, Gazetteer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let g = Gazetteer::open(&sitrep_geo::default_data_dir().join("gazetteer.bin.lz4"))?;
    for name in std::env::args().skip(1) {
        let l = fold::light(&name);
        let h = fold::heavy_from_light(&l);
        println!("{name:?}: light {l:?} heavy {h:?}");
        for (kind, hits) in [("light", g.lookup_light(&l)), ("heavy", g.lookup_heavy(&h))] {
            for i in hits.iter().take(12) {
                if let Some(r) = g.record(*i) {
                    let p = g.place_ref(&r);
                    println!(
                        "  {kind} {} {} {} {} {} pop {} ({:.3},{:.3})",
                        p.geonames_id,
                        p.name,
                        p.feature_code,
                        p.country_code,
                        p.admin1,
                        p.population,
                        p.lat,
                        p.lon
                    );
                }
            }
        }
    }
    Ok(())
}
