/** Warnings: the filtered list (virtualised) and one warning in full — CAP in each language, area, exposure, versions, deliveries, review. */
import { useEffect, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { ApiError, get, post, remove } from '../api.ts';
import {
  type ActionAnswer,
  ActionDialog,
  MAX_REASON_LENGTH,
  SILENCE_HOURS,
  silenceEndOf,
} from '../components/action-dialog.tsx';
import { ErrorLine, SeverityBadge } from '../components/bits.tsx';
import { useResource } from '../components/use-resource.ts';
import { VirtualList } from '../components/virtual-list.tsx';
import { language as dashboardLanguage, formatNumber, formatTime, t } from '../i18n.ts';
import { hazardName, messageWord, SEVERITY_ORDER, severityName } from '../levels.ts';
import { WarningMap } from '../map/warning-map.tsx';
import { can } from '../session.ts';

interface VersionSummary {
  version: number;
  identifier: string;
  status: string;
  msg_type: string;
  severity: string;
  urgency: string;
  certainty: string;
  headline: string | null;
  sent: string | null;
  expires: string;
}

export interface ThreadSummary {
  id: number;
  hazard: string;
  status: 'open' | 'closed';
  area_desc: string;
  population: number;
  current: VersionSummary | null;
  pending: VersionSummary | null;
}

const PAGE = 500;

/** Every thread matching the filter, a page at a time: the first page shows at once, the rest fill in behind it. */
function useAllThreads(query: string) {
  const [items, setItems] = useState<ThreadSummary[] | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  useEffect(() => {
    let current = true;
    setItems(undefined);
    (async () => {
      const all: ThreadSummary[] = [];
      for (let after: number | undefined; ; ) {
        const page = await get<{ items: ThreadSummary[] }>(
          `/v1/warnings?limit=${PAGE}${query}${after === undefined ? '' : `&after=${after}`}`,
        );
        if (!current) return;
        all.push(...page.items);
        setItems([...all]);
        if (page.items.length < PAGE) return;
        after = page.items.at(-1)?.id;
      }
    })().catch((e: unknown) => current && setError(e instanceof Error ? e : new Error(String(e))));
    return () => {
      current = false;
    };
  }, [query]);
  return { items, error };
}

export function WarningsPage() {
  const [status, setStatus] = useState<'open' | 'closed' | ''>('open');
  const [review, setReview] = useState(false);
  const [hazard, setHazard] = useState('');
  const query = `${status === '' ? '' : `&status=${status}`}${review ? '&review=true' : ''}${hazard === '' ? '' : `&hazard=${hazard}`}`;
  const { items, error } = useAllThreads(query);
  const hazards = [...new Set((items ?? []).map((w) => w.hazard))].sort();
  return (
    <section class="warnings" aria-labelledby="warnings-title">
      <h2 id="warnings-title">{t('warnings')}</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('status')}
          <select
            value={status}
            onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as 'open')}
          >
            <option value="open">{t('open')}</option>
            <option value="closed">{t('closed')}</option>
            <option value="">{t('all')}</option>
          </select>
        </label>
        <label>
          {t('hazard')}
          <select value={hazard} onChange={(e) => setHazard((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t('all')}</option>
            {hazards.map((h) => (
              <option key={h} value={h}>
                {hazardName(h)}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={review}
            onChange={(e) => setReview((e.currentTarget as HTMLInputElement).checked)}
          />
          {t('awaitingReview')}
        </label>
        <span aria-live="polite">{items === undefined ? t('loading') : formatNumber(items.length)}</span>
      </form>
      <ErrorLine error={error} />
      {items !== undefined && (
        <VirtualList
          items={items}
          rowHeight={56}
          label={t('warnings')}
          render={(w) => {
            const v = w.pending ?? w.current;
            return (
              <Link href={`/warnings/${w.id}`} class="warning-row" data-testid="warning-row">
                <SeverityBadge severity={v?.severity} />
                <span class="headline">{v?.headline ?? hazardName(w.hazard)}</span>
                <span class="meta">
                  {w.area_desc} · {w.pending !== null ? t('awaitingReview') : t('published')} ·{' '}
                  {formatTime(v?.sent ?? null)}
                </span>
              </Link>
            );
          }}
        />
      )}
    </section>
  );
}

interface WarningDetail {
  id: number;
  hazard: string;
  status: string;
  area: GeoJSON.Feature;
  exposure: {
    population: number;
    places: { name: string; country: string; population: number }[];
    placeCount: number;
    protectedAreas: { id: number; name: string }[];
  };
  versions: {
    version: number;
    identifier: string;
    status: string;
    msg_type: string;
    change: string | null;
    severity: string;
    urgency: string;
    certainty: string;
    sent: string | null;
    expires: string;
    review_reason: string | null;
    reviewed_by: string | null;
    texts: { language: string; event: string; headline: string; description: string; instruction: string }[];
    area_desc: string;
    cap_url: string | null;
  }[];
}

interface Silence {
  id: number;
  ends_at: string;
  author: string;
  reason: string;
}

interface DeliveryLog {
  summary: Record<string, Record<string, number>>;
  items: {
    id: string;
    channel: string;
    status: string;
    attempts: number;
    delivered_at: string | null;
    created_at: string;
  }[];
}

export function WarningPage(props: { id: number }) {
  const detail = useResource<WarningDetail>(`/v1/warnings/${props.id}`);
  const deliveries = useResource<DeliveryLog>(`/v1/warnings/${props.id}/deliveries`);
  // The silences in force that hold this thread's versions (its hazard over its area).
  const silences = useResource<{ items: Silence[] }>(`/v1/silences?active=true&thread_id=${props.id}`);
  const [, navigate] = useLocation();
  const [actionError, setActionError] = useState<Error | undefined>(undefined);
  const [language, setLanguage] = useState<string | null>(null);
  /** The dialog open over the page, if any. */
  const [asking, setAsking] = useState<'cancel' | 'silence' | 'update' | null>(null);
  /** What the last change through a dialog did, said on the page once the dialog has closed. */
  const [notice, setNotice] = useState<
    { kind: 'cancelled' } | { kind: 'silenced'; until: string } | { kind: 'updated'; version: number } | null
  >(null);
  const w = detail.data;
  if (w === undefined)
    return detail.error === undefined ? <p>{t('loading')}</p> : <ErrorLine error={detail.error} />;
  const latest = w.versions.at(-1);
  const pending = w.versions.find((v) => v.status === 'draft');
  const shown = pending ?? [...w.versions].reverse().find((v) => v.status === 'published') ?? latest;
  // The preview opens in the dashboard's language when the warning is written in it.
  const text =
    shown?.texts.find((x) => x.language === (language ?? dashboardLanguage.value)) ?? shown?.texts[0];
  const reloadAll = () => {
    detail.reload();
    deliveries.reload();
    silences.reload();
  };
  const act = async (run: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await run();
      reloadAll();
    } catch (e) {
      setActionError(e instanceof ApiError ? e : new Error(String(e)));
    }
  };
  const geometry = w.area.geometry;
  // The dialog's changes: a refusal propagates to the dialog, which shows it and stays open.
  const cancelWarning = async ({ reason }: ActionAnswer) => {
    await post(`/v1/warnings/${w.id}/cancel`, { reason });
    setNotice({ kind: 'cancelled' });
    reloadAll();
  };
  const standing = [...w.versions].reverse().find((v) => v.status === 'published');
  // The API refuses an Update while a version awaits review or is held (silenced, inhibited).
  const held = w.versions.some((v) => ['draft', 'silenced', 'inhibited'].includes(v.status));
  const updatable = w.status === 'open' && standing !== undefined && !held;
  const update = async (change: UpdateChange, { reason }: ActionAnswer) => {
    if (standing === undefined) return;
    const r = await post<{ version: number }>(
      `/v1/warnings/${w.id}/amend`,
      updateBody(standing, change, reason),
    );
    setNotice({ kind: 'updated', version: r.version });
    reloadAll();
  };
  const silence = async ({ reason, hours }: ActionAnswer) => {
    const until = silenceEndOf(hours ?? SILENCE_HOURS.initial);
    await post('/v1/silences', { hazard: w.hazard, geometry, ends_at: until, reason });
    setNotice({ kind: 'silenced', until });
    reloadAll();
  };
  return (
    <article class="warning-detail" aria-labelledby="warning-title">
      <h2 id="warning-title">
        <SeverityBadge severity={shown?.severity} /> {text?.headline ?? hazardName(w.hazard)}
      </h2>
      <p class="meta">
        <span data-testid="warning-hazard">{hazardName(w.hazard)}</span> · {shown?.area_desc} · {t('status')}:{' '}
        {messageWord(shown?.status ?? '')} · {t('expires')}: {formatTime(shown?.expires ?? null)}
      </p>
      <div class="detail-grid">
        <div>
          <WarningMap label={t('area')} layers={{ warnings: areaLayer(w, shown?.severity, shown?.status) }} />
          <section aria-labelledby="exposure-title">
            <h3 id="exposure-title">{t('exposure')}</h3>
            <dl>
              <dt>{t('population')}</dt>
              <dd>{formatNumber(w.exposure.population)}</dd>
              <dt>{t('citiesInside')}</dt>
              <dd>
                {w.exposure.places.map((p) => `${p.name} (${formatNumber(p.population)})`).join(', ') || '—'}
              </dd>
              <dt>{t('protectedTouched')}</dt>
              <dd>{w.exposure.protectedAreas.map((p) => p.name).join(', ') || '—'}</dd>
            </dl>
          </section>
        </div>
        <div>
          <section aria-labelledby="cap-title">
            <h3 id="cap-title">{t('capPreview')}</h3>
            <div role="tablist" class="tabs">
              {shown?.texts.map((x) => (
                <button
                  type="button"
                  role="tab"
                  key={x.language}
                  aria-selected={x.language === text?.language}
                  onClick={() => setLanguage(x.language)}
                  lang={x.language}
                >
                  {x.language}
                </button>
              ))}
            </div>
            {text !== undefined && (
              <div class="cap-preview" lang={text.language} dir={text.language === 'ar' ? 'rtl' : 'ltr'}>
                <p>
                  <strong>{text.event}</strong> — {shown?.severity} / {shown?.urgency} / {shown?.certainty}
                </p>
                <h4>{text.headline}</h4>
                <p>{text.description}</p>
                <p>
                  <strong>{t('instruction')}:</strong> {text.instruction}
                </p>
              </div>
            )}
            {shown?.cap_url != null && (
              <p>
                <a href={new URL(shown.cap_url).pathname}>CAP XML</a>
              </p>
            )}
          </section>
          {pending !== undefined && (
            <ReviewForm
              pending={pending}
              disabled={!can('approver')}
              onApprove={(texts) =>
                act(() =>
                  post(
                    `/v1/warnings/${w.id}/versions/${pending.version}/approve`,
                    texts === null ? {} : { texts },
                  ),
                )
              }
              onReject={(reason) =>
                act(() => post(`/v1/warnings/${w.id}/versions/${pending.version}/reject`, { reason }))
              }
            />
          )}
          <div class="actions">
            {updatable && (
              <button type="button" disabled={!can('approver')} onClick={() => setAsking('update')}>
                {t('updateWarning')}
              </button>
            )}
            {w.status === 'open' && standing !== undefined && (
              <button type="button" disabled={!can('approver')} onClick={() => setAsking('cancel')}>
                {t('cancelWarning')}
              </button>
            )}
            {w.status === 'open' && (
              <button type="button" disabled={!can('approver')} onClick={() => setAsking('silence')}>
                {t('silence')}
              </button>
            )}
            <button
              type="button"
              data-testid="open-incident"
              disabled={!can('analyst')}
              onClick={() =>
                void act(async () => {
                  const incident = await post<{ id: number }>('/v1/incidents', { warning_id: w.id });
                  navigate(`/incidents/${incident.id}`);
                })
              }
            >
              {t('openIncident')}
            </button>
            {!can('approver') && <p class="hint">{t('readOnly')}</p>}
          </div>
          {(silences.data?.items ?? []).map((s) => (
            <p key={s.id} class="hint" data-testid="silence-holding">
              {t('silencedUntil')} {formatTime(s.ends_at)} · {s.author} — {s.reason}{' '}
              <button
                type="button"
                class="secondary"
                disabled={!can('approver')}
                onClick={() => void act(() => remove(`/v1/silences/${s.id}`))}
              >
                {t('liftSilence')}
              </button>
            </p>
          ))}
          <ErrorLine error={actionError} />
          {notice !== null && (
            <p role="status" data-testid="action-notice">
              {notice.kind === 'cancelled'
                ? t('warningCancelled')
                : notice.kind === 'updated'
                  ? `${t('warningUpdated')} ${notice.version}`
                  : `${t('silencedUntil')} ${formatTime(notice.until)}`}
            </p>
          )}
          {asking === 'cancel' && (
            <ActionDialog
              title={t('cancelWarning')}
              explanation={t('cancelWarningExplain')}
              confirmLabel={t('cancelWarning')}
              onConfirm={cancelWarning}
              onClose={() => setAsking(null)}
            />
          )}
          {asking === 'update' && standing !== undefined && (
            <UpdateDialog
              standing={standing}
              language={text?.language ?? null}
              onConfirm={update}
              onClose={() => setAsking(null)}
            />
          )}
          {asking === 'silence' && (
            <ActionDialog
              title={t('silence')}
              explanation={t('silenceExplain')}
              confirmLabel={t('silence')}
              asksHours
              onConfirm={silence}
              onClose={() => setAsking(null)}
            />
          )}
        </div>
      </div>
      <section aria-labelledby="versions-title">
        <h3 id="versions-title">{t('versions')}</h3>
        <ol class="timeline">
          {w.versions.map((v) => (
            <li key={v.version}>
              <SeverityBadge severity={v.severity} /> v{v.version} {messageWord(v.msg_type)} ·{' '}
              {messageWord(v.status)} · {formatTime(v.sent)}
              {v.change !== null && ` · ${v.change}`}
              {v.reviewed_by !== null && ` · ${v.reviewed_by}`}
              {v.review_reason !== null && ` — ${v.review_reason}`}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="deliveries-title">
        <h3 id="deliveries-title">{t('deliveries')}</h3>
        {deliveries.data === undefined ? (
          <ErrorLine error={deliveries.error} />
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('channel')}</th>
                <th scope="col">{t('status')}</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(deliveries.data.summary).map(([channel, counts]) => (
                <tr key={channel}>
                  <td>{channel}</td>
                  <td>
                    {Object.entries(counts)
                      .map(([s, n]) => `${s}: ${formatNumber(n)}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  );
}

/** The thread's area as a one-feature layer, the same object while nothing changed (the map re-tiles on a new one). */
const areaLayers = new WeakMap<WarningDetail, Map<string, GeoJSON.FeatureCollection>>();
function areaLayer(
  w: WarningDetail,
  severity: string | undefined,
  status: string | undefined,
): GeoJSON.FeatureCollection {
  const key = `${severity}/${status}`;
  let byLevels = areaLayers.get(w);
  if (byLevels === undefined) {
    byLevels = new Map();
    areaLayers.set(w, byLevels);
  }
  let layer = byLevels.get(key);
  if (layer === undefined) {
    layer = {
      type: 'FeatureCollection',
      features: [{ ...w.area, properties: { severity, status, thread_id: w.id } }],
    };
    byLevels.set(key, layer);
  }
  return layer;
}

function ReviewForm(props: {
  pending: WarningDetail['versions'][number];
  disabled: boolean;
  onApprove: (texts: WarningDetail['versions'][number]['texts'] | null) => Promise<void>;
  onReject: (reason: string) => Promise<void>;
}) {
  const first = props.pending.texts[0];
  const [headline, setHeadline] = useState(first?.headline ?? '');
  const [reason, setReason] = useState('');
  const edited = first !== undefined && headline !== first.headline;
  return (
    <form class="review" aria-label={t('awaitingReview')} onSubmit={(e) => e.preventDefault()}>
      <h3>
        {t('awaitingReview')} — v{props.pending.version} ({messageWord(props.pending.status)})
      </h3>
      <label>
        {t('headline')} ({first?.language})
        <input
          value={headline}
          maxLength={160}
          disabled={props.disabled}
          onInput={(e) => setHeadline((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <button
        type="button"
        data-testid="approve"
        disabled={props.disabled}
        onClick={() =>
          void props.onApprove(
            edited && first !== undefined
              ? props.pending.texts.map((x) => (x.language === first.language ? { ...x, headline } : x))
              : null,
          )
        }
      >
        {t('approve')}
      </button>
      <label>
        {t('reason')}
        <input
          value={reason}
          maxLength={MAX_REASON_LENGTH}
          disabled={props.disabled}
          onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <button
        type="button"
        disabled={props.disabled || reason.trim() === ''}
        onClick={() => void props.onReject(reason)}
      >
        {t('reject')}
      </button>
    </form>
  );
}

type StandingVersion = WarningDetail['versions'][number];

/** What the approver changes in an Update: the severity, an extension, and the instruction in one language. */
interface UpdateChange {
  readonly severity: string;
  readonly extendHours: number;
  readonly language: string | null;
  readonly instruction: string;
}

const MAX_EXTEND_HOURS = 720;

/** The body of POST /v1/warnings/:id/amend: only what the approver changed, besides the reason. */
function updateBody(standing: StandingVersion, change: UpdateChange, reason: string) {
  const text = standing.texts.find((x) => x.language === change.language);
  return {
    reason,
    ...(change.severity === standing.severity ? {} : { levels: { severity: change.severity } }),
    ...(change.extendHours > 0
      ? { expires: new Date(Date.parse(standing.expires) + change.extendHours * 3_600_000).toISOString() }
      : {}),
    ...(text === undefined || change.instruction.trim() === text.instruction
      ? {}
      : { texts: [{ ...text, instruction: change.instruction.trim() }] }),
  };
}

function UpdateDialog(props: {
  standing: StandingVersion;
  /** The language whose instruction the approver edits: the one the page shows. */
  language: string | null;
  onConfirm: (change: UpdateChange, answer: ActionAnswer) => Promise<void>;
  onClose: () => void;
}) {
  const { standing } = props;
  const text = standing.texts.find((x) => x.language === props.language) ?? standing.texts[0];
  const [severity, setSeverity] = useState(standing.severity);
  const [extendText, setExtendText] = useState('0');
  const [instruction, setInstruction] = useState(text?.instruction ?? '');
  const extendHours = Number(extendText);
  const extendValid =
    extendText.trim() !== '' &&
    Number.isInteger(extendHours) &&
    extendHours >= 0 &&
    extendHours <= MAX_EXTEND_HOURS;
  const change: UpdateChange = { severity, extendHours, language: text?.language ?? null, instruction };
  const changes = Object.keys(updateBody(standing, change, '')).length > 1;
  return (
    <ActionDialog
      title={t('updateWarning')}
      explanation={t('updateWarningExplain')}
      confirmLabel={t('updateWarning')}
      fieldsValid={extendValid && instruction.trim() !== '' && changes}
      onConfirm={(answer) => props.onConfirm(change, answer)}
      onClose={props.onClose}
    >
      <label>
        {t('severity')}
        <select name="severity" value={severity} onChange={(e) => setSeverity(e.currentTarget.value)}>
          {SEVERITY_ORDER.filter((s) => s !== 'Unknown').map((s) => (
            <option key={s} value={s}>
              {severityName(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('extendByHours')}
        <input
          type="number"
          name="extend"
          min={0}
          max={MAX_EXTEND_HOURS}
          step={1}
          value={extendText}
          onInput={(e) => setExtendText(e.currentTarget.value)}
        />
      </label>
      {text !== undefined && (
        <label>
          {t('instruction')} ({text.language})
          <textarea
            name="instruction"
            rows={3}
            maxLength={4000}
            lang={text.language}
            dir={text.language === 'ar' ? 'rtl' : 'ltr'}
            value={instruction}
            onInput={(e) => setInstruction(e.currentTarget.value)}
          />
        </label>
      )}
    </ActionDialog>
  );
}
