/**
 * @module What each process role of `ew4e serve --role …` runs. One database, and with EW4E_NATS_URL set,
 * NATS between the stages: add detect processes for detection throughput, notify processes for delivery.
 */

export const PROCESS_ROLES = ['all', 'api', 'ingest', 'detect', 'notify'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export interface Duties {
  /** The HTTP API and the dashboard; what it ingests is handed to detection (in-process or stream). */
  readonly api: boolean;
  /** Consumes the observation stream (or in-process hints), catches up from checkpoints, ticks the rules. */
  readonly detection: boolean;
  /** Threads signals into warnings (the signals.raised consumer), catches up, ticks the warnings' clock. */
  readonly warningStage: boolean;
  /** The delivery dispatcher and escalations. */
  readonly dissemination: boolean;
  /** Polls other authorities' CAP feeds (an input, so it rides with ingestion). */
  readonly federation: boolean;
}

export function dutiesOf(role: ProcessRole): Duties {
  switch (role) {
    case 'all':
      return { api: true, detection: true, warningStage: true, dissemination: true, federation: true };
    case 'api':
      return { api: true, detection: false, warningStage: false, dissemination: false, federation: false };
    case 'ingest':
      return { api: true, detection: false, warningStage: false, dissemination: false, federation: true };
    case 'detect':
      return { api: false, detection: true, warningStage: true, dissemination: false, federation: false };
    case 'notify':
      return { api: false, detection: false, warningStage: false, dissemination: true, federation: false };
    default:
      return role satisfies never;
  }
}

export function isProcessRole(text: string): text is ProcessRole {
  return (PROCESS_ROLES as readonly string[]).includes(text);
}

/**
 * Why this role cannot run with this configuration, or undefined when it can. Without NATS the stages meet
 * only inside one process: a role that runs part of them could not hand its work over.
 */
export function roleRefusal(role: ProcessRole, natsConfigured: boolean): string | undefined {
  if (role === 'all' || natsConfigured) return undefined;
  return (
    `the role "${role}" runs part of the platform and hands the rest to other processes through NATS; ` +
    'set EW4E_NATS_URL (e.g. nats://127.0.0.1:4222), or run --role all'
  );
}
