import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  RootConfigService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { StackServiceLimits } from './service/StackService';

/** What `cloud.*` in app-config sets; see config.d.ts. */
export interface CloudBackendConfig {
  limits: StackServiceLimits;
  /** The schedule of the `cloud-reconcile` task. */
  reconcile: SchedulerServiceTaskScheduleDefinition;
}

const RECONCILE_DEFAULTS = {
  frequency: { minutes: 1 },
  timeout: { minutes: 5 },
  initialDelay: { minutes: 1 },
};

function positiveInteger(
  config: RootConfigService,
  key: string,
  fallback: number,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${key} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Reads the cloud backend's configuration. Each part of
 * `cloud.reconcile` may be given alone: what is not set keeps its default,
 * so setting only the frequency does not fail for want of a timeout.
 */
export function readCloudBackendConfig(
  config: RootConfigService,
): CloudBackendConfig {
  const reconcile = config.getOptionalConfig('cloud.reconcile');
  return {
    limits: {
      maxNodesPerRole: positiveInteger(config, 'cloud.maxNodesPerRole', 10),
      maxScriptTimeoutSeconds: positiveInteger(
        config,
        'cloud.maxScriptTimeoutSeconds',
        300,
      ),
    },
    reconcile: readSchedulerServiceTaskScheduleDefinitionFromConfig(
      new ConfigReader({ ...RECONCILE_DEFAULTS, ...reconcile?.get<object>() }),
    ),
  };
}
