import { screen } from '@testing-library/react';
import { FIRST_RENDER, renderPage } from './__testUtils__/resourcesPage';

jest.setTimeout(60_000);

describe('ResourcesPage', () => {
  it('lists stacks with owner, template, provider and status, linking to the stack page', async () => {
    const { listStacks } = await renderPage({ usageAllowed: true });
    expect(screen.getByRole('link', { name: 'shop' })).toHaveAttribute(
      'href',
      '/cloud/stacks/abc',
    );
    expect(screen.getByText('group:default/web-team')).toBeInTheDocument();
    expect(
      screen.getByText('template:default/three-tier-web-app'),
    ).toBeInTheDocument();
    expect(screen.getByText('user:default/developer')).toBeInTheDocument();
    expect(listStacks).toHaveBeenCalledWith({});
    expect(
      await screen.findByText('Usage records', undefined, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Usage records' }),
    ).toBeInTheDocument();
  });
});
