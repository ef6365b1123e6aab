import {
  configure,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { mockBillingApi, renderBilling } from './__testUtils__/billing';

configure({ asyncUtilTimeout: 30_000, defaultHidden: true });
jest.setTimeout(120_000);

const table = () =>
  within(
    screen
      .getByText('Costs (USD)')
      .closest('[class*="MuiPaper"]') as HTMLElement,
  );
const rowsOf = () =>
  table()
    .getAllByRole('row')
    .slice(1)
    .map(row =>
      within(row)
        .getAllByRole('cell')
        .slice(0, 2)
        .map(cell => cell.textContent),
    );

describe('CostAnalyticsPage', () => {
  it('charts and tabulates costs by account, then drills into one', async () => {
    const api = mockBillingApi();
    await renderBilling(api, '/store/billing/costs?from=2026-06&to=2026-11');
    await screen.findByText('Costs (USD)');
    expect(api.getCosts).toHaveBeenCalledWith({
      from: '2026-06',
      to: '2026-11',
      groupBy: 'account',
      account: undefined,
    });
    // Accounts by the display names of their groups, linked to them.
    await waitFor(() =>
      expect(rowsOf()).toEqual([
        ['Team A', 'USD 1234.56'],
        ['Team B', 'USD 65.34'],
      ]),
    );
    expect(screen.getByRole('link', { name: 'Team A' })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-a',
    );
    // The chart's axis names them too.
    await waitFor(() =>
      expect(
        document.body.querySelector('.recharts-xAxis-tick-labels')?.textContent,
      ).toBe('Team ATeam B'),
    );
    // The chart's legend names the series with its currency.
    expect(screen.getByText('Cost (USD)')).toBeInTheDocument();

    fireEvent.click(
      screen.getByRole('button', { name: 'Costs of Team A by product' }),
    );
    await screen.findByText('USD 42.00');
    expect(api.getCosts).toHaveBeenLastCalledWith({
      from: '2026-06',
      to: '2026-11',
      groupBy: 'product',
      account: 'group:default/team-a',
    });
    expect(rowsOf()).toEqual([['Redis Cache', 'USD 42.00']]);
    expect(screen.getByText('Team A by product')).toBeInTheDocument();

    fireEvent.click(
      screen.getByRole('button', { name: 'All billing accounts' }),
    );
    await screen.findByText('USD 65.34');
    expect(api.getCosts).toHaveBeenLastCalledWith(
      expect.objectContaining({ groupBy: 'account', account: undefined }),
    );
  });

  it('drills down from a bar of the chart', async () => {
    const api = mockBillingApi();
    await renderBilling(api, '/store/billing/costs?from=2026-06&to=2026-11');
    await screen.findByText('Costs (USD)');
    // The bars grow in, so they are there a moment after the table.
    await waitFor(() =>
      expect(
        document.body.querySelectorAll('.recharts-bar-rectangle path'),
      ).toHaveLength(2),
    );
    const bars = document.body.querySelectorAll('.recharts-bar-rectangle path');
    fireEvent.click(bars[1]);
    await screen.findByText('USD 42.00');
    expect(screen.getByText('Team B by product')).toBeInTheDocument();
    expect(api.getCosts).toHaveBeenLastCalledWith(
      expect.objectContaining({
        groupBy: 'product',
        account: 'group:default/team-b',
      }),
    );
  });

  it('groups by product and by month, with their column names', async () => {
    const api = mockBillingApi();
    await renderBilling(api, '/store/billing/costs?from=2026-06&to=2026-11');
    await screen.findByText('Costs (USD)');
    fireEvent.click(screen.getByRole('tab', { name: 'By product' }));
    await screen.findByText('USD 1200.00');
    expect(rowsOf()).toEqual([
      ['PostgreSQL Database', 'USD 1200.00'],
      ['Redis Cache', 'USD 99.90'],
    ]);
    // Products are not drilled into.
    expect(screen.queryByRole('button', { name: /by product$/ })).toBeNull();
    expect(api.getCosts).toHaveBeenLastCalledWith({
      from: '2026-06',
      to: '2026-11',
      groupBy: 'product',
      account: undefined,
    });
    expect(table().getByRole('columnheader', { name: 'Product' })).toBeTruthy();

    fireEvent.click(screen.getByRole('tab', { name: 'By month' }));
    await screen.findByText('USD 699.90');
    expect(rowsOf()).toEqual([
      ['2026-10', 'USD 600.00'],
      ['2026-11', 'USD 699.90'],
    ]);
    expect(table().getByRole('columnheader', { name: 'Month' })).toBeTruthy();
    expect(api.getCosts).toHaveBeenLastCalledWith(
      expect.objectContaining({ groupBy: 'month', account: undefined }),
    );
  });

  it('refuses a range that ends before it starts', async () => {
    const api = mockBillingApi();
    await renderBilling(api, '/store/billing/costs?from=2026-11&to=2026-06');
    await screen.findByText(/The first month comes after the last/);
    expect(api.getCosts).not.toHaveBeenCalled();
  });
});
