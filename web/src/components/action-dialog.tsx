/**
 * A change a duty officer must explain, asked in the page rather than with `window.prompt`: a reason (required,
 * as the API requires it) and, for a silence, how many hours and when they end. The HTML `<dialog>` shown with
 * `showModal()`: the page behind is inert, Escape closes it, and focus starts in the first field and returns to
 * the button that opened it on close. Confirm stays disabled until the answer is valid; the API's refusal is shown
 * inside the dialog, which stays open so the officer can correct it.
 */
import type { ComponentChildren } from 'preact';
import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { formatTime, t } from '../i18n.ts';
import { ErrorLine } from './bits.tsx';

/** The longest reason the API takes (POST /v1/warnings/:id/cancel, POST /v1/silences). */
export const MAX_REASON_LENGTH = 2000;
/** How long a silence may be asked for, in hours, and the default offered. */
export const SILENCE_HOURS = { initial: 6, min: 1, max: 720 } as const;
const HOUR_MS = 3_600_000;

export interface ActionAnswer {
  /** Trimmed, never empty. */
  readonly reason: string;
  /** The hours asked for; null unless the dialog asks for hours. */
  readonly hours: number | null;
}

/** The end of a silence of `hours` starting now, as ISO 8601 UTC (what the API takes and the page formats). */
export function silenceEndOf(hours: number, nowMs = Date.now()): string {
  return new Date(nowMs + hours * HOUR_MS).toISOString();
}

export function ActionDialog(props: {
  title: string;
  /** One sentence on what confirming does. */
  explanation: string;
  confirmLabel: string;
  /** Asks for a silence's hours too, and shows when it would end. */
  asksHours?: boolean;
  /** Fields of the change itself, shown before the reason; the caller keeps their state. */
  children?: ComponentChildren;
  /** Whether those fields hold a valid change (Confirm stays disabled until they do). */
  fieldsValid?: boolean;
  /** Does the action; when it rejects, the error is shown and the dialog stays open. */
  onConfirm: (answer: ActionAnswer) => Promise<void>;
  /** The dialog has closed: confirmed, dismissed with Back or Escape. */
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const ids = useId();
  const [reason, setReason] = useState('');
  const [hoursText, setHoursText] = useState(String(SILENCE_HOURS.initial));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);

  useLayoutEffect(() => {
    dialog.current?.showModal();
    dialog.current?.querySelector<HTMLElement>('select, input, textarea')?.focus();
  }, []);

  const hours = props.asksHours === true ? Number(hoursText) : null;
  const hoursValid =
    hours === null ||
    (hoursText.trim() !== '' &&
      Number.isInteger(hours) &&
      hours >= SILENCE_HOURS.min &&
      hours <= SILENCE_HOURS.max);
  const reasonValid = reason.trim() !== '' && reason.length <= MAX_REASON_LENGTH;
  const valid = reasonValid && hoursValid && props.fieldsValid !== false;

  const confirm = async (event: Event) => {
    event.preventDefault();
    if (!valid || busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm({ reason: reason.trim(), hours });
      dialog.current?.close();
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="action-dialog"
      aria-labelledby={`${ids}-title`}
      aria-describedby={`${ids}-explanation`}
      onClose={props.onClose}
      // While the change is on its way, Escape must not hide whether it went through.
      onCancel={(event) => busy && event.preventDefault()}
    >
      <form onSubmit={(event) => void confirm(event)}>
        <h3 id={`${ids}-title`}>{props.title}</h3>
        <p id={`${ids}-explanation`}>{props.explanation}</p>
        {props.children}
        <label>
          {t('reason')}
          <textarea
            name="reason"
            rows={4}
            required
            maxLength={MAX_REASON_LENGTH}
            value={reason}
            disabled={busy}
            aria-describedby={`${ids}-reason-hint`}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        </label>
        <p id={`${ids}-reason-hint`} class="hint">
          {t('reasonHint')}
        </p>
        {hours !== null && (
          <>
            <label>
              {t('silenceFor')}
              <input
                type="number"
                name="hours"
                min={SILENCE_HOURS.min}
                max={SILENCE_HOURS.max}
                step={1}
                required
                value={hoursText}
                disabled={busy}
                aria-describedby={`${ids}-hours-hint`}
                onInput={(event) => setHoursText(event.currentTarget.value)}
              />
            </label>
            <p id={`${ids}-hours-hint`} class="hint">
              {t('hoursHint')}
            </p>
            <p data-testid="silence-end">
              {t('endsAt')}: {hoursValid ? formatTime(silenceEndOf(hours)) : '—'}
            </p>
          </>
        )}
        <ErrorLine error={error} />
        <div class="actions">
          <button type="submit" disabled={!valid || busy}>
            {props.confirmLabel}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => dialog.current?.close()}>
            {t('back')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
