import { cloudUsageReadPermission } from '@internal/plugin-cloud-common';
import { screen, waitFor } from '@testing-library/react';
import { FIRST_RENDER, renderPage } from './__testUtils__/resourcesPage';

jest.setTimeout(60_000);

// A file of its own: the permission API's answers are cached per module.
describe('ResourcesPage without the usage permission', () => {
  it('offers usage records only to those who may read them', async () => {
    const { authorize } = await renderPage({ usageAllowed: false });
    expect(screen.getByRole('link', { name: 'shop' })).toBeVisible();
    await waitFor(
      () =>
        expect(authorize).toHaveBeenCalledWith(
          expect.objectContaining({ permission: cloudUsageReadPermission }),
        ),
      FIRST_RENDER,
    );
    expect(
      screen.queryByRole('button', { name: 'Usage records' }),
    ).not.toBeInTheDocument();
  });
});
