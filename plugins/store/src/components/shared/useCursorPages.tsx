import { ResponseErrorPanel } from '@backstage/core-components';
import { Box, Button } from '@material-ui/core';
import { DependencyList, useEffect, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';

/** One page of a list that continues after a cursor. */
export type CursorPage<T> = { items: T[]; nextCursor?: string };

/**
 * A list read page by page: the first page when `deps` change (and on
 * `retry`), then the following ones on `loadMore`.
 */
export function useCursorPages<T>(
  load: (cursor?: string) => Promise<CursorPage<T>>,
  deps: DependencyList,
) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const firstPage = useAsyncRetry(() => load(), deps);
  const [more, setMore] = useState<CursorPage<T>>();
  useEffect(() => setMore(undefined), [firstPage.value]);
  const nextCursor = more ? more.nextCursor : firstPage.value?.nextCursor;
  const [moreState, loadMore] = useAsyncFn(async () => {
    const page = await load(nextCursor);
    setMore(previous => ({
      items: [...(previous?.items ?? []), ...page.items],
      nextCursor: page.nextCursor,
    }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nextCursor]);
  return {
    items: [...(firstPage.value?.items ?? []), ...(more?.items ?? [])],
    loading: firstPage.loading,
    error: firstPage.error,
    retry: firstPage.retry,
    more: { ...moreState, nextCursor, loadMore },
  };
}

/** The "Show more" button under a list, and why the next page failed. */
export function ShowMore(props: {
  more: ReturnType<typeof useCursorPages>['more'];
  /** Says what could not be loaded, e.g. "More invoices could not be loaded". */
  errorTitle: string;
}) {
  const { more, errorTitle } = props;
  return (
    <>
      {more.error && (
        <ResponseErrorPanel error={more.error} title={errorTitle} />
      )}
      {more.nextCursor && (
        <Box mt={2}>
          <Button
            variant="outlined"
            disabled={more.loading}
            onClick={() => more.loadMore()}
          >
            Show more
          </Button>
        </Box>
      )}
    </>
  );
}
