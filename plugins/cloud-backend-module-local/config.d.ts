export interface Config {
  cloud?: {
    local?: {
      /** Folder for the nodes' working directories and logs. */
      dataDir?: string;
      /** Port of the `<stack>.localhost` router; a free one when absent. */
      routerPort?: number;
      /** Regions offered; defaults to `local`. */
      regions?: string[];
    };
  };
}
