import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  MetricName,
  MetricsQuery,
  MetricsResult,
  StackDetails,
} from '@internal/plugin-cloud-common';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { CloudApi, cloudApiRef } from '../../api/CloudApi';
import { REFRESH_INTERVAL_MS } from '../refresh/useAutoRefresh';
import { MetricsCharts } from './MetricsCharts';

jest.setTimeout(60_000);

const FIRST_RENDER = { timeout: 30_000 };
const MIB = 1024 * 1024;

const stack: StackDetails = {
  id: 'abc',
  name: 'shop',
  owner: 'group:default/web-team',
  provider: 'local',
  region: 'local',
  status: 'running',
  spec: { roles: [{ name: 'app', count: 2, runtime: 'node' }] },
  limits: { memoryMb: 512 },
  createdBy: 'user:default/developer',
  createdAt: '2026-11-25T10:00:00.000Z',
  nodes: ['app-1', 'app-2'].map(name => ({
    id: name,
    stackId: 'abc',
    name,
    role: 'app',
    provider: 'local',
    region: 'local',
    status: 'running',
    createdBy: 'user:default/developer',
    createdAt: '2026-11-25T10:00:00.000Z',
  })),
};

/** Two buckets of each metric: the second one higher. */
function result(nodes: string[]): MetricsResult {
  const values: Record<MetricName, [number, number]> = {
    cpu: [20, 60],
    memory: [100 * MIB, 300 * MIB],
    disk: [2 * MIB, 2 * MIB],
    networkIn: [1024, 3072],
    networkOut: [512, 512],
  };
  return {
    resolution: 'raw',
    from: '2026-11-25T10:00:00.000Z',
    to: '2026-11-25T11:00:00.000Z',
    series: nodes.flatMap(nodeName =>
      (Object.keys(values) as MetricName[]).map(metric => ({
        nodeName,
        metric,
        points: values[metric].map((v, i) => ({
          time: `2026-11-25T10:0${i}:00.000Z`,
          count: 1,
          avg: v,
          min: v,
          max: v,
        })),
      })),
    ),
  };
}

async function renderCharts() {
  const getStackMetrics = jest.fn(async (_id: string, _q?: MetricsQuery) =>
    result(['app-1', 'app-2']),
  );
  const getNodeMetrics = jest.fn(
    async (_id: string, node: string, _q?: MetricsQuery) => result([node]),
  );
  const api: Partial<CloudApi> = { getStackMetrics, getNodeMetrics };
  renderInTestApp(<MetricsCharts stack={stack} />, {
    apis: [[cloudApiRef, api as CloudApi]],
  });
  await screen.findByText('Limit 512 MiB', undefined, FIRST_RENDER);
  return { getStackMetrics, getNodeMetrics };
}

function figures(title: string) {
  return within(screen.getByRole('table', { name: `${title} figures` }));
}

describe('MetricsCharts', () => {
  it('draws CPU, memory, disk and network of every node, with their figures and the memory limit', async () => {
    const { getStackMetrics } = await renderCharts();
    expect(getStackMetrics).toHaveBeenCalledWith('abc', { range: '1h' });

    for (const title of ['CPU', 'Memory', 'Disk', 'Network']) {
      expect(
        document.querySelector(`figure[aria-label="${title} chart"]`),
      ).toBeInTheDocument();
    }
    // A line per node, and per direction for the network.
    expect(document.querySelectorAll('.recharts-line')).toHaveLength(
      2 + 2 + 2 + 4,
    );
    expect(document.querySelectorAll('.recharts-reference-line')).toHaveLength(
      1,
    );

    // Current is the last bucket, peak the highest, average over samples.
    const cpuRow = figures('CPU').getAllByRole('row')[1];
    expect(
      within(cpuRow)
        .getAllByRole('cell')
        .map(c => c.textContent),
    ).toEqual(['app-1', '60%', '60%', '40%']);
    expect(figures('Memory').getAllByText('300 MiB')).toHaveLength(4);
    expect(figures('Network').getByText('app-2 in')).toBeInTheDocument();
    expect(figures('Network').getAllByText('2 KiB/s')).toHaveLength(2);
    expect(figures('Disk').getAllByText('2 MiB')).toHaveLength(6);
  });

  it('asks for the range picked, and for one node when one is chosen', async () => {
    const { getStackMetrics, getNodeMetrics } = await renderCharts();

    fireEvent.click(screen.getByRole('button', { name: 'Last week' }));
    await waitFor(
      () =>
        expect(getStackMetrics).toHaveBeenLastCalledWith('abc', {
          range: '7d',
        }),
      FIRST_RENDER,
    );
    expect(screen.getByRole('button', { name: 'Last week' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );

    fireEvent.mouseDown(screen.getByLabelText('Node'));
    fireEvent.click(await screen.findByRole('option', { name: 'app-2' }));
    await waitFor(
      () =>
        expect(getNodeMetrics).toHaveBeenCalledWith('abc', 'app-2', {
          range: '7d',
        }),
      FIRST_RENDER,
    );
    await waitFor(
      () => expect(document.querySelectorAll('.recharts-line')).toHaveLength(5),
      FIRST_RENDER,
    );
    expect(figures('Network').getByText('in')).toBeInTheDocument();
  });
});

describe('MetricsCharts refreshing', () => {
  function setHidden(hidden: boolean) {
    Object.defineProperty(document, 'hidden', {
      configurable: true,
      get: () => hidden,
    });
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
  }

  afterEach(() => {
    setHidden(false);
    jest.useRealTimers();
  });

  it('fetches again every 30 seconds while the tab is shown, at once when it is shown again, and on Refresh', async () => {
    jest.useFakeTimers();
    const { getStackMetrics } = await renderCharts();
    const status = () => screen.getByRole('status', { name: 'Last update' });
    const calls = () => getStackMetrics.mock.calls.length;
    const first = calls();

    jest.setSystemTime(new Date(2026, 10, 25, 10, 30, 0));
    act(() => {
      jest.advanceTimersByTime(REFRESH_INTERVAL_MS);
    });
    await waitFor(() => expect(status()).toHaveTextContent('Updated 10:30:30'));
    expect(calls()).toBe(first + 1);
    expect(getStackMetrics).toHaveBeenLastCalledWith('abc', { range: '1h' });
    // the charts stay while they are fetched again
    expect(document.querySelectorAll('.recharts-line')).toHaveLength(10);

    setHidden(true);
    act(() => {
      jest.advanceTimersByTime(3 * REFRESH_INTERVAL_MS);
    });
    expect(calls()).toBe(first + 1);
    setHidden(false);
    await waitFor(() => expect(calls()).toBe(first + 2));

    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(calls()).toBe(first + 3));
    await waitFor(() => expect(status()).toHaveTextContent(/^Updated /));
  });
});
