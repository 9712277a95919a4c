/**
 * @module The audit log's hash chain, checked: each row's hash covers the previous row's hash and the row's own
 * stored columns, so changing, removing or reordering a row breaks the chain there. Pure: the rows come in
 * chain order from store/audit-chain.repository.ts; the database writes the chain (migration 0009).
 */
import { createHash } from 'node:crypto';

/** The `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** One audit row as stored, with the two columns whose text form is the database's: `changes` and `at`. */
export interface AuditLink {
  readonly chainSeq: number;
  readonly id: number;
  readonly organisationId: number;
  readonly threadId: number | null;
  readonly warningId: number | null;
  readonly silenceId: number | null;
  readonly actor: string;
  readonly action: string;
  /** PostgreSQL's canonical text of the jsonb value (key order and spacing are the database's). */
  readonly changesText: string;
  /** Microseconds since the epoch, as decimal text (beyond JavaScript's safe integers). */
  readonly atMicros: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** `<UTF-8 byte length>:<text>`, or `-` for NULL: no field can run into the next (migration 0009's audit_field). */
function field(value: string | number | null): string {
  if (value === null) return '-';
  const text = String(value);
  return `${Buffer.byteLength(text, 'utf8')}:${text}`;
}

/** The hash the row should carry after `prevHash`; the same encoding as warning_audit_hash() in migration 0009. */
export function auditLinkHash(prevHash: string, row: Omit<AuditLink, 'prevHash' | 'hash'>): string {
  const encoded =
    field(prevHash) +
    field(row.chainSeq) +
    field(row.id) +
    field(row.organisationId) +
    field(row.threadId) +
    field(row.warningId) +
    field(row.silenceId) +
    field(row.actor) +
    field(row.action) +
    field(row.changesText) +
    field(row.atMicros);
  return createHash('sha256').update(encoded, 'utf8').digest('hex');
}

export type ChainBreakReason =
  /** the row's place is not the next one: rows before it were removed, or rows were reordered */
  | 'sequence'
  /** the row does not point at the hash of the row before it */
  | 'link'
  /** the row's content no longer matches its hash: it was changed */
  | 'hash';

export interface ChainBreak {
  readonly chainSeq: number;
  readonly id: number;
  readonly reason: ChainBreakReason;
  readonly detail: string;
}

/** Walks the chain a row at a time (so that millions of rows need not be held at once); stops at the first break. */
export class AuditChainWalk {
  #expectedSeq = 1;
  #previousHash = GENESIS_HASH;
  #checked = 0;
  #broken: ChainBreak | undefined;

  /** Rows checked and found sound. */
  get checked(): number {
    return this.#checked;
  }

  get broken(): ChainBreak | undefined {
    return this.#broken;
  }

  /** Checks the next row in chain order; returns the break it found, if any (later rows are then ignored). */
  next(row: AuditLink): ChainBreak | undefined {
    if (this.#broken !== undefined) return this.#broken;
    const at = { chainSeq: row.chainSeq, id: row.id };
    if (row.chainSeq !== this.#expectedSeq) {
      this.#broken = {
        ...at,
        reason: 'sequence',
        detail: `expected place ${this.#expectedSeq}, found ${row.chainSeq}`,
      };
    } else if (row.prevHash !== this.#previousHash) {
      this.#broken = {
        ...at,
        reason: 'link',
        detail: `prev_hash ${row.prevHash} is not the previous row's hash ${this.#previousHash}`,
      };
    } else if (auditLinkHash(row.prevHash, row) !== row.hash) {
      this.#broken = { ...at, reason: 'hash', detail: 'the row was changed after it was written' };
    }
    if (this.#broken !== undefined) return this.#broken;
    this.#expectedSeq += 1;
    this.#previousHash = row.hash;
    this.#checked += 1;
    return undefined;
  }
}

/** Checks whole chains in memory (tests, small logs). */
export function verifyAuditChain(rows: Iterable<AuditLink>): { checked: number; broken?: ChainBreak } {
  const walk = new AuditChainWalk();
  for (const row of rows) if (walk.next(row) !== undefined) break;
  return walk.broken === undefined
    ? { checked: walk.checked }
    : { checked: walk.checked, broken: walk.broken };
}
