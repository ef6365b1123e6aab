import { cloudUsageReadPermission } from '@internal/plugin-cloud-common';
import { screen, waitFor } from '@testing-library/react';
import { renderPage } from './__testUtils__/resourcesPage';

// A file of its own: the permission API's answers are cached per module.
describe('ResourcesPage without the usage permission', () => {
  it('offers usage records only to those who may read them', async () => {
    const { authorize, rendered } = renderPage({ usageAllowed: false });
    await rendered;
    expect(await screen.findByRole('link', { name: 'shop' })).toBeVisible();
    await waitFor(() =>
      expect(authorize).toHaveBeenCalledWith(
        expect.objectContaining({ permission: cloudUsageReadPermission }),
      ),
    );
    expect(
      screen.queryByRole('button', { name: 'Usage records' }),
    ).not.toBeInTheDocument();
  });
});
