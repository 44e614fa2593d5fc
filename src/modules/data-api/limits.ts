// Depth and cost of an operation, measured before anything runs (on by default, in the open core:
// Hasura sells these). Cost counts the rows an operation may fetch: a field that takes `first`
// multiplies what it holds by its page size (the default when absent), every object field costs
// one, totalCount one. Introspection fields (__schema, __type) are left out: they never touch the
// database and the parser's token cap bounds them.
import { Kind } from 'graphql';
import type { DocumentNode, FragmentDefinitionNode, GraphQLField, GraphQLSchema, OperationDefinitionNode, SelectionSetNode, ValueNode } from 'graphql';
import { getNamedType, isCompositeType, isObjectType, isInterfaceType } from 'graphql';
import type { GraphQLCompositeType } from 'graphql';
import { PAGE_DEFAULT } from './graphql-schema.ts';

export const LIMITS = { depth: 10, cost: 1000 } as const;

export type Measure = { depth: number; cost: number };

function argValue(node: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.LIST) return node.values;
  return undefined;
}

export function measure(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): Measure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return { depth: 0, cost: 0 };

  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, depth: number, seen: ReadonlySet<string>): Measure => {
    let maxDepth = depth;
    let cost = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const name = s.name.value;
        if (name.startsWith('__')) continue;
        const field: GraphQLField<unknown, unknown> | undefined = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!field) continue;
        const named = getNamedType(field.type);
        let multiplier = 1;
        if (field.args.some((a) => a.name === 'first')) {
          const first = argValue(s.arguments?.find((a) => a.name.value === 'first')?.value, variables);
          multiplier = typeof first === 'number' && Number.isFinite(first) && first >= 0 ? first : PAGE_DEFAULT;
        }
        const inputs = argValue(s.arguments?.find((a) => a.name.value === 'inputs')?.value, variables);
        if (Array.isArray(inputs)) multiplier = Math.max(multiplier, inputs.length);
        if (name === 'totalCount') cost += 1;
        if (s.selectionSet && isCompositeType(named)) {
          const inner = walk(s.selectionSet, named, depth + 1, seen);
          maxDepth = Math.max(maxDepth, inner.depth);
          cost += multiplier * (1 + inner.cost);
        } else {
          maxDepth = Math.max(maxDepth, depth + 1);
        }
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const type = s.typeCondition ? (schema.getType(s.typeCondition.name.value) as GraphQLCompositeType | undefined) ?? parent : parent;
        const inner = walk(s.selectionSet, type, depth, seen);
        maxDepth = Math.max(maxDepth, inner.depth);
        cost += inner.cost;
      } else {
        const fragment = fragments.get(s.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = (schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined) ?? parent;
        const inner = walk(fragment.selectionSet, type, depth, new Set([...seen, fragment.name.value]));
        maxDepth = Math.max(maxDepth, inner.depth);
        cost += inner.cost;
      }
      if (cost > 1e9) break;
    }
    return { depth: maxDepth, cost };
  };
  return walk(operation.selectionSet, root, 0, new Set());
}
