/** @module The order tables load in, pure: every table after the tables its foreign keys reference. */

export interface TableReferences {
  readonly name: string;
  /** Tables this one's foreign keys point to (itself included or not: self-references are ignored). */
  readonly references: readonly string[];
}

/**
 * Kahn's topological sort, ties broken by name so that the same catalog always gives the same order. Tables
 * caught in a cycle (none in EW4E's schema) follow in name order: restore loads with triggers off, so foreign
 * keys are not checked while loading and any order loads.
 */
export function dependencyOrder(tables: readonly TableReferences[]): string[] {
  const names = new Set(tables.map((t) => t.name));
  const waitingOn = new Map<string, Set<string>>();
  for (const t of tables)
    waitingOn.set(t.name, new Set(t.references.filter((r) => r !== t.name && names.has(r))));
  const order: string[] = [];
  while (waitingOn.size > 0) {
    const ready = [...waitingOn].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    // In a cycle nothing is ready: break it at its first name.
    const taken = ready.length > 0 ? ready.sort() : [[...waitingOn.keys()].sort()[0]!];
    for (const name of taken) {
      order.push(name);
      waitingOn.delete(name);
      for (const deps of waitingOn.values()) deps.delete(name);
    }
  }
  return order;
}
