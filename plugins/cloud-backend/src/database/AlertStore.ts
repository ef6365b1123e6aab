import { MetricAlert, MetricAlertRule } from '@internal/plugin-cloud-common';
import { Knex } from 'knex';

/** The states an alert is stored in; pending ones are not shown. */
export type StoredAlertState = 'pending' | 'firing' | 'resolved';

/** An alert as stored, pending ones included. */
export interface StoredAlert {
  id: string;
  stackId: string;
  nodeName: string;
  rule: MetricAlertRule;
  state: StoredAlertState;
  message: string;
  since: number;
  firedAt?: number;
  resolvedAt?: number;
  notified?: 'firing' | 'resolved';
}

type AlertRow = {
  id: string | number;
  stack_id: string;
  node_name: string;
  rule: string;
  state: string;
  message: string;
  since: string | number;
  fired_at: string | number | null;
  resolved_at: string | number | null;
  notified: string | null;
};

/** Where a page of a stack's alerts goes on: after this alert. */
export interface AlertCursor {
  since: number;
  id: string;
}

const OPEN = ['pending', 'firing'];

function toAlert(row: AlertRow): StoredAlert {
  return {
    id: String(row.id),
    stackId: row.stack_id,
    nodeName: row.node_name,
    rule: row.rule as MetricAlertRule,
    state: row.state as StoredAlertState,
    message: row.message,
    since: Number(row.since),
    firedAt: row.fired_at === null ? undefined : Number(row.fired_at),
    resolvedAt: row.resolved_at === null ? undefined : Number(row.resolved_at),
    notified: (row.notified ?? undefined) as StoredAlert['notified'],
  };
}

/** An alert as the API shows it; pending alerts are not shown. */
export function toMetricAlert(alert: StoredAlert): MetricAlert {
  return {
    id: alert.id,
    stackId: alert.stackId,
    nodeName: alert.nodeName,
    rule: alert.rule,
    state: alert.state === 'resolved' ? 'resolved' : 'firing',
    message: alert.message,
    since: new Date(alert.since).toISOString(),
    firedAt: new Date(alert.firedAt ?? alert.since).toISOString(),
    resolvedAt:
      alert.resolvedAt === undefined
        ? undefined
        : new Date(alert.resolvedAt).toISOString(),
  };
}

/**
 * Alerts on nodes. Every change is conditional on the state it starts
 * from, so that of two runs evaluating the same node only one moves an
 * alert, and only one tells its owner.
 */
export class AlertStore {
  private constructor(private readonly db: Knex) {}

  /** Over a database that CloudStore has migrated. */
  static create(db: Knex): AlertStore {
    return new AlertStore(db);
  }

  /** The pending and firing alerts of these stacks. */
  async listOpen(stackIds: string[]): Promise<StoredAlert[]> {
    const result: StoredAlert[] = [];
    for (let i = 0; i < stackIds.length; i += 500) {
      const rows = await this.db<AlertRow>('metric_alerts')
        .whereIn('stack_id', stackIds.slice(i, i + 500))
        .whereIn('state', OPEN);
      result.push(...rows.map(toAlert));
    }
    return result;
  }

  /**
   * The open alerts of stacks of these providers, on one host when given,
   * live or deleted: those whose nodes a collection round answers for.
   */
  async listOpenOfProviders(filter: {
    providers: string[];
    hostId?: string;
  }): Promise<StoredAlert[]> {
    const query = this.db<AlertRow>('metric_alerts')
      .join('stacks', 'stacks.id', 'metric_alerts.stack_id')
      .whereIn('metric_alerts.state', OPEN)
      .whereIn('stacks.provider', filter.providers)
      .select('metric_alerts.*');
    if (filter.hostId) {
      query.where('stacks.host_id', filter.hostId);
    }
    return (await query).map(toAlert);
  }

  /**
   * A page of the firing and resolved alerts of a stack, newest first (by
   * when their condition began, then id), after `cursor`.
   */
  async listShown(
    stackId: string,
    options: { limit: number; cursor?: AlertCursor },
  ): Promise<{ items: StoredAlert[]; nextCursor?: AlertCursor }> {
    const { cursor, limit } = options;
    const query = this.db<AlertRow>('metric_alerts')
      .where({ stack_id: stackId })
      .whereIn('state', ['firing', 'resolved']);
    if (cursor) {
      query.whereRaw('(since, id) < (?, ?)', [cursor.since, Number(cursor.id)]);
    }
    const rows = await query
      .orderBy([
        { column: 'since', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1);
    const items = rows.slice(0, limit).map(toAlert);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? { since: last.since, id: last.id }
          : undefined,
    };
  }

  /** Every firing alert, newest first. */
  async listFiring(): Promise<StoredAlert[]> {
    const rows = await this.db<AlertRow>('metric_alerts')
      .where({ state: 'firing' })
      .orderBy([
        { column: 'fired_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(toAlert);
  }

  /**
   * Opens a pending alert; undefined when the node has an open alert of
   * the rule already, opened by another run.
   */
  async open(alert: {
    stackId: string;
    nodeName: string;
    rule: MetricAlertRule;
    message: string;
    since: number;
  }): Promise<StoredAlert | undefined> {
    try {
      await this.db<AlertRow>('metric_alerts').insert({
        stack_id: alert.stackId,
        node_name: alert.nodeName,
        rule: alert.rule,
        state: 'pending',
        message: alert.message,
        since: alert.since,
      });
    } catch (error) {
      if (/unique|duplicate key/i.test(String(error))) {
        return undefined;
      }
      throw error;
    }
    const row = await this.db<AlertRow>('metric_alerts')
      .where({
        stack_id: alert.stackId,
        node_name: alert.nodeName,
        rule: alert.rule,
        state: 'pending',
      })
      .first();
    return row ? toAlert(row) : undefined;
  }

  /** Moves a pending alert to firing; false when it was no longer pending. */
  async fire(id: string, at: number, message: string): Promise<boolean> {
    const updated = await this.db('metric_alerts')
      .where({ id, state: 'pending' })
      .update({ state: 'firing', fired_at: at, message });
    return updated === 1;
  }

  /** Resolves a firing alert; false when it was no longer firing. */
  async resolve(id: string, at: number): Promise<boolean> {
    const updated = await this.db('metric_alerts')
      .where({ id, state: 'firing' })
      .update({ state: 'resolved', resolved_at: at });
    return updated === 1;
  }

  /** Drops a pending alert whose condition ended before it fired. */
  async dropPending(id: string): Promise<void> {
    await this.db('metric_alerts').where({ id, state: 'pending' }).delete();
  }

  /**
   * Claims the telling of an alert's state: true for the one caller that
   * records it as told, who then tells the owner.
   */
  async claimNotification(
    id: string,
    state: 'firing' | 'resolved',
  ): Promise<boolean> {
    const updated = await this.db('metric_alerts')
      .where({ id, state })
      .andWhere(q => q.whereNull('notified').orWhereNot('notified', state))
      .update({ notified: state });
    return updated === 1;
  }

  /** Alerts in a fired or resolved state that the owner was not told of. */
  async listUntold(stackIds: string[]): Promise<StoredAlert[]> {
    const result: StoredAlert[] = [];
    for (let i = 0; i < stackIds.length; i += 500) {
      const rows = await this.db<AlertRow>('metric_alerts')
        .whereIn('stack_id', stackIds.slice(i, i + 500))
        .whereIn('state', ['firing', 'resolved'])
        .andWhere(q => q.whereNull('notified').orWhereRaw('notified <> state'));
      result.push(...rows.map(toAlert));
    }
    return result;
  }

  /** Deletes alerts resolved before `before`; returns how many went. */
  async purgeResolved(before: number): Promise<number> {
    return this.db('metric_alerts')
      .where({ state: 'resolved' })
      .andWhere('resolved_at', '<', before)
      .delete();
  }
}
