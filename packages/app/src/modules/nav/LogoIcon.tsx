import { makeStyles } from '@material-ui/core';
import CloudIcon from '@material-ui/icons/CloudQueue';

const useStyles = makeStyles({
  icon: {
    color: '#7df3e1',
    fontSize: 32,
  },
});

export const LogoIcon = () => {
  const classes = useStyles();
  return <CloudIcon className={classes.icon} aria-label="Cloud Store" />;
};
