import { useState } from 'react';

/**
 * An async action started from a button or a form: `busy` while it runs (for `loading`), its error kept for an
 * ErrorAlert (cleared when it starts again). `attempt` resolves to the action's value, or undefined when it threw.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, attempt };
}

/** useAction for a panel with several buttons: `busy` names the action that runs (its `loading` button), or null. */
export function useNamedAction() {
  const { busy, error, attempt } = useAction();
  const [running, setRunning] = useState<string | null>(null);
  async function run<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
    setRunning(what);
    return attempt(action);
  }
  return { busy: busy ? running : null, error, run };
}
