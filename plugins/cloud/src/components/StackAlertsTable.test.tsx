import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  CursorPage,
  MetricAlert,
  PageRequest,
} from '@internal/plugin-cloud-common';
import { fireEvent, screen } from '@testing-library/react';
import { CloudApi, cloudApiRef } from '../api/CloudApi';
import { FIRST_RENDER } from './__testUtils__/resourcesPage';
import { StackAlertsTable } from './StackAlertsTable';

jest.setTimeout(60_000);

function alert(id: string, message: string): MetricAlert {
  return {
    id,
    stackId: 'abc',
    nodeName: 'app-1',
    rule: 'cpu',
    state: 'resolved',
    message,
    since: '2026-11-25T09:58:00.000Z',
    firedAt: '2026-11-25T10:00:00.000Z',
    resolvedAt: '2026-11-25T10:05:00.000Z',
  };
}

describe('StackAlertsTable', () => {
  it('reads a stack\'s older alerts a page at a time, on "Show more"', async () => {
    const pages: Record<string, CursorPage<MetricAlert>> = {
      '': { items: [alert('2', 'CPU at 95%')], nextCursor: 'page-2' },
      'page-2': { items: [alert('1', 'CPU at 91%')] },
    };
    const listStackAlerts = jest.fn(
      async (_stackId: string, page?: PageRequest) => pages[page?.cursor ?? ''],
    );
    renderInTestApp(<StackAlertsTable stackId="abc" />, {
      apis: [
        [cloudApiRef, { listStackAlerts } as Partial<CloudApi> as CloudApi],
      ],
    });
    await screen.findByText('CPU at 95%', undefined, FIRST_RENDER);
    expect(listStackAlerts).toHaveBeenCalledWith('abc', { limit: 50 });
    expect(screen.queryByText('CPU at 91%')).not.toBeInTheDocument();

    fireEvent.click(screen.getByText('Show more'));
    expect(
      await screen.findByText('CPU at 91%', undefined, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(screen.getByText('CPU at 95%')).toBeInTheDocument();
    expect(screen.queryByText('Show more')).not.toBeInTheDocument();
    expect(listStackAlerts).toHaveBeenLastCalledWith('abc', {
      limit: 50,
      cursor: 'page-2',
    });
  });
});
