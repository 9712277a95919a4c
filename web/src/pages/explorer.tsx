/**
 * The monitoring explorer: a station's series over any range — observations (min–max band and mean), quality
 * flags, the baseline's expected band, signals shaded, and the forecast with its uncertainty. uPlot draws it;
 * zooming (drag) or panning asks the server again, which downsamples to the chart's width.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ErrorLine } from '../components/bits.tsx';
import { useResource } from '../components/use-resource.ts';
import { formatTime, t } from '../i18n.ts';

interface Explorer {
  series: { id: number; code: string; variable: string; unit: string; station_name: string };
  bucket_s: number | null;
  observations: {
    t: string;
    avg: number | null;
    min: number | null;
    max: number | null;
    n: number;
    rejected: number;
    suspect: number;
  }[];
  qc: { t: string; value: number; flag: string }[];
  baseline: { t: string; expected: number; lower: number; upper: number }[];
  signals: {
    id: number;
    kind: string;
    state: string;
    start: string;
    end: string | null;
    sentence: string;
    score: number;
  }[];
  forecast: { t: string; mean: number; lower: number; upper: number }[];
}

const DAY = 86_400_000;

export function ExplorerPage() {
  const stations = useResource<{ features: { id: number; properties: { name: string } }[] }>(
    '/v1/stations?limit=1000',
  );
  const [stationId, setStationId] = useState<number | null>(null);
  const series = useResource<{ items: { id: number; code: string; variable_name: string; unit: string }[] }>(
    stationId === null ? null : `/v1/series?station_id=${stationId}`,
  );
  const [seriesId, setSeriesId] = useState<number | null>(null);
  const [range, setRange] = useState<[number, number]>(() => [Date.now() - 3 * DAY, Date.now() + DAY / 4]);
  useEffect(() => {
    const first = stations.data?.features[0];
    if (stationId === null && first !== undefined) setStationId(first.id);
  }, [stations.data]);
  useEffect(() => {
    setSeriesId(series.data?.items[0]?.id ?? null);
  }, [series.data]);
  const path =
    seriesId === null
      ? null
      : `/v1/series/${seriesId}/explorer?from=${new Date(range[0]).toISOString()}&to=${new Date(range[1]).toISOString()}&points=600`;
  const explorer = useResource<Explorer>(path);
  const shift = (fraction: number) => {
    const width = range[1] - range[0];
    setRange([range[0] + width * fraction, range[1] + width * fraction]);
  };
  const zoomOut = () => {
    const width = range[1] - range[0];
    setRange([range[0] - width / 2, range[1] + width / 2]);
  };
  return (
    <section class="explorer" aria-labelledby="explorer-title">
      <h2 id="explorer-title">{t('explorer')}</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('stations')}
          <select
            value={stationId ?? ''}
            onChange={(e) => setStationId(Number((e.currentTarget as HTMLSelectElement).value))}
          >
            {stations.data?.features.map((f) => (
              <option key={f.id} value={f.id}>
                {f.properties.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('series')}
          <select
            value={seriesId ?? ''}
            onChange={(e) => setSeriesId(Number((e.currentTarget as HTMLSelectElement).value))}
          >
            {series.data?.items.map((s) => (
              <option key={s.id} value={s.id}>
                {s.variable_name} ({s.code}, {s.unit})
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => shift(-0.5)} aria-label="Earlier">
          ◀
        </button>
        <button type="button" onClick={zoomOut} aria-label="Zoom out">
          −
        </button>
        <button type="button" onClick={() => shift(0.5)} aria-label="Later">
          ▶
        </button>
        <span>
          {formatTime(new Date(range[0]).toISOString())} – {formatTime(new Date(range[1]).toISOString())}
        </span>
      </form>
      <ErrorLine error={stations.error ?? explorer.error} />
      {explorer.data !== undefined && (
        <Chart data={explorer.data} onZoom={(from, to) => setRange([from, to])} />
      )}
      {explorer.data !== undefined && (
        <ul class="signal-list" aria-label={t('signals')}>
          {explorer.data.signals.map((s) => (
            <li key={s.id}>
              {formatTime(s.start)} · {s.kind} · {s.sentence}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Joins the parts on one time axis (seconds), as uPlot wants: one x array and one y array per series, null where absent. */
function alignedData(d: Explorer): uPlot.AlignedData {
  const times = new Set<number>();
  const at = (iso: string) => Date.parse(iso) / 1000;
  for (const o of d.observations) times.add(at(o.t));
  for (const b of d.baseline) times.add(at(b.t));
  for (const f of d.forecast) times.add(at(f.t));
  for (const q of d.qc) times.add(at(q.t));
  const x = [...times].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const column = () => new Array<number | null>(x.length).fill(null);
  const [avg, min, max, expected, lower, upper, mean, fLower, fUpper, flagged] = Array.from(
    { length: 10 },
    column,
  ) as (number | null)[][];
  for (const o of d.observations) {
    const i = index.get(at(o.t)) as number;
    avg![i] = o.avg;
    min![i] = o.min;
    max![i] = o.max;
  }
  for (const b of d.baseline) {
    const i = index.get(at(b.t)) as number;
    expected![i] = b.expected;
    lower![i] = b.lower;
    upper![i] = b.upper;
  }
  for (const f of d.forecast) {
    const i = index.get(at(f.t)) as number;
    mean![i] = f.mean;
    fLower![i] = f.lower;
    fUpper![i] = f.upper;
  }
  for (const q of d.qc) flagged![index.get(at(q.t)) as number] = q.value;
  return [
    x,
    avg!,
    min!,
    max!,
    expected!,
    lower!,
    upper!,
    mean!,
    fLower!,
    fUpper!,
    flagged!,
  ] as uPlot.AlignedData;
}

function Chart(props: { data: Explorer; onZoom: (fromMs: number, toMs: number) => void }) {
  const element = useRef<HTMLDivElement>(null);
  const zoom = useRef(props.onZoom);
  zoom.current = props.onZoom;
  const data = useMemo(() => alignedData(props.data), [props.data]);
  useEffect(() => {
    const el = element.current;
    if (el === null) return;
    const signals = props.data.signals.map(
      (s) => [Date.parse(s.start) / 1000, Date.parse(s.end ?? s.start) / 1000 + 60] as const,
    );
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 360,
        scales: { x: { time: true } },
        axes: [{}, { label: `${props.data.series.variable} (${props.data.series.unit})` }],
        cursor: { drag: { x: true, y: false } },
        series: [
          {},
          { label: props.data.series.code, stroke: '#1565c0', width: 1.5, spanGaps: false },
          { label: 'min', stroke: 'rgba(21,101,192,0.25)', show: true },
          { label: 'max', stroke: 'rgba(21,101,192,0.25)' },
          { label: t('expected'), stroke: '#2e7d32', dash: [4, 4] },
          { label: '−', stroke: 'rgba(46,125,50,0.3)' },
          { label: '+', stroke: 'rgba(46,125,50,0.3)' },
          { label: t('forecast'), stroke: '#6a1b9a', dash: [6, 3] },
          { label: '−', stroke: 'rgba(106,27,154,0.3)' },
          { label: '+', stroke: 'rgba(106,27,154,0.3)' },
          {
            label: t('qcFlags'),
            stroke: '#c62828',
            paths: () => null,
            points: { show: true, size: 7, fill: '#c62828' },
          },
        ],
        bands: [
          { series: [3, 2], fill: 'rgba(21,101,192,0.12)' },
          { series: [6, 5], fill: 'rgba(46,125,50,0.12)' },
          { series: [9, 8], fill: 'rgba(106,27,154,0.12)' },
        ],
        hooks: {
          drawClear: [
            (u) => {
              // Signals as shaded spans behind the lines.
              const ctx = u.ctx;
              ctx.save();
              ctx.fillStyle = 'rgba(211,47,47,0.12)';
              for (const [from, to] of signals) {
                const x0 = u.valToPos(from, 'x', true);
                const x1 = Math.max(x0 + 2, u.valToPos(to, 'x', true));
                ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
              }
              ctx.restore();
            },
          ],
          setSelect: [
            (u) => {
              if (u.select.width < 5) return;
              const from = u.posToVal(u.select.left, 'x') * 1000;
              const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
              zoom.current(from, to);
            },
          ],
        },
      },
      data,
      el,
    );
    el.dataset.points = String(data[0].length);
    return () => plot.destroy();
  }, [data]);
  return (
    <div
      ref={element}
      class="chart"
      data-testid="explorer-chart"
      role="img"
      aria-label={`${props.data.series.variable}, ${props.data.series.station_name}`}
    />
  );
}
