import { auditLogReadPermission } from '@internal/plugin-audit-common';
import { screen, waitFor } from '@testing-library/react';
import { FIRST_RENDER, renderAuditLog } from './__testUtils__/renderAuditLog';

jest.setTimeout(60_000);

// A file of its own: the permission API's answers are cached per module.
describe('AuditLogPage without audit.log.read', () => {
  it('says the log is not allowed, never asks for it, and hides its sidebar entry', async () => {
    const { listEvents, authorize } = renderAuditLog({ allowed: false });
    await screen.findByText(/Not allowed/, undefined, FIRST_RENDER);
    await waitFor(() =>
      expect(authorize).toHaveBeenCalledWith(
        expect.objectContaining({ permission: auditLogReadPermission }),
      ),
    );
    expect(listEvents).not.toHaveBeenCalled();
    expect(document.querySelector('a[href="/audit"]')).not.toBeInTheDocument();
  });
});
