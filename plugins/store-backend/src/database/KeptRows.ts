/**
 * Values made from database rows (parsed JSON, whole objects), kept by row
 * id with the version of the row they were made from, so that reads can
 * select ids and versions and make only what they have not made before.
 * A row's version must change whenever what the value is made from does;
 * then a kept value is never outdated, whichever instance wrote the row.
 * Values are frozen, as requests share them. When full, the value kept
 * longest makes room.
 */
export class KeptRows<T> {
  private readonly kept = new Map<string, { version: string; value: T }>();

  constructor(private readonly max: number) {}

  /**
   * The values kept for these rows at their versions, and the ids of the
   * rows that have none. Taken at once, so that other requests making room
   * meanwhile cannot take them away.
   */
  take(rows: Iterable<{ id: string; version: string }>): {
    found: Map<string, T>;
    missing: string[];
  } {
    const found = new Map<string, T>();
    const missing: string[] = [];
    for (const { id, version } of rows) {
      const kept = this.kept.get(id);
      if (kept?.version === version) {
        found.set(id, kept.value);
      } else {
        missing.push(id);
      }
    }
    return { found, missing };
  }

  /** Keeps the value of a row at a version; answers it, frozen. */
  keep(id: string, version: string, value: T): T {
    deepFreeze(value);
    if (!this.kept.has(id) && this.kept.size >= this.max) {
      this.kept.delete(this.kept.keys().next().value!);
    }
    this.kept.set(id, { version, value });
    return value;
  }
}

/** Freezes an object and everything in it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}
