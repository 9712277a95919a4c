import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AuditLink, auditLinkHash, GENESIS_HASH, verifyAuditChain } from './audit-chain.ts';

/** A sound chain of `n` rows, hashed as the database does. */
function chain(n: number): AuditLink[] {
  const rows: AuditLink[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const row = {
      chainSeq: i,
      id: 100 + i,
      organisationId: 1,
      threadId: i % 2 === 0 ? 7 : null,
      warningId: null,
      silenceId: null,
      actor: i === 3 ? 'Zoë Ångström' : `key:${i}`,
      action: 'drafted',
      changesText: `{"n": ${i}}`,
      atMicros: String(1_760_000_000_000_000 + i),
    };
    const hash = auditLinkHash(prevHash, row);
    rows.push({ ...row, prevHash, hash });
    prevHash = hash;
  }
  return rows;
}

describe('the audit hash chain', () => {
  it('hashes the length-prefixed fields after the previous hash (the encoding migration 0009 uses)', () => {
    const row = {
      chainSeq: 1,
      id: 1,
      organisationId: 2,
      threadId: null,
      warningId: 3,
      silenceId: null,
      actor: 'é',
      action: 'a',
      changesText: '{}',
      atMicros: '10',
    };
    // The encoding written out by hand: the byte length of "é" is 2, NULL is "-".
    const encoded = `64:${GENESIS_HASH}1:11:11:2-1:3-2:é1:a2:{}2:10`;
    expect(auditLinkHash(GENESIS_HASH, row)).toBe(createHash('sha256').update(encoded).digest('hex'));
  });

  it('accepts a sound chain and counts its rows', () => {
    expect(verifyAuditChain(chain(5))).toEqual({ checked: 5 });
    expect(verifyAuditChain([])).toEqual({ checked: 0 });
  });

  it('names a changed row', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, actor: 'someone else' };
    expect(verifyAuditChain(rows)).toMatchObject({
      checked: 2,
      broken: { id: 103, chainSeq: 3, reason: 'hash' },
    });
  });

  it('names the row after a removed one', () => {
    const rows = chain(5);
    rows.splice(1, 1);
    expect(verifyAuditChain(rows)).toMatchObject({ checked: 1, broken: { id: 103, reason: 'sequence' } });
  });

  it('names a row whose content and hash were both rewritten: its successor no longer links to it', () => {
    const rows = chain(4);
    const forged = { ...rows[1]!, action: 'published' };
    rows[1] = { ...forged, hash: auditLinkHash(forged.prevHash, forged) };
    expect(verifyAuditChain(rows)).toMatchObject({ checked: 2, broken: { id: 103, reason: 'link' } });
  });
});
