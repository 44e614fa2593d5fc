import { EmptyState } from '../components/states.tsx';
import { Link } from '../lib/router.tsx';

export function NotFoundPage() {
  return (
    <div className="card">
      <EmptyState icon="search" title="This page does not exist" action={<Link to="/" className="btn btn-secondary">Back to the overview</Link>}>
        The link may be outdated, or the page may need a role you don’t have here.
      </EmptyState>
    </div>
  );
}
