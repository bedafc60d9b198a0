import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again (after a change, or from a Refresh button). */
  reload: () => void;
  /** Replaces the data in place (after a write that answered the new state). */
  setData: (data: T) => void;
}

/**
 * Runs `load` when `key` changes and on `reload()`; an answer for a key the page has left is
 * dropped. `key` names what is loaded (ids and filters), so a new key means new data.
 */
export function useData<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for everything `load` reads
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => current && setState({ data, loading: false }),
      (error: Error) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  const setData = useCallback((data: T) => setState({ data, loading: false }), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, setData };
}

export interface Paged<T> {
  items: T[];
  error: Error | undefined;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/**
 * A cursor-paginated list: the first page when `key` changes, more on `loadMore()`. One request
 * per page; nothing is fetched per item.
 */
export function usePaged<T>(
  key: string,
  loadPage: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>,
): Paged<T> {
  const [state, setState] = useState<{ items: T[]; cursor: string | null; error?: Error; loading: boolean }>({
    items: [],
    cursor: null,
    loading: true,
  });
  const [round, setRound] = useState(0);
  const generation = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for everything `loadPage` reads
  useEffect(() => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    loadPage(undefined).then(
      (page) =>
        mine === generation.current &&
        setState({ items: page.data, cursor: page.nextCursor, loading: false }),
      (error: Error) =>
        mine === generation.current && setState({ items: [], cursor: null, error, loading: false }),
    );
  }, [key, round]);

  const loadMore = () => {
    const cursor = state.cursor;
    if (!cursor) return;
    const mine = generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    loadPage(cursor).then(
      (page) =>
        mine === generation.current &&
        setState((previous) => ({
          items: [...previous.items, ...page.data],
          cursor: page.nextCursor,
          loading: false,
        })),
      (error: Error) =>
        mine === generation.current && setState((previous) => ({ ...previous, error, loading: false })),
    );
  };

  return {
    items: state.items,
    error: state.error,
    loading: state.loading,
    hasMore: state.cursor !== null,
    loadMore,
    reload: useCallback(() => setRound((n) => n + 1), []),
  };
}
