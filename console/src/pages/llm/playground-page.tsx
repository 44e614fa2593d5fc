// The model playground: pick a model the workspace can call (an alias or provider/model), chat
// with it through the gateway (streamed, as any OpenAI client would), and see each answer's
// tokens and cost as the usage ledger recorded them.
import { useRef, useState } from 'react';
import { formatUsd, streamChat, useCallableModels, usageEventOf } from '../../api/ai.ts';
import type { ChatMessage, UsageEvent } from '../../api/ai.ts';
import { errorMessage } from '../../api/client.ts';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { Link } from '../../lib/router.tsx';
import '../usage/usage.css';

type Turn = ChatMessage & { usage?: UsageEvent | null };

export function PlaygroundPage() {
  const models = useCallableModels();
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);

  const send = async (chosen: string) => {
    const text = draft.trim();
    if (!text || isBusy) return;
    const history: Turn[] = [...turns, { role: 'user', content: text }];
    setTurns([...history, { role: 'assistant', content: '' }]);
    setDraft('');
    setError(null);
    setBusy(true);
    abort.current = new AbortController();
    try {
      const messages: ChatMessage[] = [...(system.trim() ? [{ role: 'system' as const, content: system.trim() }] : []), ...history.map(({ role, content }) => ({ role, content }))];
      const result = await streamChat(chosen, messages, (partial) => setTurns([...history, { role: 'assistant', content: partial }]), abort.current.signal);
      const usage = result.requestId ? await usageEventOf(result.requestId).catch(() => null) : null;
      setTurns([...history, { role: 'assistant', content: result.text, usage }]);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(errorMessage(e));
      setTurns(history);
    } finally {
      setBusy(false);
      abort.current = null;
    }
  };

  return (
    <>
      <PageHeader title="Playground" description="Chat with any model your workspace can call. Each answer is a real, metered call: its tokens and cost count against your quotas." />
      <QueryView query={models} loadingLabel="Loading models…">
        {(list) => list.length === 0 ? (
          <Card><EmptyState icon="layers" title="No model to call yet" action={<Link to="/ai/providers" className="btn btn-primary">Add a provider</Link>}>Connect a model provider first; its models and your aliases appear here.</EmptyState></Card>
        ) : (
          <Card>
            <div className="row">
              <SelectField label="Model" value={model || list[0].id} onChange={(e) => setModel(e.target.value)} options={list.map((m) => ({ value: m.id, label: m.owned_by === 'alias' ? `${m.id} (alias)` : m.id }))} />
              <TextField label="System prompt" value={system} onChange={(e) => setSystem(e.target.value)} placeholder="You are a helpful assistant." />
            </div>
            <div className="chat" aria-live="polite" data-testid="chat">
              {turns.length === 0 ? <p className="muted">Ask something to start.</p> : turns.map((t, i) => (
                <div key={i} className={`chat-message is-${t.role}`}>
                  {t.content || (isBusy && i === turns.length - 1 ? '…' : '')}
                  {t.usage ? (
                    <div className="chat-meta" data-testid="answer-usage">
                      {t.usage.inputTokens} in · {t.usage.outputTokens} out tokens · {formatUsd(t.usage.costMicros)}{t.usage.usageSource === 'estimated' ? ' (estimated)' : ''} · {t.usage.providerName}/{t.usage.resolvedModel} · {t.usage.providerLatencyMs} ms
                    </div>
                  ) : null}
                </div>
              ))}
            </div>
            <FormError message={error} />
            <form className="chat-form" onSubmit={(e) => { e.preventDefault(); void send(model || list[0].id); }}>
              <textarea className="input" aria-label="Message" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Message" onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); void send(model || list[0].id); } }} />
              {isBusy ? <button type="button" className="btn btn-secondary" onClick={() => abort.current?.abort()}>Stop</button> : <button type="submit" className="btn btn-primary" disabled={!draft.trim()}>Send</button>}
            </form>
          </Card>
        )}
      </QueryView>
    </>
  );
}
