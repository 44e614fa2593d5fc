// Loading, error and empty states, so every page answers "what is happening, what now".
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client.ts';
import { Icon } from './icons.tsx';
import type { IconName } from './icons.tsx';

export function Spinner({ size = 16 }: { size?: number }) {
  return <span className="spinner" style={{ width: size, height: size }} aria-hidden="true" />;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <Spinner />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const isForbidden = error instanceof ApiError && error.status === 403;
  return (
    <div className="state state-error" role="alert">
      <Icon name="alert" size={20} />
      <div>
        <p className="state-title">{isForbidden ? 'You don’t have access to this' : 'This could not be loaded'}</p>
        <p className="state-text">
          {isForbidden ? 'Your role in this workspace does not allow it. Ask an owner or admin if you need it.' : errorMessage(error)}
        </p>
        {error instanceof ApiError && error.requestId ? <p className="state-meta">Request id {error.requestId}</p> : null}
      </div>
      {onRetry && !isForbidden ? (
        <button type="button" className="btn btn-secondary btn-sm" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState({ icon = 'inbox', title, children, action }: { icon?: IconName; title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <span className="state-icon">
        <Icon name={icon} size={22} />
      </span>
      <p className="state-title">{title}</p>
      {children ? <p className="state-text">{children}</p> : null}
      {action ? <div className="state-action">{action}</div> : null}
    </div>
  );
}

/** Renders a query's loading and error states, and its data once there. */
export function QueryView<T>({ query, loadingLabel, children }: { query: UseQueryResult<T>; loadingLabel?: string; children: (data: T) => ReactNode }) {
  if (query.isPending) return <Loading label={loadingLabel} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
