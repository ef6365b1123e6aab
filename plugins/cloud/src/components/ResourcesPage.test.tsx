import { fireEvent, screen } from '@testing-library/react';
import { FIRST_RENDER, renderPage, stack } from './__testUtils__/resourcesPage';

jest.setTimeout(60_000);

describe('ResourcesPage', () => {
  it('lists stacks with owner, template, provider and status, linking to the stack page', async () => {
    const { listStacks } = await renderPage({ usageAllowed: true });
    expect(screen.getByRole('link', { name: 'shop' })).toHaveAttribute(
      'href',
      '/cloud/stacks/abc',
    );
    // Owners and users are catalog links named by their display names.
    expect(screen.getByText('Web Team').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/group/web-team',
    );
    expect(screen.getByText('Dana Developer').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/user/developer',
    );
    expect(screen.getByText('three-tier-web-app').closest('a')).toHaveAttribute(
      'href',
      '/catalog/default/template/three-tier-web-app',
    );
    expect(
      screen.queryByText('group:default/web-team'),
    ).not.toBeInTheDocument();
    expect(listStacks).toHaveBeenCalledWith({ limit: 50, cursor: undefined });
    expect(
      await screen.findByText('Usage records', undefined, FIRST_RENDER),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Usage records' }),
    ).toBeInTheDocument();
  });

  it('reads the stacks from the server a page at a time, on "Show more"', async () => {
    const older = { ...stack, id: 'def', name: 'blog' };
    const { listStacks } = await renderPage({
      usageAllowed: false,
      pages: {
        '': { items: [stack], nextCursor: 'page-2' },
        'page-2': { items: [older] },
      },
    });
    expect(screen.queryByText('blog')).not.toBeInTheDocument();
    fireEvent.click(screen.getByText('Show more'));
    expect(
      await screen.findByText('blog', undefined, FIRST_RENDER),
    ).toBeInTheDocument();
    // the first page stays, and no page follows the last
    expect(screen.getByText('shop')).toBeInTheDocument();
    expect(screen.queryByText('Show more')).not.toBeInTheDocument();
    expect(listStacks).toHaveBeenLastCalledWith({
      limit: 50,
      cursor: 'page-2',
    });
  });
});
