// Build static/vendor/world-110m.geo.json: Natural Earth 1:110m countries (from the world-atlas
// package, public domain) as GeoJSON with an ISO 3166 alpha-3 code in properties.iso3, the key
// the panel uses (world-atlas only carries numeric ISO codes). Coordinates are rounded to 0.01
// degree to keep the file small; that is far below what a world map can show.
import fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const topojson = require("topojson-client");
const countries = require("i18n-iso-countries");

const topo = JSON.parse(fs.readFileSync(require.resolve("world-atlas/countries-110m.json"), "utf8"));
const geo = topojson.feature(topo, topo.objects.countries);
const r = (x) => Math.round(x * 100) / 100;
// Rings that cross the antimeridian (Russia, Fiji) are unwrapped so that no edge jumps 360 degrees
// (ECharts would draw it as a line across the whole map).
const unwrap = (ring) => {
  let prev = ring[0][0];
  return ring.map(([x, y]) => {
    while (x - prev > 180) x -= 360;
    while (prev - x > 180) x += 360;
    prev = x;
    return [r(x), r(y)];
  });
};
const round = (c) => (typeof c[0][0] === "number" ? unwrap(c) : c.map(round));
const missing = [];
// Antarctica hosts no mission and its polar outline distorts the map.
geo.features = geo.features.filter((f) => f.properties.name !== "Antarctica");
for (const f of geo.features) {
  let iso3 = f.id ? countries.numericToAlpha3(f.id) : undefined;
  // Kosovo has no ISO code; XKX is the user-assigned code the World Bank and the panel use.
  if (!iso3 && f.properties.name === "Kosovo") iso3 = "XKX";
  if (!iso3) missing.push(f.properties.name);
  f.properties = { name: f.properties.name, iso3: iso3 || "" };
  f.geometry.coordinates = round(f.geometry.coordinates);
}
fs.writeFileSync(process.argv[2], JSON.stringify(geo));
console.error(`world map: ${geo.features.length} features; without ISO3: ${missing.join(", ") || "none"}`);
