export interface Config {
  audit?: {
    /**
     * How many days audit log records are kept; older ones are removed once
     * an hour. Kept forever when not set.
     */
    retentionDays?: number;
    /**
     * The least severity of the auditor events stored in the audit log:
     * low, medium (the default), high or critical. Every event is logged
     * regardless, as `backend.auditor` says.
     */
    minimumSeverity?: 'low' | 'medium' | 'high' | 'critical';
  };
}
