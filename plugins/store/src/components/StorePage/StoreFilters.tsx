import { ProductFacets } from '@internal/plugin-store-common';
import {
  Checkbox,
  Divider,
  FormControlLabel,
  List,
  ListItem,
  ListItemText,
  ListSubheader,
  makeStyles,
  TextField,
  Typography,
} from '@material-ui/core';
import { useEffect, useState } from 'react';
import { useEntityTitles } from '../shared/EntityRefs';
import { StoreView, toggleValue } from './storeQuery';

const useStyles = makeStyles(theme => ({
  section: { marginTop: theme.spacing(2) },
  price: { display: 'flex', gap: theme.spacing(1) },
  count: { color: theme.palette.text.secondary },
}));

type ListFacet = 'type' | 'provider' | 'tag' | 'owner';

const FACET_TITLES: Record<ListFacet, string> = {
  type: 'Type',
  provider: 'Provider',
  tag: 'Tags',
  owner: 'Owner',
};

/** Categories with counts, and the filters of the store. */
export function StoreFilters(props: {
  view: StoreView;
  facets?: ProductFacets;
  onChange: (view: StoreView) => void;
}) {
  const { view, facets, onChange } = props;
  const classes = useStyles();
  const selectedCategory = view.query.category?.[0];
  const total = facets?.category.reduce((sum, c) => sum + c.count, 0);
  const ownerTitles = useEntityTitles(
    facets?.owner.map(owner => owner.value) ?? [],
  );

  const [minPrice, setMinPrice] = useState(view.query.minPrice ?? '');
  const [maxPrice, setMaxPrice] = useState(view.query.maxPrice ?? '');
  useEffect(() => {
    setMinPrice(view.query.minPrice ?? '');
    setMaxPrice(view.query.maxPrice ?? '');
  }, [view.query.minPrice, view.query.maxPrice]);
  const applyPrice = () =>
    onChange({
      ...view,
      query: {
        ...view.query,
        minPrice: minPrice.trim() || undefined,
        maxPrice: maxPrice.trim() || undefined,
      },
    });

  return (
    <nav aria-label="Store filters">
      <List
        dense
        subheader={<ListSubheader disableSticky>Categories</ListSubheader>}
      >
        <ListItem
          button
          selected={!selectedCategory}
          onClick={() =>
            onChange({ ...view, query: { ...view.query, category: undefined } })
          }
        >
          <ListItemText primary="All products" />
          <span className={classes.count}>{total ?? ''}</span>
        </ListItem>
        {facets?.category.map(({ value, count }) => (
          <ListItem
            button
            key={value}
            selected={selectedCategory === value}
            onClick={() =>
              onChange({ ...view, query: { ...view.query, category: [value] } })
            }
          >
            <ListItemText primary={value} />
            <span className={classes.count}>{count}</span>
          </ListItem>
        ))}
      </List>
      <Divider />
      <div className={classes.section}>
        <FormControlLabel
          control={
            <Checkbox
              checked={Boolean(view.query.freePlan)}
              onChange={(_, checked) =>
                onChange({
                  ...view,
                  query: { ...view.query, freePlan: checked || undefined },
                })
              }
            />
          }
          label={`Free plan available (${facets?.freePlan[0]?.count ?? 0})`}
        />
      </div>
      <div className={classes.section}>
        <Typography variant="subtitle2">Monthly price</Typography>
        <form
          className={classes.price}
          onSubmit={event => {
            event.preventDefault();
            applyPrice();
          }}
        >
          <TextField
            size="small"
            label="From"
            value={minPrice}
            onChange={e => setMinPrice(e.target.value)}
            onBlur={applyPrice}
            inputProps={{ inputMode: 'decimal', 'aria-label': 'Lowest price' }}
          />
          <TextField
            size="small"
            label="To"
            value={maxPrice}
            onChange={e => setMaxPrice(e.target.value)}
            onBlur={applyPrice}
            inputProps={{ inputMode: 'decimal', 'aria-label': 'Highest price' }}
          />
        </form>
      </div>
      {(Object.keys(FACET_TITLES) as ListFacet[]).map(facet =>
        facets && facets[facet].length > 0 ? (
          <div className={classes.section} key={facet}>
            <Typography variant="subtitle2">{FACET_TITLES[facet]}</Typography>
            {facets[facet].map(({ value, count }) => (
              <FormControlLabel
                key={value}
                style={{ display: 'flex' }}
                control={
                  <Checkbox
                    size="small"
                    checked={view.query[facet]?.includes(value) ?? false}
                    onChange={() => onChange(toggleValue(view, facet, value))}
                  />
                }
                label={`${
                  facet === 'owner' ? ownerTitles[value] ?? value : value
                } (${count})`}
              />
            ))}
          </div>
        ) : null,
      )}
    </nav>
  );
}
