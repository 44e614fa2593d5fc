// The console assistant (brief 004 V3.1): a drawer on every page. It chats with streaming and
// acts through the tool registry as you — your permissions, nothing more — and asks here before
// any change (approve or decline). Its model calls are metered and budgeted to the workspace.
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useQueryClient } from '@tanstack/react-query';
import { streamAssistantChat } from '../api/agents.ts';
import type { RunEvent } from '../api/agents.ts';
import { useCallableModels } from '../api/ai.ts';
import { Icon } from './icons.tsx';
import './assistant.css';

type Turn =
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string }
  | { kind: 'tool'; callId: string; tool: string; input: unknown; state: 'running' | 'done' | 'refused' | 'confirm' | 'declined'; detail?: string }
  | { kind: 'status'; text: string };

const MODEL_KEY = 'atrium.assistant.model';

export function AssistantDrawer() {
  const [isOpen, setIsOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn btn-secondary btn-sm assistant-toggle" aria-expanded={isOpen} onClick={() => setIsOpen(!isOpen)}>
        <Icon name="info" /> Assistant
      </button>
      {/* Above everything, not inside the top bar (whose styles would clip a fixed panel). */}
      {isOpen ? createPortal(<AssistantPanel onClose={() => setIsOpen(false)} />, document.body) : null}
    </>
  );
}

function AssistantPanel({ onClose }: { onClose: () => void }) {
  const models = useCallableModels();
  const queryClient = useQueryClient();
  const [model, setModel] = useState(() => localStorage.getItem(MODEL_KEY) ?? '');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [threadId, setThreadId] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [isBusy, setIsBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const end = useRef<HTMLDivElement | null>(null);
  const chosen = model || models.data?.[0]?.id || '';

  useEffect(() => () => abort.current?.abort(), []);
  useEffect(() => { end.current?.scrollIntoView({ block: 'end' }); }, [turns]);
  // Escape closes the drawer, as it closes dialogs (unless a dialog above it takes the key first).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('dialog[open]')) onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const onEvent = (e: RunEvent) => setTurns((list) => {
    const next = [...list];
    const last = next[next.length - 1];
    const tool = (callId: string) => next.findIndex((t) => t.kind === 'tool' && t.callId === callId);
    switch (e.type) {
      case 'run': setThreadId(e.threadId); break;
      case 'token':
        if (last?.kind === 'assistant') next[next.length - 1] = { ...last, text: last.text + e.text };
        else next.push({ kind: 'assistant', text: e.text });
        break;
      case 'tool_call': {
        // A resumed call (approved) is announced again: the same card.
        const i = tool(e.callId);
        if (i >= 0) next[i] = { ...(next[i] as Extract<Turn, { kind: 'tool' }>), state: 'running' };
        else next.push({ kind: 'tool', callId: e.callId, tool: e.tool, input: e.input, state: 'running' });
        break;
      }
      case 'confirm_required': { const i = tool(e.callId); if (i >= 0) next[i] = { ...(next[i] as Extract<Turn, { kind: 'tool' }>), state: 'confirm' }; break; }
      case 'tool_result': {
        const i = tool(e.callId);
        if (i >= 0) next[i] = { ...(next[i] as Extract<Turn, { kind: 'tool' }>), state: e.ok ? 'done' : 'refused', detail: e.ok ? undefined : `${e.error?.code}: ${e.error?.message}` };
        break;
      }
      case 'done':
        // What the assistant did may show on the page behind it (a new invitation, a run): refetch.
        if (e.run.toolCalls > 0) void queryClient.invalidateQueries();
        if (e.run.status !== 'completed' && e.run.status !== 'awaiting_confirmation') next.push({ kind: 'status', text: e.run.error ? `${e.run.error.code}: ${e.run.error.message}` : `The run ended ${e.run.status}` });
        break;
      case 'error': next.push({ kind: 'status', text: `${e.code}: ${e.message}` }); break;
      default: break;
    }
    return next;
  });

  async function send(body: { message?: string; confirm?: { callId: string; approve: boolean } }) {
    abort.current = new AbortController();
    setIsBusy(true);
    try {
      await streamAssistantChat({ model: chosen, ...(threadId ? { threadId } : {}), ...body }, onEvent, abort.current.signal);
    } catch (err) {
      if (!abort.current.signal.aborted) setTurns((l) => [...l, { kind: 'status', text: err instanceof Error ? err.message : 'The assistant could not answer' }]);
    } finally {
      setIsBusy(false);
    }
  }

  function decide(callId: string, approve: boolean) {
    setTurns((list) => list.map((t) => (t.kind === 'tool' && t.callId === callId ? { ...t, state: approve ? 'running' : 'declined' } : t)));
    void send({ confirm: { callId, approve } });
  }

  return (
    <aside className="assistant-drawer" role="dialog" aria-label="Assistant">
      <header className="assistant-head">
        <strong>Assistant</strong>
        <span className="small muted">acts as you, asks before any change</span>
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => { abort.current?.abort(); setTurns([]); setThreadId(null); }}>New</button>
        <button type="button" className="btn btn-ghost btn-sm" aria-label="Close the assistant" onClick={onClose}><span aria-hidden="true">✕</span></button>
      </header>
      <div className="assistant-body" data-testid="assistant-turns">
        {turns.length === 0 ? (
          <p className="small muted">Ask about your members, workflows and their runs, tickets, usage — or ask it to invite someone, run a workflow, open a ticket. It uses only what your role allows.</p>
        ) : turns.map((t, i) => (
          t.kind === 'user' ? <p key={i} className="assistant-user">{t.text}</p>
            : t.kind === 'assistant' ? <p key={i} className="assistant-answer">{t.text}</p>
              : t.kind === 'status' ? <p key={i} className="small assistant-status">{t.text}</p>
                : (
                  <div key={i} className={`assistant-tool assistant-tool-${t.state}`} data-testid="assistant-tool">
                    <div className="small"><code>{t.tool}</code> {t.state === 'running' ? '…' : t.state === 'done' ? 'done' : t.state === 'declined' ? 'declined' : t.state === 'refused' ? 'refused' : 'needs your approval'}</div>
                    <pre className="small">{JSON.stringify(t.input, null, 1)}</pre>
                    {t.detail ? <div className="small assistant-status">{t.detail}</div> : null}
                    {t.state === 'confirm' ? (
                      <div className="row">
                        <button type="button" className="btn btn-primary btn-sm" disabled={isBusy} onClick={() => decide(t.callId, true)}>Approve</button>
                        <button type="button" className="btn btn-secondary btn-sm" disabled={isBusy} onClick={() => decide(t.callId, false)}>Decline</button>
                      </div>
                    ) : null}
                  </div>
                )
        ))}
        <div ref={end} />
      </div>
      <form className="assistant-form" onSubmit={(e) => {
        e.preventDefault();
        const message = text.trim();
        if (!message || !chosen) return;
        setTurns((l) => [...l, { kind: 'user', text: message }]);
        setText('');
        void send({ message });
      }}>
        {models.data && models.data.length > 1 ? (
          <select className="input input-sm" aria-label="Assistant model" value={chosen} onChange={(e) => { setModel(e.target.value); localStorage.setItem(MODEL_KEY, e.target.value); }}>
            {models.data.map((m) => <option key={m.id} value={m.id}>{m.id}</option>)}
          </select>
        ) : null}
        {models.data && models.data.length === 0 ? <p className="small muted">Connect a model provider first (AI → Model providers).</p> : null}
        <textarea className="input" rows={2} aria-label="Ask the assistant" value={text} maxLength={20000} onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); e.currentTarget.form?.requestSubmit(); } }} placeholder="Ask or tell it what to do…" />
        <button type="submit" className="btn btn-primary btn-sm" disabled={isBusy || !text.trim() || !chosen}>{isBusy ? '…' : 'Send'}</button>
      </form>
    </aside>
  );
}
