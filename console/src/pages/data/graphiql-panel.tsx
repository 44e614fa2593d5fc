// GraphiQL (5, Monaco) on the workspace's data API, loaded only when the GraphQL tab opens (its
// editor is most of a megabyte). Requests go through the console's API client: the signed-in
// user's token is included (and refreshed), so there is no header to paste; answers and errors
// come back as GraphQL answers. Tabs and history are kept per workspace.
import { useMemo } from 'react';
import { GraphiQL } from 'graphiql';
import type { FetcherParams } from '@graphiql/toolkit';
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { api, errorMessage } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';

/** localStorage under a prefix of the workspace: one workspace's saved queries never show in another's. */
function workspaceStorage(workspaceId: string): Storage {
  const prefix = `atrium.graphiql.${workspaceId}.`;
  const own = () => Object.keys(localStorage).filter((k) => k.startsWith(prefix));
  return {
    getItem: (key) => localStorage.getItem(prefix + key),
    setItem: (key, value) => localStorage.setItem(prefix + key, value),
    removeItem: (key) => localStorage.removeItem(prefix + key),
    clear: () => own().forEach((k) => localStorage.removeItem(k)),
    key: (i) => own()[i]?.slice(prefix.length) ?? null,
    get length() {
      return own().length;
    },
  };
}

export default function GraphiqlPanel({ defaultQuery, onMutation }: { defaultQuery: string; onMutation: () => void }) {
  const { me } = useSession();
  const workspaceId = me.workspace.id;
  const storage = useMemo(() => workspaceStorage(workspaceId), [workspaceId]);
  const fetcher = useMemo(() => async (params: FetcherParams) => {
    try {
      const answer = await api.post<Record<string, unknown>>('/data/graphql', {
        query: params.query, variables: params.variables ?? undefined, operationName: params.operationName ?? undefined,
      });
      if (/^\s*(#.*\n\s*)*mutation\b/.test(params.query)) onMutation();
      return answer;
    } catch (err) {
      return { errors: [{ message: errorMessage(err) }] };
    }
  }, [onMutation]);
  return (
    <div className="data-graphiql" data-testid="graphiql">
      <GraphiQL key={workspaceId} fetcher={fetcher} storage={storage} defaultQuery={defaultQuery} isHeadersEditorEnabled={false} shouldPersistHeaders={false} />
    </div>
  );
}
