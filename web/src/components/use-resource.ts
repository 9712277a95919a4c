/** Reads one API resource for a component, again when the path changes or on `reload()`. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { get } from '../api.ts';

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  reload(): void;
}

export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    get<T>(path).then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
      },
      (e: unknown) => current && setError(e instanceof Error ? e : new Error(String(e))),
    );
    return () => {
      current = false;
    };
  }, [path, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, reload };
}
