// A workspace's tables as GET /data/tables (and `atrium data gen`) describe them: the catalog,
// with the GraphQL names the model gave each table and column, and the row rule in force.
import type { Catalog, Model } from './model.ts';

export function tablesOf(catalog: Catalog, model: Model, version: number) {
  return {
    version,
    enums: catalog.enums.map((e) => ({ name: e.name, values: e.values })),
    tables: catalog.tables.map((t) => {
      const m = model.tables.find((x) => x.name === t.name);
      const pk = t.constraints.find((c) => c.type === 'p')?.columns ?? [];
      return {
        name: t.name, typeName: m?.typeName ?? null, listField: m?.listField ?? null, byKeyField: m?.byKeyField ?? null,
        columns: t.columns.map((c) => {
          const mc = m?.columns.find((x) => x.name === c.name);
          const fk = t.constraints.find((k) => k.type === 'f' && k.columns.length === 1 && k.columns[0] === c.name);
          return {
            name: c.name, field: mc?.field ?? null, type: c.type, graphqlType: mc ? (mc.kind === 'Enum' ? mc.enumName && model.enums.find((e) => e.name === mc.enumName)?.typeName || null : mc.kind) : null,
            nullable: !c.notNull, hasDefault: c.hasDefault, isPrimaryKey: pk.includes(c.name),
            isUnique: t.constraints.some((k) => k.type === 'u' && k.columns.length === 1 && k.columns[0] === c.name),
            references: fk ? { table: fk.refTable!, column: fk.refColumns![0] } : null,
          };
        }),
        indexes: t.indexes,
        rowRule: !t.rowSecurity ? 'none' as const : t.policies.some((p) => p.name === 'atrium_rule_read') ? 'members_read_admins_write' as const
          : t.policies.some((p) => p.name === 'atrium_rule_owner') ? 'owner_only' as const : 'custom' as const,
        policies: t.policies,
      };
    }),
  };
}

