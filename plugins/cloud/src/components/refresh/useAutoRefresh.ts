import { DependencyList, useEffect, useRef, useState } from 'react';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import useInterval from 'react-use/esm/useInterval';

/** How often monitoring views fetch their figures again. */
export const REFRESH_INTERVAL_MS = 30_000;

function isPageVisible() {
  return typeof document === 'undefined' || !document.hidden;
}

/** Whether the browser tab is shown, following it as it changes. */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(isPageVisible);
  useEffect(() => {
    const onChange = () => setVisible(isPageVisible());
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}

/** What {@link useAutoRefresh} gives: the last answer, and when it came. */
export type AutoRefreshed<T> = {
  value?: T;
  error?: Error;
  /** A fetch is under way, the first or a later one. */
  loading: boolean;
  /** When the value shown was fetched. */
  updatedAt?: Date;
  refresh: () => void;
};

/**
 * Fetches with `fn` when `deps` change and again every `intervalMs` while
 * the tab is shown; a hidden tab costs nothing, and one shown again is
 * brought up to date at once. A refetch keeps the value shown until its
 * answer comes, so that views do not flicker.
 */
export function useAutoRefresh<T>(
  fn: () => Promise<T>,
  deps: DependencyList,
  intervalMs: number = REFRESH_INTERVAL_MS,
): AutoRefreshed<T> {
  const [state, fetch] = useAsyncFn(
    async () => ({ value: await fn(), at: new Date() }),
    deps,
    { loading: true },
  );
  const visible = usePageVisible();

  useEffect(() => {
    fetch();
  }, [fetch]);

  useInterval(fetch, visible ? intervalMs : null);

  const wasVisible = useRef(visible);
  useEffect(() => {
    if (visible && !wasVisible.current) {
      fetch();
    }
    wasVisible.current = visible;
  }, [visible, fetch]);

  return {
    value: state.value?.value,
    error: state.error,
    loading: state.loading,
    updatedAt: state.value?.at,
    refresh: fetch,
  };
}
