import { useState } from 'react';
import { ProxiedSignInPage, SignInPage } from '@backstage/core-components';
import {
  configApiRef,
  IdentityApi,
  useApi,
} from '@backstage/frontend-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { DemoUserPicker } from './DemoUserPicker';
import { oidcAuthApiRef } from './oidcAuthApi';

const DEMO_USER_KEY = 'cloud-store:demo-user';
const DEMO_USER_HEADER = 'x-cloud-store-demo-user';

/** Forgets the picked demo user when they sign out, so the picker shows again. */
function forgetOnSignOut(identityApi: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identityApi.getProfileInfo(),
    getBackstageIdentity: () => identityApi.getBackstageIdentity(),
    getCredentials: () => identityApi.getCredentials(),
    signOut: async () => {
      window.localStorage.removeItem(DEMO_USER_KEY);
      await identityApi.signOut();
    },
  };
}

/**
 * Signs users in through OIDC where single sign-on is configured, and
 * otherwise (in development) as one of the demo users.
 */
export function CloudStoreSignInPage(props: SignInPageProps) {
  const configApi = useApi(configApiRef);
  const oidc = configApi.getOptionalBoolean('cloudStore.signIn.oidc') ?? false;
  const demoUsers =
    configApi.getOptionalStringArray('cloudStore.signIn.demoUsers') ?? [];
  const [demoUser, setDemoUser] = useState(() =>
    window.localStorage.getItem(DEMO_USER_KEY),
  );

  if (oidc || demoUsers.length === 0) {
    return (
      <SignInPage
        {...props}
        auto
        provider={{
          id: 'oidc-auth-provider',
          title: 'Single sign-on',
          message: 'Sign in with your company account',
          apiRef: oidcAuthApiRef,
        }}
      />
    );
  }

  if (!demoUser || !demoUsers.includes(demoUser)) {
    return (
      <DemoUserPicker
        users={demoUsers}
        onPick={user => {
          window.localStorage.setItem(DEMO_USER_KEY, user);
          setDemoUser(user);
        }}
      />
    );
  }

  return (
    <ProxiedSignInPage
      {...props}
      provider="demo"
      headers={{ [DEMO_USER_HEADER]: demoUser }}
      onSignInSuccess={identityApi =>
        props.onSignInSuccess(forgetOnSignOut(identityApi))
      }
    />
  );
}
