import {
  AuthService,
  BackendFeature,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import {
  AuthorizePermissionRequest,
  AuthorizePermissionResponse,
  AuthorizeResult,
  QueryPermissionRequest,
  QueryPermissionResponse,
} from '@backstage/plugin-permission-common';
import {
  consumerSubscriptionVisibility,
  STORE_SUBSCRIPTION_RESOURCE_TYPE,
  storeBillingManagePermission,
  storeOrderAdminPermission,
} from '@internal/plugin-store-common';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { Server } from 'node:http';
import request from 'supertest';
import { storePlugin } from '../plugin';
import { storeClockServiceRef } from '@internal/plugin-store-node';

/** How a test backend of the store is started. */
export interface StoreTestBackendOptions {
  /** The entities of the catalog. */
  entities: Entity[];
  /** The plugins and modules that run beside the store, e.g. the scaffolder. */
  features?: BackendFeature[];
  /** The backend's configuration. */
  config?: JsonObject;
  /** Where the store's clock starts; the real time when not given. */
  now?: Date;
  /**
   * The scheduled tasks that run once as they are scheduled, at start-up;
   * the others wait for the test to run them. By default the product index.
   */
  runAtStart?: (taskId: string) => boolean;
  /** The policy's answer to a permission request; allow when not given. */
  authorize?: (
    request: AuthorizePermissionRequest,
    user: string | undefined,
  ) => AuthorizePermissionResponse;
  /** The policy's answer to a conditional request; allow when not given. */
  authorizeConditional?: (
    request: QueryPermissionRequest,
    user: string | undefined,
  ) => QueryPermissionResponse;
  /** The databases of a backend started before, to start it again. */
  knexes?: Record<string, Knex>;
  /**
   * The permission backend and its policy, to decide with a real policy
   * instead of `authorize` and `authorizeConditional`.
   */
  permissionBackend?: BackendFeature[];
}

/**
 * The test auth service, except that a plugin's token on a user's behalf
 * names the plugin, as Backstage's own does: the permission backend answers
 * conditional questions without a resource only to plugins.
 */
const onBehalfOfAuthFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: (token, options) => auth.authenticate(token, options),
      getNoneCredentials: () => auth.getNoneCredentials(),
      getOwnServiceCredentials: () => auth.getOwnServiceCredentials(),
      isPrincipal: auth.isPrincipal.bind(auth) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials => auth.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => auth.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const { onBehalfOf } = options;
        if (auth.isPrincipal(onBehalfOf, 'user')) {
          return {
            token: mockCredentials.user.token(
              onBehalfOf.principal.userEntityRef,
              { actor: { subject: `plugin:${plugin.getId()}` } },
            ),
          };
        }
        return auth.getPluginRequestToken(options);
      },
    };
  },
});

/** The user entity ref of a request's credentials, if a user made it. */
export function userOf(credentials: BackstageCredentials) {
  return (credentials.principal as { userEntityRef?: string }).userEntityRef;
}

/** As the store policy answers: only `admin` administers orders and billing. */
export function onlyAdminAdministers(admin: string) {
  const adminOnly = [storeOrderAdminPermission, storeBillingManagePermission];
  return (
    r: AuthorizePermissionRequest,
    user: string | undefined,
  ): AuthorizePermissionResponse => ({
    result:
      adminOnly.some(p => p.name === r.permission.name) && user !== admin
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
  });
}

/**
 * As the store policy answers: `admin` sees every subscription, any other
 * user those of their group in `groups`.
 */
export function subscriptionsOfGroups(
  admin: string,
  groups: Record<string, string>,
) {
  return (
    r: QueryPermissionRequest,
    user: string | undefined,
  ): QueryPermissionResponse => {
    if (
      r.permission.resourceType !== STORE_SUBSCRIPTION_RESOURCE_TYPE ||
      user === admin
    ) {
      return { result: AuthorizeResult.ALLOW };
    }
    return {
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'store',
      resourceType: STORE_SUBSCRIPTION_RESOURCE_TYPE,
      conditions: consumerSubscriptionVisibility({
        claims: [user!, groups[user!]],
      }),
    };
  };
}

/**
 * Test backends of the store, on the databases of the file's
 * `TestDatabases`: each plugin gets a database of its own, as in a real
 * backend. Audit events, notifications and the store's log lines are
 * recorded; the catalog and the permission policy are mocks.
 *
 * Call it in a `describe` block, with the `TestDatabases` created at the
 * top level of the file: the backends stop after each test (or, with
 * `stopAfter: 'all'`, after the block, for tests that share one), and the
 * scaffolders' task watches end after the block, before the databases
 * close (their hook is the outer one). A watch that outlives its database
 * fails whichever test file runs next in the same jest worker.
 */
export function createStoreTestBackends(
  databases: TestDatabases,
  lifetime: {
    /** Whether a backend stops after its test (by default) or its block. */
    stopAfter?: 'each' | 'all';
  } = {},
) {
  const running = new Set<() => Promise<void>>();
  const scaffolderDatabases = new Set<Knex>();
  const stopAll = async () => {
    await Promise.all([...running].map(stop => stop()));
  };
  if (lifetime.stopAfter !== 'all') {
    afterEach(stopAll);
  }
  afterAll(async () => {
    await stopAll();
    await endScaffolderWatches([...scaffolderDatabases]);
  });

  async function start(
    databaseId: TestDatabaseId,
    options: StoreTestBackendOptions,
  ) {
    const knexes: Record<string, Knex> = options.knexes ?? {};
    const clock: { now?: Date } = { now: options.now };
    const sent: NotificationSendOptions[] = [];
    const audited: string[] = [];
    /** The meta of each audit event, in the order they were created. */
    const auditedMeta: Array<{ eventId: string; meta?: JsonObject }> = [];
    const scheduled: string[] = [];
    const taskFns = new Map<string, Array<() => Promise<void>>>();
    /** The functions of the tasks scheduled with an id, as they come. */
    const tasks = (id: string) => {
      if (!taskFns.has(id)) {
        taskFns.set(id, []);
      }
      return taskFns.get(id)!;
    };
    const runAtStart =
      options.runAtStart ?? (id => id.startsWith('store-product-index'));
    const scheduler = mockServices.scheduler.mock({
      scheduleTask: jest.fn(async task => {
        const fn = task.fn as () => Promise<void>;
        scheduled.push(task.id);
        tasks(task.id).push(fn);
        if (runAtStart(task.id)) {
          await fn();
        }
      }),
    });
    const auditor = mockServices.auditor.mock({
      createEvent: jest.fn(async ({ eventId, meta }) => {
        auditedMeta.push({ eventId, meta });
        return {
          success: async () => {
            audited.push(`${eventId}:success`);
          },
          fail: async () => {
            audited.push(`${eventId}:fail`);
          },
        };
      }),
    });
    const { authorize, authorizeConditional } = options;
    const permissions = mockServices.permissions.mock({
      authorize: jest.fn(async (requests, { credentials }) =>
        requests.map(r =>
          authorize
            ? authorize(r, userOf(credentials))
            : { result: AuthorizeResult.ALLOW },
        ),
      ),
      authorizeConditional: jest.fn(async (requests, { credentials }) =>
        requests.map(r =>
          authorizeConditional
            ? authorizeConditional(r, userOf(credentials))
            : { result: AuthorizeResult.ALLOW },
        ),
      ),
    });
    // Every log line of the store, e.g. to check that no secret is logged.
    const logger = mockServices.logger.mock();
    logger.child.mockImplementation(() => logger);

    const backend = await startTestBackend({
      features: [
        storePlugin,
        ...(options.features ?? []),
        mockServices.rootConfig.factory({
          data: {
            ...options.config,
            // A stopped backend finishes the tasks it runs: an abandoned
            // task keeps the scaffolder polling its events in the
            // background, into the database after the tests closed it.
            scaffolder: { EXPERIMENTAL_gracefulShutdown: true },
          },
        }),
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory: async ({ plugin }) => {
            const id = plugin.getId();
            knexes[id] ??= await databases.init(databaseId);
            if (id === 'scaffolder') {
              scaffolderDatabases.add(knexes[id]);
            }
            return mockServices.database({ knex: knexes[id] });
          },
        }),
        createServiceFactory({
          service: coreServices.logger,
          deps: { plugin: coreServices.pluginMetadata },
          factory: ({ plugin }) =>
            plugin.getId() === 'store' ? logger : mockServices.logger.mock(),
        }),
        createServiceFactory({
          service: storeClockServiceRef,
          deps: {},
          factory: () => ({ now: () => clock.now ?? new Date() }),
        }),
        catalogServiceMock.factory({ entities: options.entities }),
        ...(options.permissionBackend
          ? [...options.permissionBackend, onBehalfOfAuthFactory]
          : [permissions.factory]),
        scheduler.factory,
        auditor.factory,
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            send: async (notification: NotificationSendOptions) => {
              sent.push(notification);
            },
          }),
        }),
      ],
    });
    // A plain http.Server: the test backend's own type is not exported.
    const server: Server = backend.server;
    const stop = async () => {
      if (running.delete(stop)) {
        await backend.stop();
      }
    };
    running.add(stop);

    /** Requests to a plugin's API with the given Authorization header. */
    const client = (authorization: string, pluginId = 'store') => {
      const url = (path: string) => `/api/${pluginId}${path}`;
      return {
        get: (path: string) =>
          request(server).get(url(path)).set('Authorization', authorization),
        post: (path: string, body: object = {}, idempotencyKey?: string) => {
          const req = request(server)
            .post(url(path))
            .set('Authorization', authorization);
          return (
            idempotencyKey ? req.set('Idempotency-Key', idempotencyKey) : req
          ).send(body);
        },
        put: (path: string, body: object) =>
          request(server)
            .put(url(path))
            .set('Authorization', authorization)
            .send(body),
      };
    };
    /** Requests to a plugin's API as a user. */
    const as = (user: string, pluginId?: string) =>
      client(mockCredentials.user.header(user), pluginId);

    return {
      server,
      stop,
      client,
      as,
      knexes,
      storeDb: knexes.store,
      clock,
      /** The ids of the scheduled tasks, in the order they were scheduled. */
      scheduled,
      /** Runs as the scheduler would: the functions of a task id. */
      tasks,
      audited,
      auditedMeta,
      sent,
      logger,
      permissions,
    };
  }

  return { start };
}

/** A test backend of the store, as `createStoreTestBackends` starts it. */
export type StoreTestBackend = Awaited<
  ReturnType<ReturnType<typeof createStoreTestBackends>['start']>
>;

/**
 * Ends what the scaffolders of stopped test backends still do with their
 * databases, before the databases close.
 *
 * The scaffolder watches each task it ran for a cancellation by reading the
 * task's events every second until it reads the task's completion, and it
 * keeps doing so after its backend stopped. A task that never completed
 * would have it read a closed database, and fail whichever test file runs
 * next in the same jest worker. Each unfinished task is completed here, and
 * the watchers are given the time to read it: until their databases have
 * been quiet for a while.
 */
export async function endScaffolderWatches(databases: Knex[]) {
  let lastRead = Date.now();
  const onQuery = (query: { sql?: string }) => {
    if (query.sql?.includes('task_events')) {
      lastRead = Date.now();
    }
  };
  for (const knex of databases) {
    knex.on('query', onQuery);
    const unfinished = await knex('tasks')
      .whereNotIn(
        'id',
        knex('task_events')
          .select('task_id')
          .where({ event_type: 'completion' }),
      )
      .select('id');
    for (const { id } of unfinished) {
      await knex('tasks').where({ id }).update({ status: 'cancelled' });
      await knex('task_events').insert({
        task_id: id,
        event_type: 'completion',
        body: JSON.stringify({ message: 'Ended with the test' }),
      });
    }
  }
  const quietMs = 2_500;
  const deadline = Date.now() + 30_000;
  while (Date.now() - lastRead < quietMs && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  for (const knex of databases) {
    knex.removeListener('query', onQuery);
  }
}
