import { describe, expect, it } from 'vitest';
import { dependencyOrder } from './table-order.ts';

describe('dependencyOrder', () => {
  it('puts every table after those it references, ties by name, ignoring self-references', () => {
    const order = dependencyOrder([
      { name: 'warning', references: ['warning_thread', 'organisation'] },
      { name: 'organisation', references: ['organisation'] },
      { name: 'delivery', references: ['warning', 'subscription'] },
      { name: 'subscription', references: ['organisation', 'subscription'] },
      { name: 'warning_thread', references: ['organisation'] },
      { name: 'variable', references: [] },
    ]);
    expect(order).toEqual([
      'organisation',
      'variable',
      'subscription',
      'warning_thread',
      'warning',
      'delivery',
    ]);
  });

  it('is the same whatever order the catalog lists tables in', () => {
    const tables = [
      { name: 'b', references: ['a'] },
      { name: 'a', references: [] },
      { name: 'c', references: ['a', 'b'] },
    ];
    expect(dependencyOrder(tables)).toEqual(['a', 'b', 'c']);
    expect(dependencyOrder([...tables].reverse())).toEqual(['a', 'b', 'c']);
  });

  it('still lists every table when two reference each other, breaking the cycle at the first name', () => {
    const order = dependencyOrder([
      { name: 'y', references: ['x'] },
      { name: 'x', references: ['y'] },
      { name: 'z', references: ['y'] },
      { name: 'base', references: [] },
    ]);
    expect(order).toEqual(['base', 'x', 'y', 'z']);
  });

  it('ignores references to tables outside the set (another schema)', () => {
    expect(dependencyOrder([{ name: 'a', references: ['spatial_ref_sys'] }])).toEqual(['a']);
  });
});
