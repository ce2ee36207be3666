#!/usr/bin/env python3
"""Derives data/reference/{provinces,counties}.csv and the maps' boundaries from ../shared/data
(see data/SOURCES.md; TAAVON_SHARED names another copy of ../shared).

Keeps only derived totals from the census (population, economically active, unemployed per
county), never the raw GPL tables. Counties that exist in OpenStreetMap today but not in the
1395 census get the code <province><9><n> (census county numbers stop at 39, so 91..99 cannot
collide) and no population: numbers are never invented.
Run from the repository root: python3 scripts/derive-reference-data.py
"""
import csv
import json
import os
import pathlib

SHARED = pathlib.Path(os.environ.get("TAAVON_SHARED", "../shared")) / "data"
OUT = pathlib.Path("data/reference")


def persian(text):
    return text.replace("ي", "ی").replace("ى", "ی").replace("ك", "ک").strip()


def main():
    provinces = list(csv.DictReader(open(SHARED / "census/provinces-1395.csv", encoding="utf-8")))
    shdi = {r["iso3166_2"]: r["shdi_2019"] for r in csv.DictReader(open(SHARED / "development/shdi-2019-by-province.csv", encoding="utf-8"))}
    lfs = {r["iso3166_2"]: r["annual_pct"] for r in csv.DictReader(open(SHARED / "development/unemployment-lfs-1398-by-province.csv", encoding="utf-8"))}
    with open(OUT / "provinces.csv", "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["code", "sci_code", "name_fa", "name_en", "population_1395", "shdi_2019_permille", "lfs_unemployment_1398_permille"])
        for p in sorted(provinces, key=lambda r: r["iso3166_2"]):
            code = p["iso3166_2"]
            w.writerow([code, p["province_code"], persian(p["name_fa"]), p["name_en"], p["population_1395"],
                        round(float(shdi[code]) * 1000), round(float(lfs[code]) * 10)])

    counties = list(csv.DictReader(open(SHARED / "census/counties-1395.csv", encoding="utf-8")))
    illiterate = {}
    for r in csv.DictReader(open(SHARED / "census/iran1395-census-county-activity-education.csv", encoding="utf-8")):
        if r["status"] == "Active":
            illiterate[r["county_code"]] = illiterate.get(r["county_code"], 0) + int(r["Illitrate"] or 0)
    geo = json.load(open(SHARED / "geo/iran-counties.geojson", encoding="utf-8"))
    matched = {(r["province_iso"], r["osm_name_fa"]) for r in counties if r["match"] != "none"}
    rows = []
    for r in counties:
        name_en = r["osm_name_en"] or {"پلدختر": "Pol-e Dokhtar"}.get(r["county_name_fa"], "")
        rows.append([r["county_code_sci"], r["province_iso"], persian(r["county_name_fa"]), name_en,
                     r["population_1395"], r["econ_active_1395"], r["unemployed_1395"],
                     illiterate[r["county_code_sci"]], "1395"])
    extra = sorted((f["properties"] for f in geo["features"]
                    if (f["properties"]["province_iso"], f["properties"]["name_fa"]) not in matched),
                   key=lambda p: (p["province_iso"], p["name_fa"]))
    seq = {}
    for p in extra:
        n = seq.get(p["province_iso"], 0) + 1
        seq[p["province_iso"]] = n
        assert n <= 9, p
        code = p["province_code"] + "9" + str(n)
        # OSM has no English name for these; the usual transliteration.
        name_en = p["name_en"] or {"جازموریان": "Jazmurian", "گنبکی": "Ganbaki", "مروست": "Marvast"}.get(persian(p["name_fa"]), "")
        rows.append([code, p["province_iso"], persian(p["name_fa"]), name_en, "", "", "", "", "osm"])
    rows.sort(key=lambda r: r[0])
    with open(OUT / "counties.csv", "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["code", "province", "name_fa", "name_en", "population_1395", "econ_active_1395", "unemployed_1395", "illiterate_active_1395", "source"])
        w.writerows(rows)
    (OUT / "provinces.geojson").write_text((SHARED / "geo/iran-provinces.geojson").read_text(encoding="utf-8"), encoding="utf-8")
    write_county_outlines(geo, counties)


def write_county_outlines(geo, counties):
    """The county boundaries with only what the map matches them by: the province and the
    Persian name, and for the seven counties OSM names differently from the census (a
    hand-made alias in counties-1395.csv) the census name too. The server matches them to
    counties.csv by province and name and lists any county left without an outline."""
    census_name = {(r["province_iso"], r["osm_name_fa"]): persian(r["county_name_fa"])
                   for r in counties if r["match"] == "alias"}
    features = []
    for f in geo["features"]:
        p = f["properties"]
        props = {"province_iso": p["province_iso"], "name_fa": persian(p["name_fa"])}
        alias = census_name.get((p["province_iso"], p["name_fa"]))
        if alias:
            props["census_name_fa"] = alias
        features.append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    features.sort(key=lambda f: (f["properties"]["province_iso"], f["properties"]["name_fa"]))
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    (OUT / "counties.geojson").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
