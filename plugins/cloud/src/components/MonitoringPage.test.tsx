import { screen, within } from '@testing-library/react';
import { FIRST_RENDER } from './__testUtils__/resourcesPage';
import { renderMonitoring } from './__testUtils__/monitoringPage';

jest.setTimeout(60_000);

describe('MonitoringPage', () => {
  it('shows admins the firing alerts, busiest nodes, nodes near limits and silent nodes, linking to their stacks', async () => {
    const { getMonitoringOverview } = renderMonitoring({ allowed: true });
    await screen.findByText('Busiest nodes', undefined, FIRST_RENDER);
    expect(getMonitoringOverview).toHaveBeenCalledTimes(1);

    const section = (title: string) =>
      within(
        document.querySelector(`section[aria-label="${title}"]`) as HTMLElement,
      );

    const alerts = section('Firing alerts');
    expect(
      alerts.getByText('db-1 has not reported for 2 minutes'),
    ).toBeInTheDocument();
    expect(alerts.getByText('blog').closest('a')).toHaveAttribute(
      'href',
      '/cloud/stacks/def',
    );
    expect(alerts.getByText('Web Team').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/group/web-team',
    );

    const busiest = section('Busiest nodes');
    expect(busiest.getByText('93.3%')).toBeInTheDocument();
    expect(busiest.getByText('shop').closest('a')).toHaveAttribute(
      'href',
      '/cloud/stacks/abc',
    );
    expect(
      section('Nodes near their limits').getByText('94% of 512 MiB'),
    ).toBeInTheDocument();
    expect(
      section('Nodes not reporting').getByText('never'),
    ).toBeInTheDocument();

    // The sidebar offers the page to those who may read it.
    expect(
      document.querySelector('a[href="/cloud/monitoring"]'),
    ).toBeInTheDocument();
  });
});
