// OpenTelemetry traces (issue 16), off unless an OTLP endpoint is configured
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, read by config.ts). The
// official SDK exports spans over OTLP/HTTP; the spans are placed by hand where Atrium does the
// work, not by auto-instrumentation (ESM loader hooks patching every import: docs/adr/0025):
// - HTTP requests: the server's request handler runs in the request's span (W3C `traceparent`
//   honoured), named by the route once Fastify knows it;
// - database statements: the pools' client wraps each statement (its SQL, never its values);
// - jobs, webhook deliveries and LLM calls: `inSpan` around the work.
// The trace id is in every log line written inside a span (logging.ts) and in problem responses.
// Off, `inSpan` calls the function and nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import type { Logger } from './logging.ts';

export { SpanKind, SpanStatusCode };
export type { Span };

export type TracingConfig = {
  /** The OTLP/HTTP traces URL (…/v1/traces). */
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
  /** Head sampling ratio for traces that do not come with a sampled parent (1 = every trace). */
  sampleRatio: number;
};

const tracer = trace.getTracer('atrium');
let isOn = false;

export const isTracing = (): boolean => isOn;

/** Starts the SDK (loaded only when configured). Returns its shutdown, which flushes what is buffered. */
export async function startTracing(config: TracingConfig, options: { log: Logger; version: string; role: string }): Promise<() => Promise<void>> {
  const [{ TracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler }, { OTLPTraceExporter }, { resourceFromAttributes }, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }] = await Promise.all([
    import('@opentelemetry/sdk-trace'), import('@opentelemetry/exporter-trace-otlp-http'), import('@opentelemetry/resources'),
    import('@opentelemetry/context-async-hooks'), import('@opentelemetry/core'),
  ]);
  const exporter = new OTLPTraceExporter({ url: config.endpoint, headers: config.headers });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': options.version, 'atrium.role': options.role }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  isOn = true;
  options.log.info({ endpoint: config.endpoint, sampleRatio: config.sampleRatio }, 'OpenTelemetry traces exported over OTLP/HTTP');
  return async () => {
    isOn = false;
    await provider.shutdown().catch((err: unknown) => options.log.warn({ err }, 'traces could not be flushed at shutdown'));
  };
}

/** `fn` inside a span: errors recorded (status ERROR, the exception event), the span ended whatever happens. */
export async function inSpan<T>(name: string, attributes: Attributes | (() => Attributes), fn: (span: Span | undefined) => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  if (!isOn) return fn(undefined);
  // Attributes may be given as a function: a hot path then builds them only when tracing is on.
  return tracer.startActiveSpan(name, { kind, attributes: typeof attributes === 'function' ? attributes() : attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message?.slice(0, 200) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The span the caller runs in, when tracing is on. */
export function activeSpan(): Span | undefined {
  return isOn ? trace.getActiveSpan() : undefined;
}

/** The active trace's id (32 hex), when tracing is on and a span is active. */
export function currentTraceIds(): { traceId: string; spanId: string } | undefined {
  if (!isOn) return undefined;
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? { traceId: ctx.traceId, spanId: ctx.spanId } : undefined;
}

/** `traceparent` (and `tracestate`) for an outgoing request, so the callee continues the trace. */
export function traceHeaders(): Record<string, string> {
  if (!isOn) return {};
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

/**
 * The HTTP server's request handler, each request in a SERVER span: the caller's `traceparent`
 * continued, the request and response emitters bound to the span's context (listeners — the body
 * parser's among them — run in it), ended when the response finishes with its status.
 * The span is named by its route once routing is done (`GET /api/v1/workflows/:id`).
 */
const routes = new WeakMap<IncomingMessage, string>();

/** The route template a request matched (the HTTP layer says it once routing is done). */
export function noteRequestRoute(req: IncomingMessage, template: string | undefined): void {
  if (template) routes.set(req, template);
}

export function traceRequests(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (!isOn) return handler(req, res);
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(`${req.method} ${req.url?.split('?')[0] ?? ''}`.slice(0, 200), {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method ?? '', 'url.path': req.url?.split('?')[0]?.slice(0, 500) ?? '' },
    }, parent);
    const ctx = trace.setSpan(parent, span);
    res.once('close', () => {
      const template = routes.get(req);
      if (template) {
        span.updateName(`${req.method} ${template}`);
        span.setAttribute('http.route', template);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('http.aborted', true);
      span.end();
    });
    context.bind(ctx, req);
    context.bind(ctx, res);
    context.with(ctx, () => handler(req, res));
  };
}

/** A database statement's span (SQL text only: values never leave the process). */
export function statementSpan(text: string, database: string | undefined): Span | undefined {
  if (!isOn || !trace.getActiveSpan()) return undefined;
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
  return tracer.startSpan(`${operation}${database ? ` ${database}` : ''}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'db.system.name': 'postgresql', 'db.namespace': database ?? '', 'db.query.text': text.slice(0, 2000), 'db.operation.name': operation },
  });
}

export function endSpan(span: Span, err?: unknown): void {
  if (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message?.slice(0, 200) });
  }
  span.end();
}
