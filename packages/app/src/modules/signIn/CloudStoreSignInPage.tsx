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
const SINGLE_SIGN_ON_KEY = 'cloud-store:single-sign-on';
const DEMO_USER_HEADER = 'x-cloud-store-demo-user';

/**
 * Forgets the choice made on the development sign-in page when the user
 * signs out, so the picker shows again.
 */
function forgetOnSignOut(identityApi: IdentityApi, key: string): IdentityApi {
  return {
    getProfileInfo: () => identityApi.getProfileInfo(),
    getBackstageIdentity: () => identityApi.getBackstageIdentity(),
    getCredentials: () => identityApi.getCredentials(),
    signOut: async () => {
      window.localStorage.removeItem(key);
      await identityApi.signOut();
    },
  };
}

/**
 * Signs users in through OIDC where single sign-on is configured and there
 * are no demo users (production). In development the demo users are offered,
 * and single sign-on next to them when it is configured too.
 */
export function CloudStoreSignInPage(props: SignInPageProps) {
  const configApi = useApi(configApiRef);
  const oidc = configApi.getOptionalBoolean('cloudStore.signIn.oidc') ?? false;
  const demoUsers =
    configApi.getOptionalStringArray('cloudStore.signIn.demoUsers') ?? [];
  const [demoUser, setDemoUser] = useState(() =>
    window.localStorage.getItem(DEMO_USER_KEY),
  );
  const [singleSignOn, setSingleSignOn] = useState(
    () => window.localStorage.getItem(SINGLE_SIGN_ON_KEY) !== null,
  );

  if (demoUsers.length === 0 || (oidc && singleSignOn)) {
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
        onSignInSuccess={identityApi =>
          props.onSignInSuccess(
            forgetOnSignOut(identityApi, SINGLE_SIGN_ON_KEY),
          )
        }
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
        onSingleSignOn={
          oidc
            ? () => {
                window.localStorage.setItem(SINGLE_SIGN_ON_KEY, 'chosen');
                setSingleSignOn(true);
              }
            : undefined
        }
      />
    );
  }

  return (
    <ProxiedSignInPage
      {...props}
      provider="demo"
      headers={{ [DEMO_USER_HEADER]: demoUser }}
      onSignInSuccess={identityApi =>
        props.onSignInSuccess(forgetOnSignOut(identityApi, DEMO_USER_KEY))
      }
    />
  );
}
