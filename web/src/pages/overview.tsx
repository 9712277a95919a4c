/** Overview: per country and city the highest current level, counts by hazard and a trend; the map of it all. */
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { getText } from '../api.ts';
import { ErrorLine, SeverityBadge, Sparkline } from '../components/bits.tsx';
import { useResource } from '../components/use-resource.ts';
import { formatNumber, t } from '../i18n.ts';
import { hazardName } from '../levels.ts';
import { type Box, type MapLayers, WarningMap } from '../map/warning-map.tsx';

export interface OverviewItem {
  area_id: number;
  code: string;
  name: string;
  kind: string;
  highest: { severity: string; hazard: string; thread_id: number; headline: string | null } | null;
  counts_by_hazard: Record<string, number>;
  trend: number[];
}

/**
 * The overview's warnings as discs: the answer is handed to MapLibre's worker unparsed (a blob: URL) and only
 * its bbox, which the API writes first, is read here. Parsing and copying 10 000 features on the page's thread
 * held the first frame back.
 */
function useWarningDiscs(): { layer: MapLayers['manyWarnings']; error: Error | undefined } {
  const [layer, setLayer] = useState<MapLayers['manyWarnings']>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  useEffect(() => {
    let url: string | undefined;
    let current = true;
    discsText().then(
      (text) => {
        performance.mark('ew4e:discs-received');
        if (!current) return;
        url = URL.createObjectURL(new Blob([text], { type: 'application/geo+json' }));
        setLayer({ discsUrl: url, bbox: leadingBbox(text), areasUrl: WARNING_AREAS_URL });
      },
      (e: unknown) => current && setError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => {
      current = false;
      if (url !== undefined) URL.revokeObjectURL(url);
    };
  }, []);
  return { layer, error };
}

const WARNING_DISCS_URL = '/v1/map/warnings?include=drafts&view=points';

let earlyDiscs: Promise<string> | undefined;

/**
 * When the app opens on the overview, the discs are asked for at once, right behind the session check (the
 * embedded database answers in turn, and the check decides what the page shows): the discs are the slowest
 * part of the page's first map. Signed out, the early request fails and the page asks again later.
 */
export function prefetchOverview(): void {
  if (location.pathname !== '/') return;
  earlyDiscs = getText(WARNING_DISCS_URL);
  earlyDiscs.catch(() => undefined);
}

function discsText(): Promise<string> {
  const early = earlyDiscs;
  earlyDiscs = undefined;
  return early === undefined ? getText(WARNING_DISCS_URL) : early.catch(() => getText(WARNING_DISCS_URL));
}

/** The FeatureCollection's bbox when it is its first member after "type" (as the API writes it), else null. */
function leadingBbox(text: string): Box | null {
  const match = /^\{"type":"FeatureCollection","bbox":\[([^\]]*)\]/.exec(text.slice(0, 200));
  const box = match?.[1]?.split(',').map(Number);
  return box?.length === 4 && box.every(Number.isFinite) ? (box as Box) : null;
}

/** Fetched by MapLibre's worker, off the page's thread. */
const STATIONS_URL = '/v1/map/stations';
const PROTECTED_AREAS_URL = '/v1/map/areas?kind=protected_area';
const WARNING_AREAS_URL = '/v1/map/warnings?include=drafts&simplify=0.005&view=map';

export function OverviewPage() {
  const discs = useWarningDiscs();
  // After the map's warnings: on the embedded database requests queue one behind another, and the
  // per-area aggregates of thousands of warnings would hold the map back.
  const [mapShown, setMapShown] = useState(false);
  const [mapError, setMapError] = useState<Error | undefined>(undefined);
  const overview = useResource<{ items: OverviewItem[] }>(mapShown ? '/v1/overview' : null);
  const [, navigate] = useLocation();
  return (
    <div class="overview">
      <section class="map-panel" aria-labelledby="map-title">
        <h2 id="map-title">{t('activeWarnings')}</h2>
        <WarningMap
          label={t('map')}
          layers={{
            manyWarnings: discs.layer,
            stations: STATIONS_URL,
            protectedAreas: PROTECTED_AREAS_URL,
          }}
          onSelectWarning={(id) => navigate(`/warnings/${id}`)}
          onWarningsShown={() => setMapShown(true)}
          onError={setMapError}
        />
        <Legend />
        <ErrorLine error={discs.error ?? mapError} />
      </section>
      <section aria-labelledby="areas-title">
        <h2 id="areas-title">{t('overview')}</h2>
        <ErrorLine error={overview.error} />
        {overview.data === undefined ? (
          <p>{t('loading')}</p>
        ) : (
          <ul class="cards">
            {overview.data.items.map((a) => (
              <li key={a.area_id} class="card" data-testid="area-card">
                <h3>
                  {a.name} <small>{a.code}</small>
                </h3>
                <p>
                  {t('highestLevel')}:{' '}
                  {a.highest === null ? (
                    t('noWarning')
                  ) : (
                    <a href={`/warnings/${a.highest.thread_id}`}>
                      <SeverityBadge severity={a.highest.severity} /> {hazardName(a.highest.hazard)}
                    </a>
                  )}
                </p>
                <p class="counts">
                  {Object.entries(a.counts_by_hazard).map(([hazard, n]) => (
                    <span key={hazard}>
                      {hazardName(hazard)}: {formatNumber(n)}
                    </span>
                  ))}
                </p>
                <Sparkline values={a.trend} label={`${t('trend')}: ${a.trend.join(', ')}`} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function Legend() {
  return (
    <ul class="legend" aria-label="Legend">
      {['Extreme', 'Severe', 'Moderate', 'Minor'].map((s) => (
        <li key={s}>
          <SeverityBadge severity={s} />
        </li>
      ))}
      <li>
        <span class="dot ok" /> {t('stations')}
      </li>
      <li>
        <span class="swatch protected" /> {t('protectedAreas')}
      </li>
    </ul>
  );
}
