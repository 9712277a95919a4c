/**
 * The map of the dashboard: Natural Earth countries, protected areas, warning areas coloured by severity, and
 * stations by sense and status. GeoJSON sources straight from the API; MapLibre draws them with WebGL.
 */
import maplibregl, { type GeoJSONSource, type Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef } from 'preact/hooks';
import { SEVERITY_COLOURS } from '../levels.ts';
import { baseStyle, loadCoarseCountries, loadDetailedCountries } from './basemap.ts';

export interface MapLayers {
  readonly warnings?: GeoJSON.FeatureCollection | undefined;
  readonly stations?: GeoJSON.FeatureCollection | undefined;
  readonly protectedAreas?: GeoJSON.FeatureCollection | undefined;
}

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };

const severityColour = [
  'match',
  ['get', 'severity'],
  ...Object.entries(SEVERITY_COLOURS).flat(),
  SEVERITY_COLOURS.Unknown,
] as unknown as maplibregl.ExpressionSpecification;

const STATUS_COLOURS = ['match', ['get', 'status'], 'ok', '#2e7d32', 'stale', '#9e9e9e', 'fault', '#c62828', '#546e7a'];

declare global {
  interface Window {
    /** For end-to-end tests and the map benchmark: the live map and when it last became idle with data. */
    __ew4eMap?: { map: MapLibreMap; idleWithData: boolean; idleAtMs?: number };
  }
}

export function WarningMap(props: {
  layers: MapLayers;
  /** [west, south, east, north] to show; else the extent of the warnings, else the world. */
  fit?: readonly [number, number, number, number] | undefined;
  onSelectWarning?: (threadId: number) => void;
  label: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const select = useRef(props.onSelectWarning);
  select.current = props.onSelectWarning;

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const map = new maplibregl.Map({
      container: element,
      style: baseStyle(),
      center: [20, 10],
      zoom: 1.3,
      attributionControl: { compact: true, customAttribution: 'Natural Earth' },
      fadeDuration: 0,
    });
    mapRef.current = map;
    window.__ew4eMap = { map, idleWithData: false };
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.on('load', async () => {
      map.addSource('countries', { type: 'geojson', data: EMPTY });
      map.addSource('protected', { type: 'geojson', data: EMPTY });
      map.addSource('warnings', { type: 'geojson', data: EMPTY });
      map.addSource('stations', { type: 'geojson', data: EMPTY });
      map.addLayer({ id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': '#f4f1ea' } });
      map.addLayer({
        id: 'borders',
        type: 'line',
        source: 'countries',
        paint: { 'line-color': '#a9a39a', 'line-width': 0.6 },
      });
      map.addLayer({
        id: 'protected-fill',
        type: 'fill',
        source: 'protected',
        paint: { 'fill-color': '#66bb6a', 'fill-opacity': 0.35 },
      });
      map.addLayer({
        id: 'warnings-fill',
        type: 'fill',
        source: 'warnings',
        paint: {
          'fill-color': severityColour,
          'fill-opacity': ['case', ['==', ['get', 'status'], 'draft'], 0.2, 0.45],
        },
      });
      map.addLayer({
        id: 'warnings-line',
        type: 'line',
        source: 'warnings',
        paint: {
          'line-color': severityColour,
          'line-width': 2,
          'line-dasharray': ['case', ['==', ['get', 'status'], 'draft'], ['literal', [2, 2]], ['literal', [1, 0]]],
        },
      });
      map.addLayer({
        id: 'stations',
        type: 'circle',
        source: 'stations',
        paint: {
          'circle-radius': ['interpolate', ['linear'], ['zoom'], 1, 2.5, 8, 6],
          'circle-color': STATUS_COLOURS as unknown as maplibregl.ExpressionSpecification,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 1,
        },
      });
      map.on('click', 'warnings-fill', (event) => {
        const id = Number(event.features?.[0]?.properties?.thread_id);
        if (Number.isFinite(id)) select.current?.(id);
      });
      map.on('mouseenter', 'warnings-fill', () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', 'warnings-fill', () => {
        map.getCanvas().style.cursor = '';
      });
      (map.getSource('countries') as GeoJSONSource).setData(await loadCoarseCountries());
      element.dataset.loaded = 'true';
      map.fire('ew4e:ready');
    });
    return () => {
      map.remove();
      mapRef.current = null;
    };
  }, []);

  /** Runs `apply` once the map has its sources (now, or when it becomes ready). */
  const whenReady = (apply: (map: MapLibreMap) => void) => {
    const map = mapRef.current;
    if (map === null) return;
    if (container.current?.dataset.loaded === 'true') apply(map);
    else map.once('ew4e:ready', () => apply(map));
  };

  // One effect per layer: each source is handed to the worker (and tiled) only when its own data changes.
  useEffect(
    () => whenReady((map) => (map.getSource('stations') as GeoJSONSource).setData(props.layers.stations ?? EMPTY)),
    [props.layers.stations],
  );
  useEffect(
    () =>
      whenReady((map) => (map.getSource('protected') as GeoJSONSource).setData(props.layers.protectedAreas ?? EMPTY)),
    [props.layers.protectedAreas],
  );
  useEffect(
    () =>
      whenReady((map) => {
        (map.getSource('warnings') as GeoJSONSource).setData(props.layers.warnings ?? EMPTY);
        const box = props.fit ?? extentOf(props.layers.warnings);
        if (box !== null) map.fitBounds(box as [number, number, number, number], { padding: 40, maxZoom: 7, duration: 0 });
        const element = container.current;
        const loaded = props.layers.warnings !== undefined;
        map.once('idle', () => {
          if (window.__ew4eMap !== undefined && loaded) {
            window.__ew4eMap.idleWithData = true;
            // Milliseconds since the page's navigation began: what `npm run bench -- map` reports.
            window.__ew4eMap.idleAtMs ??= performance.now();
          }
          if (element !== null && loaded) element.dataset.state = 'idle';
          if (loaded && element?.dataset.refined !== 'true') {
            if (element !== null) element.dataset.refined = 'true';
            void loadDetailedCountries().then((detailed) => {
              if (mapRef.current === map) (map.getSource('countries') as GeoJSONSource).setData(detailed);
            });
          }
        });
        map.triggerRepaint();
      }),
    [props.layers.warnings, props.fit],
  );

  return <div ref={container} class="map" role="region" aria-label={props.label} data-testid="map" />;
}

function extentOf(fc: GeoJSON.FeatureCollection | undefined): [number, number, number, number] | null {
  if (fc === undefined || fc.features.length === 0) return null;
  let [w, s, e, n] = [180, 90, -180, -90];
  const visit = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as [number, number];
      w = Math.min(w, x);
      e = Math.max(e, x);
      s = Math.min(s, y);
      n = Math.max(n, y);
    } else if (Array.isArray(c)) for (const part of c) visit(part);
  };
  for (const f of fc.features) if (f.geometry !== null && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
  return [w, s, e, n];
}
