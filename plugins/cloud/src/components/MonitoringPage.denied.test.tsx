import { cloudMetricsReadPermission } from '@internal/plugin-cloud-common';
import { screen, waitFor } from '@testing-library/react';
import { FIRST_RENDER } from './__testUtils__/resourcesPage';
import { renderMonitoring } from './__testUtils__/monitoringPage';

jest.setTimeout(60_000);

// A file of its own: the permission API's answers are cached per module.
describe('MonitoringPage without cloud.metrics.read', () => {
  it('says the overview is not allowed, never asks for it, and hides its sidebar entry', async () => {
    const { getMonitoringOverview, authorize } = renderMonitoring({
      allowed: false,
    });
    await screen.findByText(/Not allowed/, undefined, FIRST_RENDER);
    await waitFor(
      () =>
        expect(authorize).toHaveBeenCalledWith(
          expect.objectContaining({ permission: cloudMetricsReadPermission }),
        ),
      FIRST_RENDER,
    );
    expect(getMonitoringOverview).not.toHaveBeenCalled();
    expect(screen.queryByText('Busiest nodes')).not.toBeInTheDocument();
    expect(
      document.querySelector('a[href="/cloud/monitoring"]'),
    ).not.toBeInTheDocument();
  });
});
