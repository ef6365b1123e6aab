import { ResponseErrorPanel } from '@backstage/core-components';
import { CursorPage } from '@internal/plugin-cloud-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import { DependencyList, useEffect, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';

/** How many rows a list page asks the cloud API for at a time. */
export const PAGE_SIZE = 50;

/** The pages after the first that a list has loaded on "Show more". */
export type MoreState = {
  loading: boolean;
  error?: Error;
  /** Where the page after those shown starts; none after the last. */
  nextCursor?: string;
  loadMore: () => void;
};

/** The rows of a list read so far, and how to read more. */
export interface CursorPages<T> {
  items: T[];
  /** The first page is loading. */
  loading: boolean;
  /** Why the first page failed. */
  error?: Error;
  retry: () => void;
  more: MoreState;
}

/**
 * A list read from the server page by page: the first page when `deps`
 * change (and on `retry`), then the following ones on `more.loadMore`.
 */
export function useCursorPages<T>(
  load: (cursor?: string) => Promise<CursorPage<T>>,
  deps: DependencyList,
): CursorPages<T> {
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
    more: {
      loading: moreState.loading,
      error: moreState.error,
      nextCursor,
      loadMore,
    },
  };
}

/** The "Show more" button under a list, and why the next page failed. */
export function ShowMore(props: {
  more: MoreState;
  /** Says what could not be loaded, e.g. "More stacks could not be loaded". */
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
