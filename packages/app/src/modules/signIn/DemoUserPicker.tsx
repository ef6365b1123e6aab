import { InfoCard, Page, Header, Content } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';

/** What each demo user is for, so that a newcomer knows whom to pick. */
const ROLE_HINTS: Record<string, string> = {
  developer: 'Orders applications from the store',
  'web-developer': 'Web team, a nested group of Developers',
  'data-scientist': 'Data team, a nested group of Developers',
  approver: 'Approves orders that need approval',
  'platform-admin': 'Runs the cloud and administers the store',
  finance: 'Reads costs and invoices',
};

export function DemoUserPicker(props: {
  users: string[];
  onPick(user: string): void;
  /** Offers single sign-on too, where it is configured. */
  onSingleSignOn?(): void;
}) {
  return (
    <Page themeId="home">
      <Header title="Cloud Store" subtitle="Development sign-in" />
      <Content>
        <Typography paragraph>
          Sign in as one of the demo users of the demo organisation. In
          production, single sign-on through OIDC replaces this page.
        </Typography>
        <Grid container spacing={2}>
          {props.users.map(user => (
            <Grid item xs={12} sm={6} md={4} key={user}>
              <InfoCard
                title={user}
                subheader={ROLE_HINTS[user] ?? 'Demo user'}
              >
                <Button
                  variant="contained"
                  color="primary"
                  aria-label={`Sign in as ${user}`}
                  onClick={() => props.onPick(user)}
                >
                  Sign in
                </Button>
              </InfoCard>
            </Grid>
          ))}
          {props.onSingleSignOn && (
            <Grid item xs={12} sm={6} md={4}>
              <InfoCard
                title="Single sign-on"
                subheader="Your account at the identity provider"
              >
                <Button
                  variant="outlined"
                  color="primary"
                  onClick={props.onSingleSignOn}
                >
                  Sign in with single sign-on
                </Button>
              </InfoCard>
            </Grid>
          )}
        </Grid>
      </Content>
    </Page>
  );
}
