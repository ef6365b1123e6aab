import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useAppSearchParams } from '@backstage/frontend-plugin-api';
import { ProductSort, ProductSummary } from '@internal/plugin-store-common';
import {
  Button,
  Grid,
  InputAdornment,
  makeStyles,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import SearchIcon from '@material-ui/icons/Search';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';
import { storeApiRef } from '../../api/StoreApi';
import { ProductCard } from './ProductCard';
import { StoreFilters } from './StoreFilters';
import { formatStoreView, parseStoreView, StoreView } from './storeQuery';

const PAGE_SIZE = 24;

const SORT_LABELS: Record<ProductSort, string> = {
  name: 'Name',
  price: 'Price',
  orders: 'Most ordered',
  newest: 'Newest',
};

const useStyles = makeStyles(theme => ({
  toolbar: {
    display: 'flex',
    gap: theme.spacing(2),
    alignItems: 'center',
    marginBottom: theme.spacing(2),
  },
  search: { flexGrow: 1 },
}));

/** The shop window: categories, search, filters and a grid of products. */
export function StorePage() {
  const classes = useStyles();
  const storeApi = useApi(storeApiRef);
  const [params, setParams] = useAppSearchParams();
  const paramsKey = params.toString();
  const view = useMemo(
    () => parseStoreView(new URLSearchParams(paramsKey)),
    [paramsKey],
  );
  const setView = (next: StoreView) =>
    setParams(formatStoreView(next), { replace: true });

  const [search, setSearch] = useState(view.query.q ?? '');
  useEffect(() => setSearch(view.query.q ?? ''), [view.query.q]);
  useDebounce(
    () => {
      if ((view.query.q ?? '') !== search) {
        setView({ ...view, query: { ...view.query, q: search || undefined } });
      }
    },
    300,
    [search],
  );

  const facets = useAsync(
    () => storeApi.getFacets({ query: view.query }),
    [storeApi, view],
  );
  const firstPage = useAsync(
    () =>
      storeApi.listProducts({
        query: view.query,
        sort: view.sort,
        limit: PAGE_SIZE,
      }),
    [storeApi, view],
  );

  const [more, setMore] = useState<{
    items: ProductSummary[];
    nextCursor?: string;
  }>();
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => setMore(undefined), [firstPage.value]);
  const items = [...(firstPage.value?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : firstPage.value?.nextCursor;
  const loadMore = async () => {
    setLoadingMore(true);
    try {
      const page = await storeApi.listProducts({
        query: view.query,
        sort: view.sort,
        cursor: nextCursor,
        limit: PAGE_SIZE,
      });
      setMore(previous => ({
        items: [...(previous?.items ?? []), ...page.items],
        nextCursor: page.nextCursor,
      }));
    } finally {
      setLoadingMore(false);
    }
  };

  const hasFilters = formatStoreView({ ...view, sort: 'name' }).toString();

  let results;
  if (firstPage.error) {
    results = (
      <ResponseErrorPanel
        error={firstPage.error}
        title="The store could not be loaded"
      />
    );
  } else if (firstPage.loading) {
    results = <Progress />;
  } else if (items.length === 0) {
    results = (
      <EmptyState
        missing="data"
        title={hasFilters ? 'No products match' : 'The store is empty'}
        description={
          hasFilters
            ? 'Try other words, or fewer filters.'
            : 'No products have been published for you yet. Platform teams publish products as catalog entities of kind Product.'
        }
        action={
          hasFilters ? (
            <Button
              variant="outlined"
              onClick={() => setView({ query: {}, sort: view.sort })}
            >
              Clear search and filters
            </Button>
          ) : undefined
        }
      />
    );
  } else {
    results = (
      <>
        <Grid container spacing={2}>
          {items.map(product => (
            <Grid item xs={12} sm={6} lg={4} key={product.ref}>
              <ProductCard product={product} />
            </Grid>
          ))}
        </Grid>
        {nextCursor && (
          <Button
            style={{ marginTop: 16 }}
            variant="outlined"
            disabled={loadingMore}
            onClick={loadMore}
          >
            Show more
          </Button>
        )}
      </>
    );
  }

  return (
    <Page themeId="home">
      <Header
        title="Store"
        subtitle="Applications, services and cloud resources, ready to order"
      />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12} md={3}>
            <StoreFilters
              view={view}
              facets={facets.value?.facets}
              onChange={setView}
            />
          </Grid>
          <Grid item xs={12} md={9}>
            <div className={classes.toolbar}>
              <TextField
                className={classes.search}
                variant="outlined"
                size="small"
                placeholder="Search the store"
                value={search}
                onChange={e => setSearch(e.target.value)}
                inputProps={{
                  'aria-label': 'Search the store',
                  maxLength: 200,
                }}
                InputProps={{
                  startAdornment: (
                    <InputAdornment position="start">
                      <SearchIcon />
                    </InputAdornment>
                  ),
                }}
              />
              <TextField
                select
                size="small"
                variant="outlined"
                label="Sort by"
                value={view.sort}
                onChange={e =>
                  setView({ ...view, sort: e.target.value as ProductSort })
                }
                SelectProps={{
                  SelectDisplayProps: { 'aria-label': 'Sort by' },
                }}
              >
                {(Object.keys(SORT_LABELS) as ProductSort[]).map(sort => (
                  <MenuItem key={sort} value={sort}>
                    {SORT_LABELS[sort]}
                  </MenuItem>
                ))}
              </TextField>
            </div>
            {facets.value && (
              <Typography variant="body2" color="textSecondary" paragraph>
                {facets.value.totalItems === 1
                  ? '1 product'
                  : `${facets.value.totalItems} products`}
              </Typography>
            )}
            {results}
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
