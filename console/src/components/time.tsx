import { formatDateTime, formatRelative } from '../lib/format.ts';

/** "5 minutes ago", with the exact time on hover; "Never" for null. */
export function RelativeTime({ iso, never = 'Never' }: { iso: string | null | undefined; never?: string }) {
  if (!iso) return <span className="muted">{never}</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRelative(iso)}
    </time>
  );
}
