import {
  AuditorService,
  AuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GroupAncestryResolver } from '@internal/plugin-catalog-node-groups';
import { CloudStore } from '../database/CloudStore';
import { HostDirectory } from './HostDirectory';
import { InstanceClient } from './InstanceClient';
import { NodeSync } from './NodeSync';
import { ProviderRegistry } from './ProviderRegistry';
import { Reconciler } from './Reconciler';
import { StackAdmission } from './StackAdmission';
import { StackDeployer } from './StackDeployer';
import { StackLeases } from './StackLeases';
import { StackOperations } from './StackOperations';
import { StackService } from './StackService';

/** Limits read from configuration. */
export interface StackServiceLimits {
  maxNodesPerRole: number;
  maxScriptTimeoutSeconds: number;
}

/** The domain services of the cloud backend, wired together. */
export function createStackServices(options: {
  store: CloudStore;
  providers: ProviderRegistry;
  limits: StackServiceLimits;
  logger: LoggerService;
  auditor: AuditorService;
  auth: AuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  /** This backend instance; a new one for each start. */
  instanceId: string;
  /** This instance's cloud API, as the other instances reach it. */
  baseUrl: string;
  /** How long a host counts as served after its last heartbeat. */
  hostAliveMs: number;
  /** How long a stack's lease lasts unless renewed. */
  leaseTtlMs?: number;
}) {
  const { store, providers, logger, auth, catalog } = options;
  const nodes = NodeSync.create({ store });
  const leases = StackLeases.create({
    store,
    instanceId: options.instanceId,
    logger,
    ttlMs: options.leaseTtlMs,
  });
  const hosts = HostDirectory.create({
    store,
    providers,
    instanceId: options.instanceId,
    baseUrl: options.baseUrl,
    aliveMs: options.hostAliveMs,
  });
  const admission = StackAdmission.create({
    permissions: options.permissions,
    catalog,
    userInfo: options.userInfo,
    groups: GroupAncestryResolver.create({ catalog, auth, logger }),
  });
  const deployer = StackDeployer.create({
    store,
    providers,
    admission,
    leases,
    nodes,
    maxNodesPerRole: options.limits.maxNodesPerRole,
    logger,
  });
  const operations = StackOperations.create({
    store,
    providers,
    leases,
    nodes,
    hosts,
    instances: InstanceClient.create({ auth }),
    limits: options.limits,
  });
  const stacks = StackService.create({ store, deployer, operations });
  const reconciler = Reconciler.create({
    store,
    providers,
    deployer,
    operations,
    nodes,
    leases,
    logger,
    auditor: options.auditor,
  });
  return { stacks, reconciler, leases, hosts, deployer, operations };
}
