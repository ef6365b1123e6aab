import Chip from '@material-ui/core/Chip';

const colors: Record<string, 'primary' | 'secondary' | 'default'> = {
  running: 'primary',
  failed: 'secondary',
  degraded: 'secondary',
  unhealthy: 'secondary',
};

/** A stack or node status. */
export const StatusChip = ({ status }: { status: string }) => (
  <Chip size="small" label={status} color={colors[status] ?? 'default'} />
);
