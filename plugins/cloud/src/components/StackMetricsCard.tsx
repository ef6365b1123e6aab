import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { ANNOTATION_CLOUD_STACK_ID } from '@internal/plugin-cloud-common';
import useAsync from 'react-use/esm/useAsync';
import { cloudApiRef } from '../api/CloudApi';
import { rootRouteRef } from '../routes';
import { MetricsCharts } from './metrics/MetricsCharts';

/**
 * The charts of a stack's nodes on the catalog page of the Resource entity
 * that mirrors it.
 */
export function StackMetricsCard() {
  const { entity } = useEntity();
  const stackId = entity.metadata.annotations?.[ANNOTATION_CLOUD_STACK_ID];
  const cloudApi = useApi(cloudApiRef);
  const root = useRouteRef(rootRouteRef)?.() ?? '/cloud';
  const stack = useAsync(
    async () => (stackId ? cloudApi.getStack(stackId) : undefined),
    [cloudApi, stackId],
  );
  if (!stackId) {
    return null;
  }
  return (
    <InfoCard
      title="Monitoring"
      subheader="CPU, memory, disk and network of the stack's nodes"
      deepLink={{
        title: 'Open the stack',
        link: `${root}/stacks/${encodeURIComponent(stackId)}`,
      }}
    >
      {stack.error && <ResponseErrorPanel error={stack.error} />}
      {stack.loading && <Progress />}
      {stack.value && <MetricsCharts stack={stack.value} />}
    </InfoCard>
  );
}
