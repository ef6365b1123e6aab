import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Breadcrumbs,
  Button,
  FormControl,
  InputLabel,
  Link as MuiLink,
  MenuItem,
  Select,
  Tab,
  Tabs,
  Typography,
  useTheme,
} from '@material-ui/core';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { CostGrouping, CostReport } from '@internal/plugin-store-common';
import { storeApiRef } from '../../api/StoreApi';
import { billingRouteRef } from '../../routes';
import { PrincipalLink, useEntityTitles } from '../shared/EntityRefs';
import { formatMoney } from '../Subscriptions/subscriptionText';
import { chartValue, isMonth, recentMonths } from './billingText';

type CostRow = CostReport['rows'][number];

const GROUPS: Array<{ value: CostGrouping; label: string; column: string }> = [
  { value: 'account', label: 'By billing account', column: 'Billing account' },
  { value: 'product', label: 'By product', column: 'Product' },
  { value: 'month', label: 'By month', column: 'Month' },
];
const MONTHS_OFFERED = 24;
const DEFAULT_RANGE = 6;

function MonthSelect(props: {
  id: string;
  label: string;
  months: string[];
  value: string;
  onChange: (month: string) => void;
}) {
  return (
    <FormControl variant="outlined" size="small" style={{ minWidth: 140 }}>
      <InputLabel id={`${props.id}-label`}>{props.label}</InputLabel>
      <Select
        labelId={`${props.id}-label`}
        id={props.id}
        label={props.label}
        value={props.value}
        onChange={e => props.onChange(String(e.target.value))}
      >
        {props.months.map(month => (
          <MenuItem key={month} value={month}>
            {month}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

function CostChart(props: {
  report: CostReport;
  titleOf: (row: CostRow) => string;
  onSelect?: (row: CostRow) => void;
}) {
  const { report, titleOf, onSelect } = props;
  const theme = useTheme();
  const data = report.rows.map(row => ({
    label: titleOf(row),
    value: chartValue(row.amount),
  }));
  const name = `Cost (${report.currency})`;
  return (
    <ResponsiveContainer
      width="100%"
      height={320}
      initialDimension={{ width: 800, height: 320 }}
    >
      <BarChart data={data} margin={{ top: 16, right: 16, bottom: 8 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" />
        <YAxis />
        <Tooltip
          formatter={(_value, _name, item) => {
            const row = report.rows[data.indexOf(item.payload)];
            return row
              ? formatMoney({ amount: row.amount, currency: report.currency })
              : '';
          }}
        />
        <Legend />
        <Bar
          dataKey="value"
          name={name}
          fill={theme.palette.primary.main}
          cursor={onSelect ? 'pointer' : undefined}
          onClick={
            onSelect
              ? (_item, index) => {
                  const row = report.rows[index];
                  if (row) onSelect(row);
                }
              : undefined
          }
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

/**
 * Costs of a range of months by billing account, product or month. A
 * billing account's bar (or row) drills down to its costs by product.
 */
export function CostAnalyticsPage() {
  const storeApi = useApi(storeApiRef);
  const billingRoute = useRouteRef(billingRouteRef);
  const months = useMemo(() => recentMonths(new Date(), MONTHS_OFFERED), []);
  const [searchParams, setSearchParams] = useSearchParams();
  const param = (key: string) => searchParams.get(key) ?? '';
  const from = isMonth(param('from'))
    ? param('from')
    : months[DEFAULT_RANGE - 1];
  const to = isMonth(param('to')) ? param('to') : months[0];
  const account = param('account') || undefined;
  // Drilled into an account, its costs are shown by product.
  const groupBy: CostGrouping = account
    ? 'product'
    : GROUPS.find(g => g.value === param('groupBy'))?.value ?? 'account';
  const rangeProblem =
    from > to ? 'The first month comes after the last.' : undefined;

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearchParams(next);
  };
  const drillInto = (row: CostRow) => update({ account: row.key });

  const report = useAsync(async () => {
    if (rangeProblem) {
      return undefined;
    }
    return storeApi.getCosts({ from, to, groupBy, account });
  }, [storeApi, from, to, groupBy, account, rangeProblem]);

  const drillable = groupBy === 'account' && !account;
  const currency = report.value?.currency ?? '';
  // A billing account is a catalog group: people read its display name.
  const accounts = [
    ...(groupBy === 'account' ? report.value?.rows ?? [] : []).map(
      row => row.key,
    ),
    ...(account ? [account] : []),
  ];
  const titles = useEntityTitles(accounts);
  const titleOf = (row: CostRow) =>
    groupBy === 'account' ? titles[row.key] ?? row.label : row.label;
  const accountTitle = account ? titles[account] ?? account : undefined;
  const columns: TableColumn<CostRow>[] = [
    {
      title: GROUPS.find(g => g.value === groupBy)?.column,
      field: 'label',
      render: row =>
        groupBy === 'account' ? (
          <PrincipalLink entityRef={row.key} />
        ) : (
          row.label
        ),
    },
    {
      title: 'Amount',
      align: 'right',
      render: row => formatMoney({ amount: row.amount, currency }),
    },
  ];
  if (drillable) {
    columns.push({
      title: 'Drill down',
      render: row => (
        <Button
          size="small"
          onClick={() => drillInto(row)}
          aria-label={`Costs of ${titleOf(row)} by product`}
        >
          By product
        </Button>
      ),
    });
  }

  return (
    <Page themeId="home">
      <Header
        title="Cost analytics"
        subtitle="What your billing accounts spend, by account, product and month"
        type="Billing"
        typeLink={billingRoute?.() ?? '/store/billing'}
      />
      <Content>
        <Box display="flex" flexWrap="wrap" alignItems="center" gridGap={12}>
          <MonthSelect
            id="costs-from"
            label="From"
            months={months}
            value={from}
            onChange={month => update({ from: month })}
          />
          <MonthSelect
            id="costs-to"
            label="To"
            months={months}
            value={to}
            onChange={month => update({ to: month })}
          />
        </Box>
        {account ? (
          <Box my={2}>
            <Breadcrumbs aria-label="Drill-down">
              <MuiLink
                component="button"
                onClick={() => update({ account: '' })}
              >
                All billing accounts
              </MuiLink>
              <Typography color="textPrimary">{accountTitle}</Typography>
            </Breadcrumbs>
          </Box>
        ) : (
          <Tabs
            value={groupBy}
            onChange={(_event, value: CostGrouping) =>
              update({ groupBy: value })
            }
            indicatorColor="primary"
            aria-label="Group costs"
          >
            {GROUPS.map(group => (
              <Tab key={group.value} value={group.value} label={group.label} />
            ))}
          </Tabs>
        )}
        {rangeProblem && <WarningPanel severity="info" title={rangeProblem} />}
        {report.loading && <Progress />}
        {report.error && (
          <ResponseErrorPanel
            error={report.error}
            title="The costs could not be loaded"
          />
        )}
        {report.value && (
          <>
            <InfoCard
              title={account ? `${accountTitle} by product` : 'Costs'}
              subheader={`${from} to ${to}${
                drillable ? ' — click an account to see its products' : ''
              }`}
            >
              {report.value.rows.length === 0 ? (
                <Typography>No costs in these months.</Typography>
              ) : (
                <CostChart
                  report={report.value}
                  titleOf={titleOf}
                  onSelect={drillable ? drillInto : undefined}
                />
              )}
            </InfoCard>
            <Box mt={2}>
              <Table<CostRow>
                title={`Costs (${report.value.currency})`}
                options={{ paging: false, search: false }}
                columns={columns}
                data={report.value.rows}
              />
            </Box>
          </>
        )}
      </Content>
    </Page>
  );
}
