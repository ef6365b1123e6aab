import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  CloudNode,
  NodeStatus,
  Stack,
  StackLimits,
  StackSpec,
  StackStatus,
  UsageRecord,
} from '@internal/plugin-cloud-common';
import { Knex } from 'knex';

/** A database condition on stacks, produced by permission rules. */
export interface StackQuery {
  column: 'owner' | 'created_by';
  values: string[];
}

/** Filters of the stack list. */
export interface StackFilter {
  owner?: string;
  status?: string;
  provider?: string;
  region?: string;
  template?: string;
  createdBy?: string;
  /** Only stacks on this host. */
  hostId?: string;
  includeDeleted?: boolean;
}

/** Where a list ordered newest first goes on: after this row. */
export interface NewestFirstCursor {
  createdAt: string;
  id: string;
}

/** One page of a list, and where the next one starts, if there is one. */
export interface Page<T, C> {
  items: T[];
  nextCursor?: C;
}

/** Filters of the usage records. */
export interface UsageFilter {
  kind?: 'stack' | 'node';
  provider?: string;
  region?: string;
  user?: string;
  owner?: string;
  stackId?: string;
  /** ISO time; records of things alive at any moment from `from` on. */
  from?: string;
  /** ISO time; records of things created before `to`. */
  to?: string;
}

type StackRow = {
  id: string;
  name: string;
  owner: string;
  template: string | null;
  provider: string;
  region: string;
  status: string;
  url: string | null;
  error: string | null;
  spec: string;
  limits: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  host_id: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  deleted_by: string | null;
  deleted_at: string | null;
};

type HostRow = {
  host_id: string;
  base_url: string;
  instance_id: string;
  heartbeat_at: string;
};

type NodeRow = {
  id: string;
  stack_id: string;
  name: string;
  role: string;
  provider: string;
  region: string;
  provider_resource_id: string | null;
  private_address: string | null;
  public_address: string | null;
  status: string;
  created_by: string;
  created_at: string;
  deleted_by: string | null;
  deleted_at: string | null;
};

/** A stack row with its idempotency data, host and lease. */
export interface StoredStack extends Stack {
  idempotencyKey?: string;
  requestHash?: string;
  /** The host the stack lives on, for providers whose stacks live on one. */
  hostId?: string;
  /** The instance changing the stack at its provider, until `expiresAt`. */
  lease?: StackLease;
}

/** Who holds a stack while a provider call on it runs. */
export interface StackLease {
  owner: string;
  expiresAt: string;
}

/** A host of stacks and the backend instance that serves it. */
export interface HostRegistration {
  hostId: string;
  baseUrl: string;
  instanceId: string;
  heartbeatAt: string;
}

/** A node as stored. */
export type StoredNode = CloudNode;

const migrationsDir = resolvePackagePath(
  '@internal/plugin-cloud-backend',
  'migrations',
);

function isUniqueViolation(error: unknown) {
  const message = String((error as Error)?.message ?? error);
  return /unique|duplicate key/i.test(message);
}

function toStack(row: StackRow): StoredStack {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    template: row.template ?? undefined,
    provider: row.provider,
    region: row.region,
    status: row.status as StackStatus,
    url: row.url ?? undefined,
    error: row.error ?? undefined,
    spec: JSON.parse(row.spec) as StackSpec,
    limits: row.limits ? (JSON.parse(row.limits) as StackLimits) : undefined,
    createdBy: row.created_by,
    createdAt: row.created_at,
    deletedBy: row.deleted_by ?? undefined,
    deletedAt: row.deleted_at ?? undefined,
    idempotencyKey: row.idempotency_key ?? undefined,
    requestHash: row.request_hash ?? undefined,
    hostId: row.host_id ?? undefined,
    lease:
      row.lease_owner && row.lease_expires_at
        ? { owner: row.lease_owner, expiresAt: row.lease_expires_at }
        : undefined,
  };
}

function toNode(row: NodeRow): StoredNode {
  return {
    id: row.id,
    stackId: row.stack_id,
    name: row.name,
    role: row.role,
    provider: row.provider,
    region: row.region,
    providerResourceId: row.provider_resource_id ?? undefined,
    privateAddress: row.private_address ?? undefined,
    publicAddress: row.public_address ?? undefined,
    status: row.status as NodeStatus,
    createdBy: row.created_by,
    createdAt: row.created_at,
    deletedBy: row.deleted_by ?? undefined,
    deletedAt: row.deleted_at ?? undefined,
  };
}

function applyCriteria(
  builder: Knex.QueryBuilder,
  criteria: PermissionCriteria<StackQuery>,
) {
  if ('allOf' in criteria) {
    builder.where(b => {
      for (const c of criteria.allOf) {
        b.andWhere(inner => applyCriteria(inner, c));
      }
    });
  } else if ('anyOf' in criteria) {
    builder.where(b => {
      for (const c of criteria.anyOf) {
        b.orWhere(inner => applyCriteria(inner, c));
      }
    });
  } else if ('not' in criteria) {
    builder.whereNot(b => applyCriteria(b, criteria.not));
  } else {
    builder.whereIn(criteria.column, criteria.values);
  }
}

/**
 * Orders a query newest first, by `created_at` then `id` (ids are UUIDs,
 * unique across stacks and nodes), keeps the rows after `cursor` and reads
 * one row more than `limit`, to know whether another page follows.
 */
function newestFirst(
  query: Knex.QueryBuilder,
  table: string,
  options: { cursor?: NewestFirstCursor; limit: number },
) {
  const createdAt = `${table}.created_at`;
  const id = `${table}.id`;
  const { cursor } = options;
  if (cursor) {
    // a row value, which both databases read from the index in one range
    query.whereRaw('(??, ??) < (?, ?)', [
      createdAt,
      id,
      cursor.createdAt,
      cursor.id,
    ]);
  }
  return query
    .orderBy([
      { column: createdAt, order: 'desc' },
      { column: id, order: 'desc' },
    ])
    .limit(options.limit + 1);
}

/**
 * Whether `a` comes before `b` newest first, as {@link newestFirst} orders:
 * ISO times of one format and lower-case UUIDs sort the same by code unit
 * as under any collation of the database, which sees only their digits and
 * letters in the same places.
 */
function compareNewestFirst(a: NewestFirstCursor, b: NewestFirstCursor) {
  if (a.createdAt !== b.createdAt) {
    return a.createdAt < b.createdAt ? 1 : -1;
  }
  if (a.id === b.id) {
    return 0;
  }
  return a.id < b.id ? 1 : -1;
}

/** The page of the first `limit` of `rows`, read one beyond the limit. */
function toPage<T extends NewestFirstCursor>(
  rows: T[],
  limit: number,
): Page<T, NewestFirstCursor> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? { createdAt: last.createdAt, id: last.id }
        : undefined,
  };
}

/** The cloud inventory: the only place that speaks SQL. */
export class CloudStore {
  private constructor(private readonly db: Knex) {}

  static async create(database: DatabaseService): Promise<CloudStore> {
    const db = await database.getClient();
    if (!database.migrations?.skip) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new CloudStore(db);
  }

  /** Inserts a stack; a live stack with the same name is a conflict. */
  async insertStack(stack: StoredStack): Promise<void> {
    try {
      await this.db<StackRow>('stacks').insert({
        id: stack.id,
        name: stack.name,
        owner: stack.owner,
        template: stack.template ?? null,
        provider: stack.provider,
        region: stack.region,
        status: stack.status,
        url: stack.url ?? null,
        error: null,
        spec: JSON.stringify(stack.spec),
        limits: stack.limits ? JSON.stringify(stack.limits) : null,
        idempotency_key: stack.idempotencyKey ?? null,
        request_hash: stack.requestHash ?? null,
        host_id: stack.hostId ?? null,
        lease_owner: stack.lease?.owner ?? null,
        lease_expires_at: stack.lease?.expiresAt ?? null,
        created_by: stack.createdBy,
        created_at: stack.createdAt,
        updated_at: stack.createdAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `A stack named '${stack.name}' exists already, or the idempotency key was used`,
        );
      }
      throw error;
    }
  }

  async getStack(id: string): Promise<StoredStack | undefined> {
    const row = await this.db<StackRow>('stacks').where({ id }).first();
    return row ? toStack(row) : undefined;
  }

  /** The stacks of these ids, deleted ones too, in any order. */
  async getStacks(ids: string[]): Promise<StoredStack[]> {
    const result: StoredStack[] = [];
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.db<StackRow>('stacks').whereIn(
        'id',
        unique.slice(i, i + 500),
      );
      result.push(...rows.map(toStack));
    }
    return result;
  }

  async getStackByIdempotencyKey(
    key: string,
  ): Promise<StoredStack | undefined> {
    const row = await this.db<StackRow>('stacks')
      .where({ idempotency_key: key })
      .first();
    return row ? toStack(row) : undefined;
  }

  /** Every stack matching the filter, newest first, for internal sweeps. */
  async listStacks(
    filter: StackFilter,
    condition?: PermissionCriteria<StackQuery>,
  ): Promise<StoredStack[]> {
    const query = this.db<StackRow>('stacks').orderBy('created_at', 'desc');
    this.filterStacks(query, filter, condition);
    return (await query).map(toStack);
  }

  /**
   * A page of the stacks matching the filter and the permission condition,
   * newest first, after `cursor`: stacks created meanwhile neither repeat
   * nor push others off a page.
   */
  async listStacksPage(options: {
    filter: StackFilter;
    condition?: PermissionCriteria<StackQuery>;
    limit: number;
    cursor?: NewestFirstCursor;
  }): Promise<Page<StoredStack, NewestFirstCursor>> {
    const query = this.db<StackRow>('stacks');
    this.filterStacks(query, options.filter, options.condition);
    const rows: StackRow[] = await newestFirst(query, 'stacks', options);
    return toPage(rows.map(toStack), options.limit);
  }

  private filterStacks(
    query: Knex.QueryBuilder,
    filter: StackFilter,
    condition?: PermissionCriteria<StackQuery>,
  ) {
    if (!filter.includeDeleted) {
      query.whereNull('deleted_at');
    }
    for (const [key, column] of [
      ['owner', 'owner'],
      ['status', 'status'],
      ['provider', 'provider'],
      ['region', 'region'],
      ['template', 'template'],
      ['createdBy', 'created_by'],
      ['hostId', 'host_id'],
    ] as const) {
      if (filter[key]) {
        query.where(column, filter[key] as string);
      }
    }
    if (condition) {
      // in brackets of its own, so that its ORs do not escape the filters
      query.where(inner => applyCriteria(inner, condition));
    }
  }

  async updateStack(
    id: string,
    patch: Partial<
      Pick<
        Stack,
        'status' | 'url' | 'error' | 'spec' | 'deletedBy' | 'deletedAt'
      >
    >,
  ): Promise<void> {
    const row: Partial<StackRow> = { updated_at: new Date().toISOString() };
    if (patch.status) row.status = patch.status;
    if (patch.url !== undefined) row.url = patch.url;
    if (patch.error !== undefined) row.error = patch.error;
    if (patch.spec) row.spec = JSON.stringify(patch.spec);
    if (patch.deletedBy !== undefined) row.deleted_by = patch.deletedBy;
    if (patch.deletedAt !== undefined) row.deleted_at = patch.deletedAt;
    await this.db<StackRow>('stacks').where({ id }).update(row);
  }

  /**
   * Replaces the limits of a stack; resolves whether the stack was there.
   * Scales read them from the row, so every instance sees them at once.
   */
  async setStackLimits(id: string, limits: StackLimits): Promise<boolean> {
    const count = await this.db<StackRow>('stacks')
      .where({ id })
      .update({
        limits: JSON.stringify(limits),
        updated_at: new Date().toISOString(),
      });
    return count > 0;
  }

  /**
   * Leases a stack to `owner` until `ttlMs` after `now`, unless another
   * owner holds an unexpired lease; the owner may take its own lease again.
   * Resolves whether the lease was taken.
   */
  async acquireLease(
    id: string,
    owner: string,
    now: Date,
    ttlMs: number,
  ): Promise<boolean> {
    const count = await this.db<StackRow>('stacks')
      .where({ id })
      .where(b =>
        b
          .whereNull('lease_owner')
          .orWhere('lease_owner', owner)
          .orWhere('lease_expires_at', '<=', now.toISOString()),
      )
      .update({
        lease_owner: owner,
        lease_expires_at: new Date(now.getTime() + ttlMs).toISOString(),
      });
    return count > 0;
  }

  /** Extends a lease that `owner` still holds; resolves whether it did. */
  async renewLease(
    id: string,
    owner: string,
    now: Date,
    ttlMs: number,
  ): Promise<boolean> {
    const count = await this.db<StackRow>('stacks')
      .where({ id, lease_owner: owner })
      .update({
        lease_expires_at: new Date(now.getTime() + ttlMs).toISOString(),
      });
    return count > 0;
  }

  /** Ends the lease of `owner`, if it still holds it. */
  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db<StackRow>('stacks')
      .where({ id, lease_owner: owner })
      .update({ lease_owner: null, lease_expires_at: null });
  }

  /**
   * Ends the leases on a host's stacks whose owner does not start with
   * `ownerPrefix`: one instance serves a host, so those are of its previous
   * life, and the provider calls they covered ended with it.
   */
  async releaseHostLeases(
    hostId: string,
    ownerPrefix: string,
  ): Promise<number> {
    return this.db<StackRow>('stacks')
      .where({ host_id: hostId })
      .whereNotNull('lease_owner')
      .whereNot('lease_owner', 'like', `${ownerPrefix}%`)
      .update({ lease_owner: null, lease_expires_at: null });
  }

  /**
   * Records the host of a stack that predates host records; a stack with a
   * host keeps it.
   */
  async claimHost(id: string, hostId: string): Promise<void> {
    await this.db<StackRow>('stacks')
      .where({ id })
      .whereNull('host_id')
      .update({ host_id: hostId });
  }

  /** Registers or refreshes the instance that serves a host. */
  async registerHost(host: HostRegistration): Promise<void> {
    await this.db<HostRow>('hosts')
      .insert({
        host_id: host.hostId,
        base_url: host.baseUrl,
        instance_id: host.instanceId,
        heartbeat_at: host.heartbeatAt,
      })
      .onConflict('host_id')
      .merge(['base_url', 'instance_id', 'heartbeat_at']);
  }

  /** Forgets a host, if the instance still serves it. */
  async unregisterHost(hostId: string, instanceId: string): Promise<void> {
    await this.db<HostRow>('hosts')
      .where({ host_id: hostId, instance_id: instanceId })
      .delete();
  }

  async getHost(hostId: string): Promise<HostRegistration | undefined> {
    const row = await this.db<HostRow>('hosts')
      .where({ host_id: hostId })
      .first();
    return row
      ? {
          hostId: row.host_id,
          baseUrl: row.base_url,
          instanceId: row.instance_id,
          heartbeatAt: row.heartbeat_at,
        }
      : undefined;
  }

  async listNodes(
    stackId: string,
    options?: { includeDeleted?: boolean },
  ): Promise<StoredNode[]> {
    const query = this.db<NodeRow>('nodes')
      .where({ stack_id: stackId })
      .orderBy([
        { column: 'role' },
        { column: 'created_at' },
        { column: 'name' },
      ]);
    if (!options?.includeDeleted) {
      query.whereNull('deleted_at');
    }
    return (await query).map(toNode);
  }

  /**
   * The running nodes of live stacks of a provider, on one host when given,
   * in one query: what the metrics collector asks the provider about.
   */
  async listRunningNodes(filter: {
    provider: string;
    hostId?: string;
  }): Promise<Array<{ stackId: string; nodeName: string; role: string }>> {
    const query = this.db('nodes')
      .join('stacks', 'stacks.id', 'nodes.stack_id')
      .whereNull('nodes.deleted_at')
      .whereNull('stacks.deleted_at')
      .where('nodes.status', 'running')
      .where('stacks.provider', filter.provider)
      .orderBy(['nodes.stack_id', 'nodes.name'])
      .select({
        stackId: 'nodes.stack_id',
        nodeName: 'nodes.name',
        role: 'nodes.role',
      });
    if (filter.hostId) {
      query.where('stacks.host_id', filter.hostId);
    }
    return query;
  }

  /** Marks every live node of a stack deleted, in one statement. */
  async markNodesDeleted(
    stackId: string,
    deletedBy: string,
    deletedAt: string,
  ): Promise<void> {
    await this.db<NodeRow>('nodes')
      .where({ stack_id: stackId })
      .whereNull('deleted_at')
      .update({
        status: 'deleted',
        deleted_by: deletedBy,
        deleted_at: deletedAt,
      });
  }

  async insertNodes(nodes: StoredNode[]): Promise<void> {
    if (nodes.length === 0) {
      return;
    }
    await this.db<NodeRow>('nodes').insert(
      nodes.map(node => ({
        id: node.id,
        stack_id: node.stackId,
        name: node.name,
        role: node.role,
        provider: node.provider,
        region: node.region,
        provider_resource_id: node.providerResourceId ?? null,
        private_address: node.privateAddress ?? null,
        public_address: node.publicAddress ?? null,
        status: node.status,
        created_by: node.createdBy,
        created_at: node.createdAt,
      })),
    );
  }

  async updateNode(
    id: string,
    patch: Partial<
      Pick<
        CloudNode,
        | 'status'
        | 'providerResourceId'
        | 'privateAddress'
        | 'publicAddress'
        | 'deletedBy'
        | 'deletedAt'
      >
    >,
  ): Promise<void> {
    const row: Partial<NodeRow> = {};
    if (patch.status) row.status = patch.status;
    if (patch.providerResourceId !== undefined)
      row.provider_resource_id = patch.providerResourceId;
    if (patch.privateAddress !== undefined)
      row.private_address = patch.privateAddress;
    if (patch.publicAddress !== undefined)
      row.public_address = patch.publicAddress ?? null;
    if (patch.deletedBy !== undefined) row.deleted_by = patch.deletedBy;
    if (patch.deletedAt !== undefined) row.deleted_at = patch.deletedAt;
    await this.db<NodeRow>('nodes').where({ id }).update(row);
  }

  /**
   * A page of the usage records, stacks and nodes with who created and
   * deleted them, newest first, after `cursor`. Each table is read up to
   * one page beyond the cursor and the two are merged: the first `limit`
   * records of both are among them.
   */
  async listUsage(options: {
    filter: UsageFilter;
    limit: number;
    cursor?: NewestFirstCursor;
  }): Promise<Page<UsageRecord, NewestFirstCursor>> {
    const { filter } = options;
    const stackQuery = this.db<StackRow>('stacks').select('stacks.*');
    const nodeQuery = this.db('nodes')
      .join('stacks', 'nodes.stack_id', 'stacks.id')
      .select(
        'nodes.*',
        'stacks.name as stack_name',
        'stacks.owner as stack_owner',
      );
    for (const [query, prefix] of [
      [stackQuery, 'stacks'],
      [nodeQuery, 'nodes'],
    ] as const) {
      if (filter.provider) query.where(`${prefix}.provider`, filter.provider);
      if (filter.region) query.where(`${prefix}.region`, filter.region);
      if (filter.owner) query.where('stacks.owner', filter.owner);
      if (filter.stackId) {
        query.where(
          prefix === 'stacks' ? 'stacks.id' : 'nodes.stack_id',
          filter.stackId,
        );
      }
      if (filter.user) {
        const user = filter.user;
        query.where(b =>
          b
            .where(`${prefix}.created_by`, user)
            .orWhere(`${prefix}.deleted_by`, user),
        );
      }
      if (filter.from) {
        const from = filter.from;
        query.where(b =>
          b
            .whereNull(`${prefix}.deleted_at`)
            .orWhere(`${prefix}.deleted_at`, '>=', from),
        );
      }
      if (filter.to) query.where(`${prefix}.created_at`, '<', filter.to);
    }
    const [stackRows, nodeRows] = await Promise.all([
      filter.kind === 'node'
        ? []
        : (newestFirst(stackQuery, 'stacks', options) as Promise<StackRow[]>),
      filter.kind === 'stack'
        ? []
        : (newestFirst(nodeQuery, 'nodes', options) as Promise<
            Array<NodeRow & { stack_name: string; stack_owner: string }>
          >),
    ]);
    const records: UsageRecord[] = [
      ...stackRows.map(
        (row): UsageRecord => ({
          kind: 'stack',
          id: row.id,
          stackId: row.id,
          stackName: row.name,
          owner: row.owner,
          provider: row.provider,
          region: row.region,
          createdBy: row.created_by,
          createdAt: row.created_at,
          deletedBy: row.deleted_by ?? undefined,
          deletedAt: row.deleted_at ?? undefined,
        }),
      ),
      ...nodeRows.map(
        (row): UsageRecord => ({
          kind: 'node',
          id: row.id,
          stackId: row.stack_id,
          stackName: row.stack_name,
          role: row.role,
          owner: row.stack_owner,
          provider: row.provider,
          region: row.region,
          providerResourceId: row.provider_resource_id ?? undefined,
          createdBy: row.created_by,
          createdAt: row.created_at,
          deletedBy: row.deleted_by ?? undefined,
          deletedAt: row.deleted_at ?? undefined,
        }),
      ),
    ];
    return toPage(records.sort(compareNewestFirst), options.limit);
  }

  /**
   * The lifetimes of the nodes alive at any moment from `from` to `to` (ISO
   * times), for node-hours.
   */
  async nodeLifetimes(
    from: string,
    to: string,
  ): Promise<
    Array<{ stackId: string; createdAt: string; deletedAt?: string }>
  > {
    const rows = await this.db<NodeRow>('nodes')
      .where('created_at', '<', to)
      .where(b => b.whereNull('deleted_at').orWhere('deleted_at', '>', from))
      .select('stack_id', 'created_at', 'deleted_at');
    return rows.map(row => ({
      stackId: row.stack_id,
      createdAt: row.created_at,
      deletedAt: row.deleted_at ?? undefined,
    }));
  }

  /** Until when (an ISO time) a usage report has been posted, if ever. */
  async getReportedUntil(name: string): Promise<string | undefined> {
    const row = await this.db<{ name: string; reported_until: string }>(
      'usage_reports',
    )
      .where({ name })
      .first();
    return row?.reported_until;
  }

  /** Records until when a usage report has been posted. */
  async setReportedUntil(name: string, until: string): Promise<void> {
    await this.db('usage_reports')
      .insert({ name, reported_until: until })
      .onConflict('name')
      .merge();
  }
}
