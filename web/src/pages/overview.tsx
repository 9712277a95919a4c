/** Overview: per country and city the highest current level, counts by hazard and a trend; the map of it all. */
import { useMemo, useState } from 'preact/hooks';
import { useLocation } from 'wouter-preact';
import { ErrorLine, SeverityBadge, Sparkline } from '../components/bits.tsx';
import { useResource } from '../components/use-resource.ts';
import { formatNumber, t } from '../i18n.ts';
import { hazardName } from '../levels.ts';
import { WarningMap } from '../map/warning-map.tsx';

export interface OverviewItem {
  area_id: number;
  code: string;
  name: string;
  kind: string;
  highest: { severity: string; hazard: string; thread_id: number; headline: string | null } | null;
  counts_by_hazard: Record<string, number>;
  trend: number[];
}

/** Fetched by MapLibre's worker, off the page's thread. */
const STATIONS_URL = '/v1/map/stations';
const PROTECTED_AREAS_URL = '/v1/map/areas?kind=protected_area';
const WARNING_AREAS_URL = '/v1/map/warnings?include=drafts&simplify=0.005&view=map';

export function OverviewPage() {
  // After the map's warnings: on the embedded database requests queue one behind another, and the
  // per-area aggregates of thousands of warnings would hold the map back.
  const discs = useResource<GeoJSON.FeatureCollection>('/v1/map/warnings?include=drafts&view=points');
  // One object per answer: a new one would make the map set its data (and fit its view) again.
  const manyWarnings = useMemo(
    () => discs.data && { discs: discs.data, areasUrl: WARNING_AREAS_URL },
    [discs.data],
  );
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
            manyWarnings,
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
