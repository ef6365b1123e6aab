export interface Config {
  cloudStore?: {
    signIn?: {
      /**
       * Names of the catalog users that the development sign-in page offers.
       * @visibility frontend
       */
      demoUsers?: string[];
      /**
       * Whether the sign-in page offers single sign-on through the OIDC
       * provider.
       * @visibility frontend
       */
      oidc?: boolean;
    };
  };
}
