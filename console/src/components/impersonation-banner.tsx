// While a session is an impersonation: a banner on every page, who is being acted as, the time
// left (the server ends it after at most 60 minutes), and Stop, which restores the admin's session.
import { useEffect, useState } from 'react';
import { useCurrentImpersonation, useStopImpersonation } from '../api/impersonation.ts';

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

export function ImpersonationBanner() {
  const current = useCurrentImpersonation();
  const impersonation = current.data?.impersonation ?? null;
  if (!impersonation) return null;
  return <ActiveBanner expiresAt={impersonation.expiresAt} name={impersonation.target.name} email={impersonation.target.email} />;
}

function ActiveBanner({ expiresAt, name, email }: { expiresAt: string; name: string; email: string }) {
  const stop = useStopImpersonation();
  const now = useNow(1000);
  const remaining = Date.parse(expiresAt) - now;
  const isOver = remaining <= 0;
  const { mutate, isPending } = stop;

  // The server has ended it; go back to the admin's own session.
  useEffect(() => {
    if (isOver && !isPending) mutate();
  }, [isOver, isPending, mutate]);

  return (
    <div className="impersonation-banner" role="status" aria-live="polite">
      <span>
        <strong>Impersonation active</strong> — acting as {name || email} ({email})
        <span className="impersonation-remaining"> — <span title={`Ends at ${new Date(expiresAt).toLocaleTimeString()}`}>{formatRemaining(remaining)}</span> left</span>
      </span>
      <button type="button" className="btn btn-sm impersonation-stop" onClick={() => mutate()} disabled={isPending}>
        {isPending ? 'Stopping…' : 'Stop'}
      </button>
    </div>
  );
}
