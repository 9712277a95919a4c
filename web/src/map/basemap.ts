/**
 * The offline basemap: Natural Earth countries (1:50m) from the `world-atlas` npm package, bundled as an asset
 * and turned into GeoJSON in the browser — no tile server, no CDN, no glyphs (labels are HTML, not map text).
 */
import type { StyleSpecification } from 'maplibre-gl';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import detailedUrl from 'world-atlas/countries-50m.json?url';
import coarseUrl from 'world-atlas/countries-110m.json?url';

const loaded = new Map<string, Promise<GeoJSON.FeatureCollection>>();

function load(url: string): Promise<GeoJSON.FeatureCollection> {
  let countries = loaded.get(url);
  if (countries === undefined) {
    countries = fetch(url)
      .then((r) => r.json() as Promise<Topology<{ countries: GeometryCollection }>>)
      .then((topology) => feature(topology, topology.objects.countries) as GeoJSON.FeatureCollection);
    // A failed fetch is not kept: the next map asks again.
    countries.catch(() => loaded.delete(url));
    loaded.set(url, countries);
  }
  return countries;
}

/**
 * The 1:110m countries (100 KB) draw the first frame; the 1:50m ones (750 KB, seven times the vertices to tile)
 * replace them once the map is idle, so the warnings are on screen before the coastlines are refined.
 */
export const loadCoarseCountries = (): Promise<GeoJSON.FeatureCollection> => load(coarseUrl);
export const loadDetailedCountries = (): Promise<GeoJSON.FeatureCollection> => load(detailedUrl);

export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    sources: {},
    layers: [{ id: 'ocean', type: 'background', paint: { 'background-color': '#dbe7ef' } }],
  };
}
