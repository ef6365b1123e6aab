import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  CloudProviderInfo,
  ScriptResult,
  Stack,
  StackDetails,
  UsageRecord,
} from '@internal/plugin-cloud-common';

/** Filters of the stack list. @public */
export interface StackListFilter {
  owner?: string;
  status?: string;
  provider?: string;
  region?: string;
  template?: string;
}

/** Filters of the usage records. @public */
export interface UsageListFilter {
  kind?: string;
  provider?: string;
  region?: string;
  user?: string;
  owner?: string;
  from?: string;
  to?: string;
}

/** Talks to the cloud backend. @public */
export interface CloudApi {
  listProviders(): Promise<CloudProviderInfo[]>;
  listStacks(filter: StackListFilter): Promise<Stack[]>;
  getStack(stackId: string): Promise<StackDetails>;
  deleteStack(stackId: string): Promise<StackDetails>;
  operate(
    stackId: string,
    operation: 'start' | 'stop' | 'restart',
    nodes?: string[],
  ): Promise<StackDetails>;
  scale(stackId: string, role: string, count: number): Promise<StackDetails>;
  runScript(
    stackId: string,
    node: string,
    script: string,
    timeoutSeconds: number,
  ): Promise<ScriptResult>;
  getLogs(stackId: string, node: string): Promise<string>;
  listUsage(filter: UsageListFilter): Promise<UsageRecord[]>;
  usageCsvUrl(filter: UsageListFilter): Promise<string>;
  exportUsageCsv(filter: UsageListFilter): Promise<string>;
}

/** @public */
export const cloudApiRef = createApiRef<CloudApi>({ id: 'plugin.cloud' });
