export interface Config {
  cloud?: {
    local?: {
      /** Folder for the nodes' working directories and logs. */
      dataDir?: string;
      /** Port of the `<stack>.localhost` router; a free one when absent. */
      routerPort?: number;
      /** Regions offered; defaults to `local`. */
      regions?: string[];
      /**
       * The identity of this host, which the cloud backend records with
       * each stack; generated once and kept in the data folder when absent.
       * Two backends that share a database need two identities.
       */
      hostId?: string;
      /** Limits of a node when neither its role nor its runtime set them. */
      limits?: {
        /** Memory in MiB; 512 when absent. */
        memoryMb?: number;
        /** Processes and threads at once; 128 when absent. */
        processes?: number;
      };
      /**
       * The runtimes that roles may name, keyed by name. When absent:
       * `node` (Node.js runs the entry file, index.js by default), `static`
       * (serves the role's files, index.html at /) and `load-balancer`.
       * When present, the list is complete: name `load-balancer` with
       * `command: ['{node}', '{assets}/loadBalancer.js']` to keep it.
       */
      runtimes?: {
        [name: string]: {
          /** Shown to users choosing a runtime. */
          title: string;
          description?: string;
          /**
           * The argv of each node, run in its sandbox. `{entry}` is
           * replaced by the role's entry file, `{node}` by the Node.js
           * the backend runs and `{assets}` by the provider's own scripts
           * (staticServer.js, loadBalancer.js).
           */
          command: string[];
          /** The entry when a role names none. */
          defaultEntry?: string;
          /** Path answered with 2xx when a node is healthy; `/` when absent. */
          healthPath?: string;
          /** Limits of each node unless its role sets them. */
          limits?: {
            memoryMb?: number;
            processes?: number;
          };
          /** Host paths the nodes see read-only, e.g. an interpreter's folder. */
          readOnlyPaths?: string[];
        };
      };
    };
  };
}
