import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** The annotation of a Group entity that names its cost centre. */
export const COST_CENTER_ANNOTATION = 'cloudstore.io/cost-center';

/**
 * What the catalog says about billing accounts. A billing account is the
 * entity ref of the group that owns subscriptions; the group's
 * `cloudstore.io/cost-center` annotation names the cost centre it is
 * charged to. The catalog is read with the store's own credentials: the
 * cost centre is billing data, not something the caller must be able to see.
 */
export class BillingAccounts {
  private constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  static create(options: {
    catalog: CatalogService;
    auth: AuthService;
  }): BillingAccounts {
    return new BillingAccounts(options.catalog, options.auth);
  }

  /** The cost centre of an account as the catalog has it now, if any. */
  async costCenterOf(account: string): Promise<string | undefined> {
    return (await this.costCentersOf([account])).get(account);
  }

  /**
   * The cost centres of accounts as the catalog has them now, in one
   * catalog request however many accounts there are. Accounts that are not
   * groups, groups the catalog does not have and groups without the
   * annotation are left out.
   */
  async costCentersOf(accounts: string[]): Promise<Map<string, string>> {
    const groups = [...new Set(accounts)].filter(
      account => parseEntityRef(account).kind.toLocaleLowerCase() === 'group',
    );
    const costCenters = new Map<string, string>();
    if (!groups.length) {
      return costCenters;
    }
    const { items } = await this.catalog.getEntitiesByRefs(
      {
        entityRefs: groups,
        fields: ['kind', 'metadata.name', 'metadata.annotations'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    items.forEach((group, i) => {
      const value = group?.metadata.annotations?.[COST_CENTER_ANNOTATION];
      if (value) {
        costCenters.set(groups[i], value);
      }
    });
    return costCenters;
  }
}
