import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityPresentationApiRef } from '@backstage/plugin-catalog-react';
import {
  CursorPage,
  PageRequest,
  UsageListFilter,
  UsageRecord,
} from '@internal/plugin-cloud-common';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { CloudApi, cloudApiRef } from '../api/CloudApi';
import { rootRouteRef } from '../routes';
import {
  catalogMountedRoutes,
  entityPresentationApi,
} from './__testUtils__/catalog';
import { FIRST_RENDER } from './__testUtils__/resourcesPage';
import { UsagePage } from './UsagePage';

jest.setTimeout(60_000);

function record(id: string, stackName: string): UsageRecord {
  return {
    kind: 'stack',
    id,
    stackId: id,
    stackName,
    owner: 'group:default/web-team',
    provider: 'local',
    region: 'local',
    createdBy: 'user:default/developer',
    createdAt: '2026-11-25T10:00:00.000Z',
  };
}

describe('UsagePage', () => {
  it('reads the usage records from the server a page at a time, on "Show more"', async () => {
    const pages: Record<string, CursorPage<UsageRecord>> = {
      '': { items: [record('a', 'shop')], nextCursor: 'page-2' },
      'page-2': { items: [record('b', 'blog')] },
    };
    const listUsage = jest.fn(
      async (filter?: UsageListFilter & PageRequest) =>
        pages[filter?.cursor ?? ''],
    );
    renderInTestApp(<UsagePage />, {
      apis: [
        [cloudApiRef, { listUsage } as Partial<CloudApi> as CloudApi],
        [entityPresentationApiRef, entityPresentationApi],
      ],
      mountedRoutes: { '/cloud': rootRouteRef, ...catalogMountedRoutes },
    });
    await screen.findByText('shop', undefined, FIRST_RENDER);
    expect(listUsage).toHaveBeenCalledWith({ limit: 50, cursor: undefined });
    expect(screen.queryByText('blog')).not.toBeInTheDocument();

    fireEvent.click(screen.getByText('Show more'));
    expect(
      await screen.findByText('blog', undefined, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(screen.getByText('shop')).toBeInTheDocument();
    expect(screen.queryByText('Show more')).not.toBeInTheDocument();
    expect(listUsage).toHaveBeenLastCalledWith({
      limit: 50,
      cursor: 'page-2',
    });

    // a filter goes to the server, which pages the filtered list afresh
    fireEvent.change(screen.getByLabelText('Region'), {
      target: { value: 'local' },
    });
    await waitFor(() =>
      expect(listUsage).toHaveBeenLastCalledWith({
        region: 'local',
        limit: 50,
        cursor: undefined,
      }),
    );
  });
});
