export interface Config {
  cloud?: {
    /** The most nodes one role may have. Defaults to 10. */
    maxNodesPerRole?: number;
    /** Longest time a script may run on a node, in seconds. Defaults to 300. */
    maxScriptTimeoutSeconds?: number;
    /** How often the inventory is reconciled with the providers. */
    reconcile?: {
      frequency?: { seconds?: number; minutes?: number };
    };
  };
}
