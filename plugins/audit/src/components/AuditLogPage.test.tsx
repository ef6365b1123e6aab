import { configure, fireEvent, screen, waitFor } from '@testing-library/react';
import { toAuditLogFilter } from './AuditLogPage';
import { FIRST_RENDER, renderAuditLog } from './__testUtils__/renderAuditLog';

// The first render of the app, and the catalog names after it, take a
// while on a loaded machine.
configure({ asyncUtilTimeout: 30_000 });

jest.setTimeout(60_000);

describe('AuditLogPage', () => {
  it('lists who did what to which target, from where, and whether it succeeded, page by page', async () => {
    const { listEvents } = renderAuditLog({ allowed: true });
    await screen.findByText('ORDER_APPROVE', undefined, FIRST_RENDER);
    expect(screen.getByText('LOGIN')).toBeInTheDocument();
    expect(screen.getAllByText('10.0.0.7')).toHaveLength(2);
    expect(screen.getByText('failed')).toBeInTheDocument();
    // The actor by the display name of their catalog profile, linked.
    const [developer] = await screen.findAllByRole('link', {
      name: 'Dana Developer',
    });
    expect(developer).toHaveAttribute(
      'href',
      '/catalog/default/user/developer',
    );
    expect(screen.queryByText('user:default/developer')).toBeNull();
    expect(screen.queryByText('plugin:scaffolder')).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Older events' }));
    await screen.findByText('plugin:scaffolder');
    expect(listEvents).toHaveBeenLastCalledWith({}, { limit: 50, cursor: '2' });
    expect(
      screen.queryByRole('button', { name: 'Older events' }),
    ).not.toBeInTheDocument();
    expect(document.querySelector('a[href="/audit"]')).toBeInTheDocument();
  });

  it('asks the backend with the filters typed, the last day included', async () => {
    const { listEvents } = renderAuditLog({ allowed: true });
    await screen.findByText('ORDER_APPROVE', undefined, FIRST_RENDER);
    fireEvent.change(screen.getByLabelText('Action'), {
      target: { value: 'LOGIN' },
    });
    fireEvent.change(screen.getByLabelText('To'), {
      target: { value: '2026-11-30' },
    });
    await waitFor(() =>
      expect(listEvents).toHaveBeenLastCalledWith(
        { action: 'LOGIN', to: '2026-12-01' },
        { limit: 50 },
      ),
    );
  });

  it('names the first record that breaks the hash chain', async () => {
    const { verify } = renderAuditLog({ allowed: true });
    await screen.findByText('ORDER_APPROVE', undefined, FIRST_RENDER);
    fireEvent.click(screen.getByRole('button', { name: 'Verify chain' }));
    expect(
      await screen.findByText(/Record #2 does not match the chain/),
    ).toBeInTheDocument();
    expect(verify).toHaveBeenCalledTimes(1);
  });
});

describe('toAuditLogFilter', () => {
  it('trims text, drops empty fields and makes the last day inclusive', () => {
    expect(
      toAuditLogFilter({
        user: ' user:default/developer ',
        action: '',
        from: '2026-02-28',
        to: '2028-02-28',
      }),
    ).toEqual({
      user: 'user:default/developer',
      from: '2026-02-28',
      to: '2028-02-29',
    });
  });
});
