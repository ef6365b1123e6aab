import { configure, fireEvent, screen, within } from '@testing-library/react';
import { FIRST_RENDER } from './__testUtils__/renderAuditLog';
import { renderAccess } from './__testUtils__/renderAccess';

// The first render of the app, and the catalog names after it, take a
// while on a loaded machine.
configure({ asyncUtilTimeout: 30_000 });

jest.setTimeout(60_000);

describe('AccessPage', () => {
  it('lists the policies with their type and bindings, and the matrix of groups', async () => {
    renderAccess({ allowed: true });
    await screen.findByText(
      'NoRawCommandsForDevelopers',
      undefined,
      FIRST_RENDER,
    );
    expect(screen.getByText('custom')).toBeInTheDocument();
    expect(screen.getAllByText('managed')).toHaveLength(2);
    expect(screen.getByText('every signed-in user')).toBeInTheDocument();
    // Policies are bound to groups, shown by their display names.
    const [admins] = await screen.findAllByRole('link', {
      name: 'Platform Admins',
    });
    expect(admins).toHaveAttribute(
      'href',
      '/catalog/default/group/platform-admins',
    );

    expect(
      within(
        screen.getByTestId('group:default/developers cloud.stack.read'),
      ).getByText('conditional'),
    ).toBeInTheDocument();
    expect(
      within(
        screen.getByTestId('group:default/platform-admins cloud.command.use'),
      ).getByText('allowed'),
    ).toBeInTheDocument();
    expect(document.querySelector('a[href="/access"]')).toBeInTheDocument();
    expect(document.querySelector('a[href="/audit"]')).toBeInTheDocument();
  });

  it('explains a decision with the statement that made it', async () => {
    const { explain } = renderAccess({ allowed: true });
    await screen.findByText(
      'NoRawCommandsForDevelopers',
      undefined,
      FIRST_RENDER,
    );
    fireEvent.change(screen.getByLabelText('User'), {
      target: { value: 'user:default/data-scientist' },
    });
    fireEvent.mouseDown(screen.getByLabelText('Permission'));
    fireEvent.click(
      within(screen.getByRole('listbox')).getByText('cloud.command.use'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Explain' }));
    expect(
      await screen.findByText(
        'Denied by statement 1 of NoRawCommandsForDevelopers.',
      ),
    ).toBeInTheDocument();
    expect(explain).toHaveBeenCalledWith({
      user: 'user:default/data-scientist',
      permission: 'cloud.command.use',
    });
    expect(
      screen.getByText(
        /NoRawCommandsForDevelopers \(custom\), statement 1: deny/,
      ),
    ).toBeInTheDocument();
    // Who was asked about, by their display name and linked.
    const alert = screen.getByRole('alert');
    expect(
      await within(alert).findByRole('link', { name: 'Dora Data-Scientist' }),
    ).toHaveAttribute('href', '/catalog/default/user/data-scientist');
    expect(alert).toHaveTextContent(
      'Dora Data-Scientist — cloud.command.use: ',
    );
  });
});
