/**
 * Cloud Store resources: stacks, nodes, lifecycle operations and usage
 * records.
 *
 * @packageDocumentation
 */

export { cloudPlugin as default } from './plugin';
export { cloudApiRef } from './api/CloudApi';
export { isCloudStackEntity } from './components/isCloudStackEntity';
export { MonitoringSidebarItem } from './components/MonitoringSidebarItem';
export type {
  CloudApi,
  StackListFilter,
  UsageListFilter,
} from './api/CloudApi';
