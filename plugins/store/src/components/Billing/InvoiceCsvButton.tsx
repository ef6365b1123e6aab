import { useApi } from '@backstage/frontend-plugin-api';
import { Button, Typography } from '@material-ui/core';
import GetAppIcon from '@material-ui/icons/GetApp';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { InvoiceSummary } from '@internal/plugin-store-common';
import { storeApiRef } from '../../api/StoreApi';
import { errorMessage } from '../Subscriptions/subscriptionText';

/**
 * Downloads an invoice as CSV. The file is fetched through the fetch API,
 * which authenticates the request, then saved from memory: a plain link to
 * the backend would go without the user's token.
 */
export function InvoiceCsvButton(props: {
  invoice: Pick<InvoiceSummary, 'id' | 'number'>;
  className?: string;
}) {
  const { invoice, className } = props;
  const storeApi = useApi(storeApiRef);
  const [state, download] = useAsyncFn(async () => {
    const csv = await storeApi.getInvoiceCsv({ id: invoice.id });
    const url = URL.createObjectURL(csv);
    // Some browsers download only through a link that is in the document.
    const link = document.createElement('a');
    link.href = url;
    link.download = `${invoice.number}.csv`;
    link.hidden = true;
    document.body.appendChild(link);
    try {
      link.click();
    } finally {
      link.remove();
      URL.revokeObjectURL(url);
    }
  }, [storeApi, invoice.id, invoice.number]);
  return (
    <span className={className}>
      <Button
        size="small"
        startIcon={<GetAppIcon />}
        disabled={state.loading}
        onClick={() => download()}
        aria-label={`Download ${invoice.number} as CSV`}
      >
        CSV
      </Button>
      {state.error && (
        <Typography variant="caption" color="error" role="alert">
          {errorMessage(state.error)}
        </Typography>
      )}
    </span>
  );
}
