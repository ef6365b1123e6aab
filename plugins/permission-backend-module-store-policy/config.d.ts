export interface Config {
  cloudStore?: {
    /**
     * Who may do what in Cloud Store: custom policies, and the bindings of
     * policies (managed or custom) to users and groups of the catalog.
     * Membership counts through nested groups. What no statement allows is
     * denied, and a deny wins over any allow. Changes apply without a
     * restart; a change that does not read is refused and the policies in
     * force stay.
     */
    access?: {
      /** Custom policies, next to the managed ones (AdministratorAccess, …). */
      policies?: Array<{
        /** Unique, and not the name of a managed policy. */
        name: string;
        description?: string;
        statements: Array<{
          effect: 'allow' | 'deny';
          /**
           * Permission names; a name ending in `*` matches every permission
           * it prefixes (`cloud.*`), `*` alone matches all.
           */
          permissions?: string[];
          /** Resource types, e.g. `cloud-stack`, `store-order`. */
          resourceTypes?: string[];
          /** Actions the permissions declare. */
          actions?: Array<'read' | 'create' | 'update' | 'delete' | 'use'>;
          /**
           * Only for resources that meet them: a permission rule of the
           * plugin that owns the resource type, `{ rule, params }`, or
           * `anyOf`, `allOf` and `not` of such conditions. In params,
           * `$user` is the signed-in user's entity ref and `$claims` the
           * user and all their groups.
           */
          conditions?: object;
          description?: string;
        }>;
      }>;
      /**
       * Policies given to users and groups (entity refs), or `*` for all.
       * Without bindings every signed-in user is a StoreConsumer; an empty
       * list gives nobody anything.
       */
      bindings?: Array<{
        policy: string;
        principals: string[];
      }>;
    };
  };
}
