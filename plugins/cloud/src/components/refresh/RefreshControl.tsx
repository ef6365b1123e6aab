import IconButton from '@material-ui/core/IconButton';
import Typography from '@material-ui/core/Typography';
import RefreshIcon from '@material-ui/icons/Refresh';
import { AutoRefreshed } from './useAutoRefresh';

/** A time as hh:mm:ss on the local clock. */
export function formatClock(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

/**
 * When the figures shown were fetched, and a button that fetches them now.
 */
export function RefreshControl(props: {
  refreshed: Pick<AutoRefreshed<unknown>, 'loading' | 'updatedAt' | 'refresh'>;
}) {
  const { loading, updatedAt, refresh } = props.refreshed;
  return (
    <Typography
      component="span"
      variant="body2"
      color="textSecondary"
      role="status"
      aria-label="Last update"
    >
      {updatedAt ? `Updated ${formatClock(updatedAt)}` : 'Loading…'}
      <IconButton
        size="small"
        aria-label="Refresh"
        title="Refresh now"
        disabled={loading}
        onClick={() => refresh()}
      >
        <RefreshIcon fontSize="small" />
      </IconButton>
    </Typography>
  );
}
