// The time window of the data-API metrics: 1 h, 24 h, 7 d, 30 d (a segmented control).
import type { DataRange } from '../../api/data.ts';

const RANGES: DataRange[] = ['1h', '24h', '7d', '30d'];

export function RangePicker({ value, onChange }: { value: DataRange; onChange: (r: DataRange) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Range">
      {RANGES.map((r) => <button key={r} type="button" className={`btn btn-sm ${r === value ? 'btn-secondary' : 'btn-ghost'}`} aria-pressed={r === value} onClick={() => onChange(r)}>{r}</button>)}
    </div>
  );
}
