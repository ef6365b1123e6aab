import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { ApiRouter } from '@backstage/backend-openapi-utils';
import { CostGrouping, UsageEvent } from '@internal/plugin-store-common';
import { spec } from '../schema/openapi.generated';
import { Invoices } from './Invoices';
import { UsageReports } from './UsageReports';

type StoreRouter = ApiRouter<typeof spec>;

/** What the billing routes need. */
export type BillingRoutesOptions = {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  usage: UsageReports;
  invoices: Invoices;
};

/**
 * Adds the billing endpoints to the store router: usage reports, invoices,
 * credit notes and cost reports. Invoice runs and credit notes are audited.
 */
export function registerBillingRoutes(
  router: StoreRouter,
  options: BillingRoutesOptions,
) {
  const { httpAuth, auditor, usage, invoices } = options;

  router.post('/usage', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const events = req.body.events as UsageEvent[];
    // One event a batch: the cloud reports node-hours every hour.
    const auditorEvent = await auditor.createEvent({
      eventId: 'usage-report',
      severityLevel: 'low',
      request: req,
      meta: { events: events.length },
    });
    try {
      const result = await usage.reportAs(credentials, events);
      await auditorEvent.success();
      res.json(result);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/invoices', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(
      await invoices.list({
        credentials,
        account: req.query.account,
        period: req.query.period,
        cursor: req.query.cursor,
        limit: req.query.limit,
      }),
    );
  });

  router.post('/invoices/run', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const auditorEvent = await auditor.createEvent({
      eventId: 'invoice-run',
      severityLevel: 'medium',
      request: req,
      meta: { period: req.body.period },
    });
    try {
      const result = await invoices.runFor(credentials, req.body.period);
      await auditorEvent.success({
        meta: { issued: result.issued.map(i => i.number) },
      });
      res.json(result);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/invoices/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await invoices.get(credentials, req.params.id));
  });

  router.get('/invoices/:id/csv', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const csv = await invoices.csv(credentials, req.params.id);
    res
      .status(200)
      .type('text/csv')
      .attachment(`invoice-${req.params.id}.csv`)
      .send(csv);
  });

  router.post('/invoices/:id/credit-notes', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const auditorEvent = await auditor.createEvent({
      eventId: 'invoice-credit-note',
      severityLevel: 'high',
      request: req,
      meta: { invoiceId: req.params.id, reason: req.body.reason },
    });
    try {
      const note = await invoices.addCreditNote({
        credentials,
        invoiceId: req.params.id,
        reason: req.body.reason,
        lines: req.body.lines,
      });
      await auditorEvent.success({ meta: { number: note.number } });
      res.status(201).json(note);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  router.get('/billing/costs', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(
      await invoices.costs({
        credentials,
        from: req.query.from,
        to: req.query.to,
        groupBy: req.query.groupBy as CostGrouping,
        account: req.query.account,
        currency: req.query.currency,
      }),
    );
  });
}
