// An agent's webhook, as the webhooks module keeps it: an inbound endpoint whose id is the
// agent's (target_kind 'agent': delivered to /agents/:id/webhook only) and, for answers in async
// mode, an event subscription whose id is the agent's too, receiving `agent.webhook.answered`
// only from that agent (deliverTo). Both show in the generic endpoint and subscription pages,
// where deliveries, attempts, replays, redeliveries and secret rotation work as for any other.
// Everything here runs in the agents module's transaction.
import type { Tx } from '../../kernel/db/database.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { JobActor } from '../../kernel/jobs/index.ts';
import { deleteEndpoint, findEndpoint, insertEndpoint, rotateEndpointSecret } from './inbound/endpoints.store.ts';
import { DELIVER_QUEUE } from './outbound/deliver-webhook.job.ts';
import type { DeliverPayload } from './outbound/deliver-webhook.job.ts';
import { eventBody } from './outbound/emit-event.ts';
import { assertAllowedTarget } from './outbound/subscription-target.ts';
import { deleteSubscription, findSubscription, insertDelivery, insertSubscription, updateSubscription } from './outbound/subscriptions.store.ts';
import { generateSecret, sealSecret } from './signing.ts';
import type { WebhooksContext } from './webhooks.context.ts';
import type { EndpointView, SubscriptionView } from './webhooks.schema.ts';
import { toEndpointView, toSubscriptionView } from './webhooks.views.ts';

export const AGENT_ANSWER_EVENT = 'agent.webhook.answered';

export type AgentWebhookState = { endpoint: EndpointView | null; callback: SubscriptionView | null };

export function agentWebhooks(ctx: WebhooksContext) {
  return {
    async state(tx: Tx, workspaceId: string, agentId: string): Promise<AgentWebhookState> {
      const endpoint = await findEndpoint(tx, workspaceId, agentId);
      const callback = await findSubscription(tx, workspaceId, agentId);
      return {
        endpoint: endpoint && endpoint.target_kind === 'agent' ? toEndpointView(ctx.config.publicUrl, endpoint) : null,
        callback: callback ? toSubscriptionView(callback) : null,
      };
    },

    /** Whether answers go to an enabled callback. */
    async hasCallback(tx: Tx, workspaceId: string, agentId: string): Promise<boolean> {
      return (await findSubscription(tx, workspaceId, agentId))?.is_enabled === true;
    },

    /** The agent's endpoint, created (with its secret, returned once) when it has none; enabled or not. */
    async ensureEndpoint(tx: Tx, workspaceId: string, agent: { id: string; name: string }, o: { isEnabled: boolean; createdBy: string | null }): Promise<{ endpoint: EndpointView; secret: string | null }> {
      const existing = await findEndpoint(tx, workspaceId, agent.id, { forUpdate: true });
      if (existing) {
        if (existing.is_enabled === o.isEnabled) return { endpoint: toEndpointView(ctx.config.publicUrl, existing), secret: null };
        const { rows } = await tx.query<{ id: string }>('update webhook_endpoints set is_enabled = $3 where workspace_id = $1 and id = $2 returning id', [workspaceId, agent.id, o.isEnabled]);
        ctx.endpoints.invalidate(rows[0].id);
        return { endpoint: toEndpointView(ctx.config.publicUrl, (await findEndpoint(tx, workspaceId, agent.id))!), secret: null };
      }
      const secret = generateSecret();
      const row = await insertEndpoint(tx, {
        workspaceId, id: agent.id, name: `Agent ${agent.name}`.slice(0, 100), description: 'This agent\'s webhook (managed from the agent)', workflowId: null, isAgent: true,
        isOrdered: false, isEnabled: o.isEnabled, secretSealed: sealSecret(ctx.sealingKey, { kind: 'endpoint', workspaceId, id: agent.id }, secret), createdBy: o.createdBy,
      });
      ctx.endpoints.invalidate(agent.id);
      return { endpoint: toEndpointView(ctx.config.publicUrl, row), secret };
    },

    /** A new secret (returned once); the previous one verifies for `keepPreviousSeconds` more. */
    async rotateSecret(tx: Tx, workspaceId: string, agentId: string, keepPreviousSeconds: number): Promise<{ endpoint: EndpointView; secret: string } | null> {
      const existing = await findEndpoint(tx, workspaceId, agentId, { forUpdate: true });
      if (!existing || existing.target_kind !== 'agent') return null;
      const secret = generateSecret();
      const row = await rotateEndpointSecret(tx, workspaceId, agentId, sealSecret(ctx.sealingKey, { kind: 'endpoint', workspaceId, id: agentId }, secret), keepPreviousSeconds);
      ctx.endpoints.invalidate(agentId);
      return { endpoint: toEndpointView(ctx.config.publicUrl, row), secret };
    },

    /**
     * Where async answers go: a URL (its subscription created with a secret returned once, or
     * its URL changed), or null (the subscription removed).
     */
    async setCallback(tx: Tx, workspaceId: string, agent: { id: string; name: string }, url: string | null, createdBy: string | null): Promise<{ callback: SubscriptionView | null; secret: string | null }> {
      const existing = await findSubscription(tx, workspaceId, agent.id, { forUpdate: true });
      if (url === null) {
        if (existing) await deleteSubscription(tx, workspaceId, agent.id);
        return { callback: null, secret: null };
      }
      await assertAllowedTarget(ctx, tx, workspaceId, url);
      if (existing) {
        if (existing.url === url) return { callback: toSubscriptionView(existing), secret: null };
        const row = await updateSubscription(tx, workspaceId, agent.id, { url, eventTypes: existing.event_types, description: existing.description, isEnabled: true, isReenabled: true });
        return { callback: toSubscriptionView(row), secret: null };
      }
      const secret = generateSecret();
      const row = await insertSubscription(tx, {
        workspaceId, id: agent.id, url, eventTypes: [AGENT_ANSWER_EVENT], description: `Answers of agent ${agent.name} to its webhook (async mode)`.slice(0, 500), isEnabled: true,
        secretSealed: sealSecret(ctx.sealingKey, { kind: 'subscription', workspaceId, id: agent.id }, secret), createdBy,
      });
      return { callback: toSubscriptionView(row), secret };
    },

    /** The agent is gone: its endpoint and callback go with it (stored deliveries too). */
    async remove(tx: Tx, workspaceId: string, agentId: string): Promise<void> {
      const endpoint = await findEndpoint(tx, workspaceId, agentId);
      if (endpoint?.target_kind === 'agent') {
        await deleteEndpoint(tx, workspaceId, agentId); // its deliveries and replays cascade
        ctx.endpoints.invalidate(agentId);
      }
      const callback = await findSubscription(tx, workspaceId, agentId);
      if (callback && callback.event_types.length === 1 && callback.event_types[0] === AGENT_ANSWER_EVENT) await deleteSubscription(tx, workspaceId, agentId);
    },

    /** The answer of a run, to the agent's callback (when it has an enabled one), sent once this transaction commits. */
    async deliverAnswer(tx: Tx, workspaceId: string, agentId: string, data: unknown, actor: JobActor | null = null): Promise<string | null> {
      const callback = await findSubscription(tx, workspaceId, agentId);
      if (!callback || !callback.is_enabled) return null;
      const delivery = await insertDelivery(tx, { workspaceId, subscriptionId: agentId, eventId: uuidv7(), eventType: AGENT_ANSWER_EVENT, body: eventBody(AGENT_ANSWER_EVENT, data), kind: 'event' });
      await ctx.jobs.enqueue<DeliverPayload>(tx, DELIVER_QUEUE, { deliveryId: delivery.id, trigger: 'automatic' }, { workspaceId, actor: actor ?? { type: 'system', id: null } });
      return delivery.id;
    },
  };
}

export type AgentWebhooks = ReturnType<typeof agentWebhooks>;
