export interface Config {
  cloud?: {
    openstack?: {
      /**
       * The tag that marks the Heat stacks of this store, and the prefix of
       * their names (`<tag>-<stack id>`); `cloudstore` when absent. Stores
       * that share an OpenStack project need different tags.
       */
      tag?: string;
      /** How long Heat may take to create or update a stack; 30 when absent. */
      stackTimeoutMinutes?: number;
      /**
       * The OpenStack clouds, as cloud providers keyed by provider id: each
       * region of a provider is one cloud (a Keystone, a project, a region
       * of its catalog).
       */
      providers?: {
        [providerId: string]: {
          /** Shown to users; `OpenStack` when absent. */
          title?: string;
          regions: {
            [region: string]: {
              /** Keystone's v3 URL, e.g. https://keystone.example.com:5000/v3. */
              authUrl: string;
              /** The region of Heat's endpoint in Keystone's catalog; the key when absent. */
              regionName?: string;
              /** The project stacks are made in, with a password. */
              project?: string;
              /** Domain of the project; `Default` when absent. */
              projectDomain?: string;
              /**
               * How the store signs in to Keystone. The secret is never in
               * the configuration: it names an environment variable.
               */
              credentials:
                | {
                    type: 'password';
                    username: string;
                    /** Domain of the user; `Default` when absent. */
                    userDomain?: string;
                    /** The environment variable that holds the password. */
                    passwordEnv: string;
                  }
                | {
                    /** An application credential, bound to its project. */
                    type: 'applicationCredential';
                    id: string;
                    /** The environment variable that holds its secret. */
                    secretEnv: string;
                  };
            };
          };
        };
      };
    };
  };
}
