/**
 * The map of the dashboard: Natural Earth countries, protected areas, warning areas coloured by severity, and
 * stations by sense and status. GeoJSON sources straight from the API; MapLibre draws them with WebGL.
 *
 * Thousands of warnings (the overview): below zoom AREA_MIN_ZOOM each area is a disc of its reach (an outline
 * there would be a few pixels, and tiling 10 000 outlines took seconds); the outlines are fetched by MapLibre's
 * worker the first time the map zooms in.
 */
import maplibregl, { type GeoJSONSource, type Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef } from 'preact/hooks';
import { SEVERITY_COLOURS } from '../levels.ts';
import { baseStyle, loadCoarseCountries, loadDetailedCountries } from './basemap.ts';

export interface MapLayers {
  /** A few warnings (a warning's page): drawn as areas at every zoom. */
  readonly warnings?: GeoJSON.FeatureCollection | undefined;
  /**
   * Many warnings (the overview), as URLs MapLibre's worker fetches and parses itself, off the page's thread:
   * the discs (`view=points` of GET /v1/map/warnings, with their bbox to fit) and the areas (`view=map`),
   * fetched once the map is zoomed in.
   */
  readonly manyWarnings?:
    | { readonly discsUrl: string; readonly bbox: Box | null; readonly areasUrl: string }
    | undefined;
  readonly stations?: GeoJSON.FeatureCollection | string | undefined;
  readonly protectedAreas?: GeoJSON.FeatureCollection | string | undefined;
}

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };

// MapLibre's worker starts with the app, while it checks the session, rather than when the first map is made.
maplibregl.prewarm();
// And the coarse coastlines are fetched and converted while the app checks the session, not once a map loads.
void loadCoarseCountries().catch(() => undefined);

/** From this zoom (a country fills the screen) warnings are drawn as their areas; below it as discs. */
export const AREA_MIN_ZOOM = 4;

/** World pixels per degree at zoom 0 (512-pixel world). */
const PIXELS_PER_DEGREE_Z0 = 512 / 360;

/** A disc as wide as the area's reach (at least 3 px), scaling with the map: exponential base 2 is exact. */
const discRadius = [
  'interpolate',
  ['exponential', 2],
  ['zoom'],
  0,
  ['max', 3, ['*', ['get', 'radius_deg'], PIXELS_PER_DEGREE_Z0]],
  AREA_MIN_ZOOM,
  ['max', 3, ['*', ['get', 'radius_deg'], PIXELS_PER_DEGREE_Z0 * 2 ** AREA_MIN_ZOOM]],
] as unknown as maplibregl.ExpressionSpecification;

const draftOpacity = (draft: number, published: number) =>
  [
    'case',
    ['==', ['get', 'status'], 'draft'],
    draft,
    published,
  ] as unknown as maplibregl.ExpressionSpecification;

const severityColour = [
  'match',
  ['get', 'severity'],
  ...Object.entries(SEVERITY_COLOURS).flat(),
  SEVERITY_COLOURS.Unknown,
] as unknown as maplibregl.ExpressionSpecification;

const STATUS_COLOURS = [
  'match',
  ['get', 'status'],
  'ok',
  '#2e7d32',
  'stale',
  '#9e9e9e',
  'fault',
  '#c62828',
  '#546e7a',
];

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
  /** Called once, when the warnings are first on screen. */
  onWarningsShown?: () => void;
  /** A layer the map could not load (the worker fetches URLs itself, so errors come back this way). */
  onError?: (error: Error) => void;
  label: string;
}) {
  const container = useRef<HTMLElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const select = useRef(props.onSelectWarning);
  select.current = props.onSelectWarning;
  const shown = useRef(props.onWarningsShown);
  shown.current = props.onWarningsShown;
  const failed = useRef(props.onError);
  failed.current = props.onError;

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
      renderWorldCopies: false,
    });
    mapRef.current = map;
    // Marks show in the browser's performance timeline (and in `npm run bench -- map`) where the time goes.
    performance.mark('ew4e:map-created');
    window.__ew4eMap = { map, idleWithData: false };
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.on('load', () => {
      performance.mark('ew4e:map-loaded');
      map.addSource('countries', { type: 'geojson', data: EMPTY });
      map.addSource('protected', { type: 'geojson', data: EMPTY });
      map.addSource('warnings', { type: 'geojson', data: EMPTY });
      // Discs only show below AREA_MIN_ZOOM: no deeper tiles to cut.
      map.addSource('warning-discs', { type: 'geojson', data: EMPTY, maxzoom: AREA_MIN_ZOOM });
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
        id: 'warning-discs',
        type: 'circle',
        source: 'warning-discs',
        maxzoom: AREA_MIN_ZOOM,
        paint: {
          'circle-radius': discRadius,
          'circle-color': severityColour,
          'circle-opacity': draftOpacity(0.2, 0.45),
          'circle-stroke-color': severityColour,
          'circle-stroke-width': draftOpacity(1, 2),
        },
      });
      // With a URL for many warnings, the areas only show from AREA_MIN_ZOOM (set in the data effect).
      map.addLayer({
        id: 'warnings-fill',
        type: 'fill',
        source: 'warnings',
        paint: { 'fill-color': severityColour, 'fill-opacity': draftOpacity(0.2, 0.45) },
      });
      map.addLayer({
        id: 'warnings-line',
        type: 'line',
        source: 'warnings',
        paint: {
          'line-color': severityColour,
          'line-width': 2,
          'line-dasharray': [
            'case',
            ['==', ['get', 'status'], 'draft'],
            ['literal', [2, 2]],
            ['literal', [1, 0]],
          ],
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
      for (const layer of ['warnings-fill', 'warning-discs']) {
        map.on('click', layer, (event) => {
          const id = Number(event.features?.[0]?.properties?.thread_id);
          if (Number.isFinite(id)) select.current?.(id);
        });
        map.on('mouseenter', layer, () => {
          map.getCanvas().style.cursor = 'pointer';
        });
        map.on('mouseleave', layer, () => {
          map.getCanvas().style.cursor = '';
        });
      }
      map.on('error', (event: { error?: Error; sourceId?: string }) => {
        if (event.sourceId !== undefined)
          failed.current?.(event.error ?? new Error(`${event.sourceId} failed`));
      });
      // The layers do not wait for the coastlines: the worker takes them as they come.
      loadCoarseCountries().then(
        (countries) => {
          if (mapRef.current !== map) return;
          (map.getSource('countries') as GeoJSONSource).setData(countries);
          performance.mark('ew4e:basemap-set');
        },
        (error: unknown) => failed.current?.(error instanceof Error ? error : new Error(String(error))),
      );
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
    () =>
      whenReady((map) =>
        (map.getSource('stations') as GeoJSONSource).setData(props.layers.stations ?? EMPTY),
      ),
    [props.layers.stations],
  );
  useEffect(
    () =>
      whenReady((map) =>
        (map.getSource('protected') as GeoJSONSource).setData(props.layers.protectedAreas ?? EMPTY),
      ),
    [props.layers.protectedAreas],
  );
  useEffect(
    () =>
      whenReady((map) => {
        const many = props.layers.manyWarnings;
        const areas = map.getSource('warnings') as GeoJSONSource;
        const discs = map.getSource('warning-discs') as GeoJSONSource;
        const shown = many ?? props.layers.warnings;
        // Areas at every zoom for a few warnings; discs below AREA_MIN_ZOOM for many.
        for (const layer of ['warnings-fill', 'warnings-line'])
          map.setLayerZoomRange(layer, many === undefined ? 0 : AREA_MIN_ZOOM, 24);
        map.setLayoutProperty('warning-discs', 'visibility', many === undefined ? 'none' : 'visible');
        if (many === undefined) areas.setData(props.layers.warnings ?? EMPTY);
        else discs.setData(many.discsUrl);
        const box = props.fit ?? (many === undefined ? extentOf(props.layers.warnings) : many.bbox);
        if (box !== null) map.fitBounds(box as Box, { padding: 40, maxZoom: 7, duration: 0 });
        if (many !== undefined) {
          // The outlines are fetched once the map is zoomed in far enough to show them.
          const askAreas = () => {
            if (map.getZoom() < AREA_MIN_ZOOM - 0.5) return;
            map.off('zoomend', askAreas);
            areas.setData(many.areasUrl);
          };
          map.on('zoomend', askAreas);
          askAreas();
        }
        whenIdle(map, shown !== undefined);
      }),
    [props.layers.warnings, props.layers.manyWarnings, props.fit],
  );

  /** Marks the map idle with its warnings drawn (for people: the legend; for tests and the bench: data-state). */
  const whenIdle = (map: MapLibreMap, loaded: boolean) => {
    const element = container.current;
    if (loaded) performance.mark('ew4e:warnings-set');
    map.once('idle', () => {
      if (!loaded) return;
      performance.mark('ew4e:idle-with-warnings');
      if (window.__ew4eMap !== undefined) {
        window.__ew4eMap.idleWithData = true;
        // Milliseconds since the page's navigation began: what `npm run bench -- map` reports.
        window.__ew4eMap.idleAtMs ??= performance.now();
      }
      if (element === null) return;
      element.dataset.state = 'idle';
      if (element.dataset.refined !== 'true') {
        element.dataset.refined = 'true';
        shown.current?.();
        void loadDetailedCountries().then((detailed) => {
          if (mapRef.current === map) (map.getSource('countries') as GeoJSONSource).setData(detailed);
        });
      }
    });
    map.triggerRepaint();
  };

  // A labelled section is a region landmark: screen readers can jump to the map.
  return <section ref={container} class="map" aria-label={props.label} data-testid="map" />;
}

export type Box = [west: number, south: number, east: number, north: number];

function extentOf(fc: GeoJSON.FeatureCollection | undefined): Box | null {
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
  for (const f of fc.features)
    if (f.geometry !== null && 'coordinates' in f.geometry) visit(f.geometry.coordinates);
  return [w, s, e, n];
}
