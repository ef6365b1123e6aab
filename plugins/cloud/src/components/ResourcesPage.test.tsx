import { screen } from '@testing-library/react';
import { renderPage } from './__testUtils__/resourcesPage';

describe('ResourcesPage', () => {
  it('lists stacks with owner, template, provider and status, linking to the stack page', async () => {
    const { listStacks, rendered } = renderPage({ usageAllowed: true });
    await rendered;
    const link = await screen.findByRole('link', { name: 'shop' });
    expect(link).toHaveAttribute('href', '/cloud/stacks/abc');
    expect(screen.getByText('group:default/web-team')).toBeInTheDocument();
    expect(
      screen.getByText('template:default/three-tier-web-app'),
    ).toBeInTheDocument();
    expect(screen.getByText('user:default/developer')).toBeInTheDocument();
    expect(listStacks).toHaveBeenCalledWith({});
    expect(
      await screen.findByRole('button', { name: 'Usage records' }),
    ).toBeInTheDocument();
  });
});
