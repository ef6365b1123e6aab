import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { CloudApiClient, Stack } from '@internal/plugin-cloud-common';
import { sanitizeEntityName, stackToEntity } from './stackToEntity';

/** How many stacks one request reads: the most the cloud API gives. */
const STACKS_PAGE = 500;

/** Options for {@link CloudStackEntityProvider.create}. @public */
export interface CloudStackEntityProviderOptions {
  auth: AuthService;
  discovery: DiscoveryService;
  logger: LoggerService;
  /** Runs the refresh; without it, call `refresh()` yourself. */
  taskRunner?: SchedulerServiceTaskRunner;
  /** The frontend's base URL, for links to stack pages. */
  appBaseUrl: string;
  /** Owner of stacks that name none; defaults to their creator. */
  defaultOwner?: string;
}

/**
 * Mirrors the stacks of the cloud inventory into the catalog as Resource
 * entities. Every refresh replaces the whole set, so deleted stacks leave
 * the catalog.
 *
 * @public
 */
export class CloudStackEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private readonly api: CloudApiClient;

  static create(
    options: CloudStackEntityProviderOptions,
  ): CloudStackEntityProvider {
    return new CloudStackEntityProvider(options);
  }

  private constructor(
    private readonly options: CloudStackEntityProviderOptions,
  ) {
    this.api = new CloudApiClient({ discoveryApi: options.discovery });
  }

  getProviderName(): string {
    return 'cloud-stacks';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.taskRunner?.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        try {
          await this.refresh();
        } catch (error) {
          this.options.logger.error(
            'Could not mirror cloud stacks into the catalog',
            error as Error,
          );
        }
      },
    });
  }

  /** Reads all live stacks and replaces the provider's entities with them. */
  async refresh(): Promise<void> {
    if (!this.connection) {
      throw new Error(`${this.getProviderName()} is not connected yet`);
    }
    const cloudBaseUrl = await this.options.discovery.getBaseUrl('cloud');
    const stacks = await this.listStacks();

    // Stack names need not be unique across owners; a clash gets the id.
    const taken = new Set<string>();
    const entities = stacks
      // A failed stack has been cleaned up (deletedAt set): nothing is left.
      .filter(stack => stack.status !== 'deleted' && !stack.deletedAt)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map(stack => {
        let name = sanitizeEntityName(stack.name);
        if (taken.has(name.toLocaleLowerCase('en-US'))) {
          name = sanitizeEntityName(`${name.slice(0, 40)}-${stack.id}`);
        }
        taken.add(name.toLocaleLowerCase('en-US'));
        return {
          entity: stackToEntity(stack, {
            appBaseUrl: this.options.appBaseUrl,
            cloudBaseUrl,
            defaultOwner: this.options.defaultOwner,
            name,
          }),
          locationKey: this.getProviderName(),
        };
      });

    await this.connection.applyMutation({ type: 'full', entities });
    this.options.logger.debug(
      `Mirrored ${entities.length} cloud stacks into the catalog`,
    );
  }

  /** Every live stack, read page by page. */
  private async listStacks(): Promise<Stack[]> {
    const { auth } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'cloud',
    });
    const stacks: Stack[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.api.listStacks(
        { limit: STACKS_PAGE, cursor },
        { token },
      );
      stacks.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return stacks;
  }
}
