import { Entity } from '@backstage/catalog-model';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_CLOUD_STACK_ID,
  StackDetails,
} from '@internal/plugin-cloud-common';
import { screen, waitFor } from '@testing-library/react';
import { CloudApi, cloudApiRef } from '../api/CloudApi';
import { rootRouteRef } from '../routes';
import { FIRST_RENDER, stack } from './__testUtils__/resourcesPage';
import { isCloudStackEntity } from './isCloudStackEntity';
import { StackMetricsCard } from './StackMetricsCard';

jest.setTimeout(60_000);

const MIB = 1024 * 1024;

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'shop',
    annotations: { [ANNOTATION_CLOUD_STACK_ID]: 'abc' },
  },
  spec: { type: 'cloud-stack', owner: 'group:default/web-team' },
};

describe('isCloudStackEntity', () => {
  it('picks the Resources that mirror a stack', () => {
    expect(isCloudStackEntity(entity)).toBe(true);
    expect(isCloudStackEntity({ ...entity, kind: 'Component' })).toBe(false);
    expect(
      isCloudStackEntity({ ...entity, metadata: { name: 'database' } }),
    ).toBe(false);
  });
});

describe('StackMetricsCard', () => {
  it("charts the metrics of the stack the entity's annotation names", async () => {
    const details: StackDetails = {
      ...stack,
      limits: { memoryMb: 256 },
      nodes: [],
    };
    const getStack = jest.fn(async () => details);
    const getStackMetrics = jest.fn(async () => ({
      resolution: 'raw' as const,
      from: '2026-11-25T10:00:00.000Z',
      to: '2026-11-25T11:00:00.000Z',
      series: [
        {
          nodeName: 'app-1',
          metric: 'memory' as const,
          points: [
            {
              time: '2026-11-25T10:00:00.000Z',
              count: 1,
              avg: 100 * MIB,
              min: 100 * MIB,
              max: 100 * MIB,
            },
          ],
        },
      ],
    }));
    const api: Partial<CloudApi> = { getStack, getStackMetrics };
    renderInTestApp(
      <EntityProvider entity={entity}>
        <StackMetricsCard />
      </EntityProvider>,
      {
        apis: [[cloudApiRef, api as CloudApi]],
        mountedRoutes: { '/cloud': rootRouteRef },
      },
    );
    await screen.findByText('Limit 256 MiB', undefined, FIRST_RENDER);
    expect(getStack).toHaveBeenCalledWith('abc');
    await waitFor(() =>
      expect(getStackMetrics).toHaveBeenCalledWith('abc', { range: '1h' }),
    );
    expect(screen.getAllByText('100 MiB')).toHaveLength(3);
    expect(screen.getByText('Open the stack').closest('a')).toHaveAttribute(
      'href',
      '/cloud/stacks/abc',
    );
  });
});
