import { makeStyles } from '@material-ui/core';
import CloudIcon from '@material-ui/icons/CloudQueue';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    gap: 8,
    color: '#7df3e1',
    fontSize: 22,
    fontWeight: 600,
    whiteSpace: 'nowrap',
  },
  icon: {
    fontSize: 32,
  },
});

export const LogoFull = () => {
  const classes = useStyles();
  return (
    <div className={classes.root}>
      <CloudIcon className={classes.icon} />
      Cloud Store
    </div>
  );
};
