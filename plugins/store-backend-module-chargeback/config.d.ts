export interface Config {
  store?: {
    chargeback?: {
      /**
       * The cost centre charged for billing accounts whose group has no
       * `cloudstore.io/cost-center` annotation. Without it, such charges
       * are refused.
       * @visibility backend
       */
      defaultCostCenter?: string;
    };
  };
}
