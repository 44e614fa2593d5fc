// How a chat route answers a run (agents' chat and the console assistant): one JSON answer, or
// Server-Sent Events as the run goes (`run`, `token`, `tool_call`, … `done`), the run cancelled
// when the client leaves, and an `error` event when it could not start.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../kernel/errors.ts';
import type { AgentsContext } from './agents.context.ts';
import { runAgent } from './run-agent.ts';
import type { RunEvent, RunInput } from './run-agent.ts';

export async function answerRun(ctx: AgentsContext, request: FastifyRequest, reply: FastifyReply, input: RunInput, isStreamed: boolean) {
  if (!isStreamed) {
    const result = await runAgent(ctx, input);
    return { runId: result.run.id, threadId: result.threadId, status: result.run.status, message: result.message, run: result.run };
  }
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no', 'x-request-id': request.id });
  reply.raw.flushHeaders();
  const left = new AbortController();
  reply.raw.on('close', () => { if (!reply.raw.writableEnded) left.abort(); });
  const send = (event: RunEvent | { type: 'error'; code: string; message: string }) => {
    if (!reply.raw.destroyed) reply.raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  };
  try {
    await runAgent(ctx, { ...input, signal: left.signal, onEvent: send });
  } catch (err) {
    request.log.warn({ err }, 'a chat failed before its run started');
    send(err instanceof AppError && err.status < 500
      ? { type: 'error', code: err.code, message: err.detail ?? err.title }
      : { type: 'error', code: 'AGENT_RUN_FAILED', message: 'The run could not start' });
  }
  if (!reply.raw.destroyed) reply.raw.end();
  return reply;
}
