// Data: the workspace's own tables (brief 003). A table editor (new table, add a column, drop),
// a rows browser on the generated GraphQL API (filter, sort, page, add a row, edit a cell, delete),
// GraphiQL (loaded with the tab: autocomplete, docs explorer, history) and the migrations that made the schema.
import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import type { FormEvent, KeyboardEvent, ReactNode } from 'react';
import { COLUMN_TYPES, graphql, useApplyMigration, useDataMetrics, useDataTables, useInvalidateRows, useMigrations, useRows } from '../../api/data.ts';
import type { DataRange } from '../../api/data.ts';
import { DataTrafficChart } from './data-traffic-chart.tsx';
import { RangePicker } from './range-picker.tsx';
import type { DataColumn, DataTable, GraphqlResult, MigrationOperation } from '../../api/data.ts';
import { errorMessage } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ConfirmDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import './data.css';

const TABS = [['tables', 'Tables'], ['graphql', 'GraphQL'], ['metrics', 'Metrics'], ['migrations', 'Migrations']] as const;
type Tab = (typeof TABS)[number][0];
const PAGE = 20;

export function DataPage() {
  const { can } = useSession();
  // ?tab=graphql opens GraphiQL directly (the URL `atrium dev` prints).
  const [tab, setTab] = useState<Tab>(() => TABS.find(([key]) => key === new URLSearchParams(window.location.search).get('tab'))?.[0] ?? 'tables');
  const [isCreating, setCreating] = useState(false);
  const tables = useDataTables();
  const canManage = can('data_schema.manage');
  const newTable = canManage ? <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}><Icon name="plus" /> New table</button> : null;
  return (
    <>
      <PageHeader
        title="Data"
        description={<>Your own tables, in a PostgreSQL schema only this workspace reaches, with a GraphQL API generated from them at <code>/api/v1/data/graphql</code>.</>}
        actions={newTable}
      />
      <div className="tabs" role="tablist" aria-label="Data">
        {TABS.map(([key, label]) => <button key={key} type="button" role="tab" aria-selected={tab === key} onClick={() => setTab(key)}>{label}</button>)}
      </div>
      <QueryView query={tables} loadingLabel="Loading tables…">
        {(data) => tab === 'tables' ? <TablesTab tables={data.tables} newTable={newTable} />
          : tab === 'graphql' ? <GraphqlTab tables={data.tables} />
            : tab === 'metrics' ? <MetricsTab /> : <MigrationsTab />}
      </QueryView>
      {isCreating && tables.data ? <TableEditorDialog tables={tables.data.tables} version={tables.data.version} onClose={() => setCreating(false)} /> : null}
    </>
  );
}

// ---- tables and rows ------------------------------------------------------------------------

function TablesTab({ tables, newTable }: { tables: DataTable[]; newTable: ReactNode }) {
  const [selected, setSelected] = useState<string | null>(tables[0]?.name ?? null);
  const table = tables.find((t) => t.name === selected) ?? tables[0] ?? null;
  if (!table) {
    return (
      <Card>
        <EmptyState icon="layers" title="No tables yet" action={newTable}>
          Create a table and its GraphQL API exists at once: queries with filters and pages, mutations, relations from foreign keys.
        </EmptyState>
      </Card>
    );
  }
  return (
    <div className="data-layout">
      <nav className="data-tables" aria-label="Tables">
        {tables.map((t) => (
          <button key={t.name} type="button" className={`data-table-link${t.name === table.name ? ' is-active' : ''}`} aria-current={t.name === table.name ? 'true' : undefined} onClick={() => setSelected(t.name)}>
            <span>{t.name}</span>
            <span className="muted small">{t.typeName ?? 'not in the API'}</span>
          </button>
        ))}
      </nav>
      <RowsBrowser key={table.name} table={table} tables={tables} />
    </div>
  );
}

function orderName(column: string): string {
  return column.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}

function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** What a typed-in value means for a column (empty: null). Throws when it cannot mean anything. */
function parseValue(column: DataColumn, text: string): unknown {
  if (text === '') return null;
  if (column.type.endsWith('[]') || column.graphqlType === 'JSON') return JSON.parse(text);
  switch (column.graphqlType) {
    case 'Int': case 'Float': {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`${column.name}: not a number`);
      return n;
    }
    case 'Boolean':
      if (text !== 'true' && text !== 'false') throw new Error(`${column.name}: true or false`);
      return text === 'true';
    default: return text;
  }
}

function RowsBrowser({ table, tables }: { table: DataTable; tables: DataTable[] }) {
  const { can } = useSession();
  const toast = useToast();
  const apply = useApplyMigration();
  const invalidate = useInvalidateRows();
  const [offset, setOffset] = useState(0);
  const [order, setOrder] = useState<{ column: string; dir: 'ASC' | 'DESC' } | null>(null);
  const [filterColumn, setFilterColumn] = useState(table.columns.find((c) => c.graphqlType === 'String')?.name ?? table.columns[0]?.name ?? '');
  const [filterText, setFilterText] = useState('');
  const [filter, setFilter] = useState<Record<string, unknown> | null>(null);
  const [editing, setEditing] = useState<{ key: string; column: string; text: string } | null>(null);
  const [isAdding, setAdding] = useState(false);
  const [isAddingColumn, setAddingColumn] = useState(false);
  const [isDropping, setDropping] = useState(false);
  const [deleting, setDeleting] = useState<Record<string, unknown> | null>(null);
  const visible = table.columns.filter((c) => c.field);
  const keyColumns = visible.filter((c) => c.isPrimaryKey);
  const canWrite = can('data.write') && keyColumns.length > 0;
  const rows = useRows(table, { first: PAGE, offset, orderBy: order ? [`${orderName(order.column)}_${order.dir}`] : [], filter });
  const keyOf = (row: Record<string, unknown>) => keyColumns.map((c) => display(row[c.field!])).join('|');

  const applyFilter = (e: FormEvent) => {
    e.preventDefault();
    const column = visible.find((c) => c.name === filterColumn);
    if (!column || filterText === '') return setFilter(null);
    try {
      setFilter({ [column.field!]: column.graphqlType === 'String' && !column.type.endsWith('[]') ? { ilike: `%${filterText}%` } : { eq: parseValue(column, filterText) } });
      setOffset(0);
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };

  const keyArgs = (row: Record<string, unknown>) => ({
    decl: keyColumns.map((c, i) => `$k${i}: ${c.graphqlType}!`).join(', '),
    args: keyColumns.map((c, i) => `${c.field}: $k${i}`).join(', '),
    values: Object.fromEntries(keyColumns.map((c, i) => [`k${i}`, row[c.field!]])),
  });

  const saveCell = async (row: Record<string, unknown>, column: DataColumn, text: string) => {
    let value: unknown;
    try {
      value = parseValue(column, text);
    } catch (err) {
      toast.error(errorMessage(err));
      return;
    }
    const k = keyArgs(row);
    const result = await graphql(`mutation Save(${k.decl}, $patch: ${table.typeName}Patch!) { update${table.typeName}(${k.args}, patch: $patch) { ${column.field} } }`, { ...k.values, patch: { [column.field!]: value } });
    if (result.errors?.length) toast.error(result.errors[0].message);
    else {
      setEditing(null);
      await invalidate();
    }
  };

  const deleteRow = async (row: Record<string, unknown>) => {
    const k = keyArgs(row);
    const result = await graphql(`mutation Delete(${k.decl}) { delete${table.typeName}(${k.args}) { ${keyColumns[0].field} } }`, k.values);
    if (result.errors?.length) throw new Error(result.errors[0].message);
    await invalidate();
  };

  return (
    <Card
      className="data-rows"
      title={<span>{table.name} {table.typeName ? <span className="muted small">GraphQL <code>{table.listField}</code>, <code>{table.typeName}</code></span> : null}</span>}
      actions={(
        <>
          {canWrite && table.typeName ? <button type="button" className="btn btn-primary btn-sm" onClick={() => setAdding(true)}><Icon name="plus" /> Add row</button> : null}
          {can('data_schema.manage') ? <RowRuleSelect table={table} /> : <span className="muted small">Rows: {RULES[table.rowRule]}</span>}
          {can('data_schema.manage') ? <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAddingColumn(true)}>Add column</button> : null}
          {can('data_schema.manage') ? <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDropping(true)}>Drop table</button> : null}
        </>
      )}
    >
      <form className="data-filter row" onSubmit={applyFilter} aria-label="Filter rows">
        <select className="input" aria-label="Column" value={filterColumn} onChange={(e) => setFilterColumn(e.target.value)}>
          {visible.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
        </select>
        <input className="input" aria-label="Filter value" placeholder="contains / equals…" value={filterText} onChange={(e) => setFilterText(e.target.value)} />
        <button type="submit" className="btn btn-secondary btn-sm"><Icon name="search" /> Filter</button>
        {filter ? <button type="button" className="btn btn-ghost btn-sm" onClick={() => { setFilter(null); setFilterText(''); }}>Clear</button> : null}
      </form>
      {!table.typeName ? <p className="muted">This table is left out of the GraphQL API (its names clash with another table's).</p> : (
        <QueryView query={rows} loadingLabel="Loading rows…">
          {(page) => page.nodes.length === 0 ? (
            <EmptyState icon="inbox" title={filter ? 'No row matches' : 'No rows yet'}>{canWrite && !filter ? 'Add one here, or send a mutation to the GraphQL API.' : null}</EmptyState>
          ) : (
            <>
              <div className="table-wrap">
                <table className="table data-grid">
                  <thead>
                    <tr>
                      {visible.map((c) => (
                        <th key={c.name} scope="col" aria-sort={order?.column === c.name ? (order.dir === 'ASC' ? 'ascending' : 'descending') : undefined}>
                          <button type="button" className="data-sort" title={`${c.type}${c.nullable ? '' : ', required'}`}
                            onClick={() => { setOrder(order?.column === c.name && order.dir === 'ASC' ? { column: c.name, dir: 'DESC' } : { column: c.name, dir: 'ASC' }); setOffset(0); }}>
                            {c.name}{c.isPrimaryKey ? <span className="muted small"> key</span> : ''}{order?.column === c.name ? (order.dir === 'ASC' ? ' ▲' : ' ▼') : ''}
                          </button>
                        </th>
                      ))}
                      {canWrite ? <th scope="col"><span className="sr-only">Actions</span></th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {page.nodes.map((row) => {
                      const key = keyOf(row);
                      return (
                        <tr key={key}>
                          {visible.map((c) => {
                            const isEditing = editing?.key === key && editing.column === c.name;
                            return (
                              <td key={c.name} className={`data-cell${c.isPrimaryKey ? ' data-key' : ''}`}>
                                {isEditing ? (
                                  <input className="input input-sm" aria-label={`Edit ${c.name}`} autoFocus value={editing.text}
                                    onChange={(e) => setEditing({ ...editing, text: e.target.value })}
                                    onKeyDown={(e: KeyboardEvent) => { if (e.key === 'Enter') void saveCell(row, c, editing.text); if (e.key === 'Escape') setEditing(null); }}
                                    onBlur={() => setEditing(null)} />
                                ) : canWrite && !c.isPrimaryKey ? (
                                  <button type="button" className="data-cell-button" title="Click to edit" onClick={() => setEditing({ key, column: c.name, text: display(row[c.field!]) })}>
                                    {row[c.field!] === null ? <span className="muted">null</span> : display(row[c.field!])}
                                  </button>
                                ) : row[c.field!] === null ? <span className="muted">null</span> : <span className={c.isPrimaryKey ? 'mono small' : undefined}>{display(row[c.field!])}</span>}
                              </td>
                            );
                          })}
                          {canWrite ? <td className="cell-actions"><button type="button" className="btn btn-ghost btn-sm btn-danger-text" aria-label="Delete row" onClick={() => setDeleting(row)}><Icon name="trash" /></button></td> : null}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <div className="row data-pager">
                <span className="muted small">Rows {offset + 1}–{offset + page.nodes.length} of {page.totalCount}</span>
                <button type="button" className="btn btn-ghost btn-sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>Previous</button>
                <button type="button" className="btn btn-ghost btn-sm" disabled={offset + PAGE >= page.totalCount} onClick={() => setOffset(offset + PAGE)}>Next</button>
              </div>
            </>
          )}
        </QueryView>
      )}
      {isAdding ? <AddRowDialog table={table} onClose={() => setAdding(false)} /> : null}
      {isAddingColumn ? <AddColumnDialog table={table} tables={tables} onClose={() => setAddingColumn(false)} /> : null}
      <ConfirmDialog open={isDropping} title={`Drop ${table.name}?`} description="Every row goes with it, and its type leaves the GraphQL API. This cannot be undone."
        confirmLabel="Drop table" isPending={apply.isPending} error={apply.error ? errorMessage(apply.error) : null}
        onConfirm={() => apply.mutate({ operations: [{ op: 'drop_table', table: table.name }] }, { onSuccess: () => { setDropping(false); toast.success(`${table.name} dropped`); } })}
        onClose={() => { setDropping(false); apply.reset(); }} />
      <ConfirmDialog open={deleting !== null} title="Delete this row?" description="It is gone for every client of the API." confirmLabel="Delete row"
        onConfirm={() => { if (deleting) deleteRow(deleting).then(() => { setDeleting(null); toast.success('Row deleted'); }, (err: unknown) => toast.error(errorMessage(err))); }}
        onClose={() => setDeleting(null)} />
    </Card>
  );
}

const RULES: Record<DataTable['rowRule'], string> = {
  none: 'every member',
  owner_only: 'owner only',
  members_read_admins_write: 'members read, admins write',
  custom: 'custom rule',
};

/** Who sees which rows: a row rule, compiled to row-level security (owner only adds owner_id when missing). */
function RowRuleSelect({ table }: { table: DataTable }) {
  const apply = useApplyMigration();
  const toast = useToast();
  const change = (rule: DataTable['rowRule']) => {
    if (rule === table.rowRule || rule === 'custom') return;
    const needsOwner = rule === 'owner_only' && !table.columns.some((c) => c.name === 'owner_id');
    const operations: MigrationOperation[] = [
      ...(needsOwner ? [{ op: 'add_column' as const, table: table.name, column: { name: 'owner_id', type: 'uuid' as const } }] : []),
      { op: 'set_row_rule', table: table.name, rule },
    ];
    apply.mutate({ operations }, {
      onSuccess: () => toast.success(`${table.name}: rows visible to ${RULES[rule]}${needsOwner ? ' (owner_id added: new rows belong to whoever adds them; rows without an owner are hidden)' : ''}`),
      onError: (err) => toast.error(errorMessage(err)),
    });
  };
  return (
    <select className="input input-sm" aria-label="Row rule" value={table.rowRule} disabled={apply.isPending} onChange={(e) => change(e.target.value as DataTable['rowRule'])}>
      {(Object.keys(RULES) as Array<DataTable['rowRule']>).filter((r) => r !== 'custom' || table.rowRule === 'custom').map((r) => <option key={r} value={r}>Rows: {RULES[r]}</option>)}
    </select>
  );
}

function AddRowDialog({ table, onClose }: { table: DataTable; onClose: () => void }) {
  const toast = useToast();
  const invalidate = useInvalidateRows();
  const columns = table.columns.filter((c) => c.field);
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [isPending, setPending] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const input: Record<string, unknown> = {};
    try {
      for (const c of columns) if ((values[c.name] ?? '') !== '') input[c.field!] = parseValue(c, values[c.name]);
    } catch (err) {
      setError(errorMessage(err));
      return;
    }
    setPending(true);
    const result = await graphql(`mutation Add($input: ${table.typeName}Input!) { create${table.typeName}(input: $input) { ${columns.map((c) => c.field).join(' ')} } }`, { input }).catch((err: unknown) => ({ errors: [{ message: errorMessage(err) }] }) as GraphqlResult);
    setPending(false);
    if (result.errors?.length) return setError(result.errors.map((x) => x.message).join('; '));
    await invalidate();
    toast.success('Row added');
    onClose();
  };
  return (
    <Dialog open title={`Add a row to ${table.name}`} onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        {columns.map((c) => (
          <TextField key={c.name} label={`${c.name}${!c.nullable && !c.hasDefault ? ' *' : ''}`} hint={`${c.type}${c.hasDefault ? ', has a default' : ''}${c.type.endsWith('[]') || c.graphqlType === 'JSON' ? ' — JSON' : ''}`}
            value={values[c.name] ?? ''} onChange={(e) => setValues({ ...values, [c.name]: e.target.value })} />
        ))}
        <FormError message={error} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={isPending}>Add row</button>
        </div>
      </form>
    </Dialog>
  );
}

// ---- the table editor -----------------------------------------------------------------------

type DraftColumn = { name: string; type: string; nullable: boolean; unique: boolean; default: string; references: string };
const blankColumn = (): DraftColumn => ({ name: '', type: 'text', nullable: true, unique: false, default: '', references: '' });

function columnOperation(c: DraftColumn): Extract<MigrationOperation, { op: 'add_column' }>['column'] {
  const isEnum = c.type.startsWith('enum:');
  return {
    name: c.name.trim(), type: (isEnum ? 'enum' : c.type) as never, ...(isEnum ? { enum: c.type.slice(5) } : {}),
    nullable: c.nullable, ...(c.unique ? { unique: true } : {}),
    ...(c.default === 'now()' ? { defaultExpression: 'now' as const } : c.default === 'uuid()' ? { defaultExpression: 'uuid' as const } : c.default !== '' ? { default: c.type === 'integer' || c.type === 'double' || c.type === 'numeric' ? Number(c.default) : c.type === 'boolean' ? c.default === 'true' : c.default } : {}),
    ...(c.references ? { references: { table: c.references, onDelete: 'cascade' as const } } : {}),
  };
}

function ColumnRow({ column, tables, enums, onChange, onRemove }: { column: DraftColumn; tables: DataTable[]; enums: string[]; onChange: (c: DraftColumn) => void; onRemove?: () => void }) {
  return (
    <div className="data-column-row">
      <input className="input" aria-label="Column name" placeholder="column_name" value={column.name} onChange={(e) => onChange({ ...column, name: e.target.value })} />
      <select className="input" aria-label="Column type" value={column.type} onChange={(e) => onChange({ ...column, type: e.target.value })}>
        {COLUMN_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        {enums.map((e) => <option key={e} value={`enum:${e}`}>{e} (enum)</option>)}
      </select>
      <input className="input" aria-label="Default" placeholder="default (now(), uuid(), a value)" value={column.default} onChange={(e) => onChange({ ...column, default: e.target.value })} />
      <select className="input" aria-label="References" value={column.references} onChange={(e) => onChange({ ...column, references: e.target.value, type: e.target.value ? 'uuid' : column.type })}>
        <option value="">no reference</option>
        {tables.map((t) => <option key={t.name} value={t.name}>→ {t.name}</option>)}
      </select>
      <label className="checkbox"><input type="checkbox" checked={!column.nullable} onChange={(e) => onChange({ ...column, nullable: !e.target.checked })} /> required</label>
      <label className="checkbox"><input type="checkbox" checked={column.unique} onChange={(e) => onChange({ ...column, unique: e.target.checked })} /> unique</label>
      {onRemove ? <button type="button" className="btn btn-ghost btn-sm" aria-label="Remove column" onClick={onRemove}><Icon name="trash" /></button> : null}
    </div>
  );
}

function TableEditorDialog({ tables, version, onClose }: { tables: DataTable[]; version: number; onClose: () => void }) {
  const apply = useApplyMigration();
  const toast = useToast();
  const { data } = useDataTables();
  const [name, setName] = useState('');
  const [columns, setColumns] = useState<DraftColumn[]>([{ ...blankColumn(), name: 'name', nullable: false }, { ...blankColumn(), name: 'created_at', type: 'timestamptz', default: 'now()', nullable: false }]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply.mutate({ expectedVersion: version, operations: [{ op: 'create_table', table: name.trim(), columns: columns.filter((c) => c.name.trim()).map(columnOperation) }] }, {
      onSuccess: () => { toast.success(`${name} created: its GraphQL API is live`); onClose(); },
    });
  };
  return (
    <Dialog open title="New table" description="An id (a random UUID) is added as the primary key. Names: lower case, digits and _." onClose={onClose} size="full">
      <form className="stack" onSubmit={submit}>
        <TextField label="Table name" placeholder="tasks" value={name} onChange={(e) => setName(e.target.value)} required pattern="[a-z_][a-z0-9_]*" />
        <fieldset className="stack">
          <legend>Columns</legend>
          {columns.map((c, i) => (
            <ColumnRow key={i} column={c} tables={tables} enums={data?.enums.map((x) => x.name) ?? []}
              onChange={(next) => setColumns(columns.map((x, j) => (j === i ? next : x)))} onRemove={() => setColumns(columns.filter((_, j) => j !== i))} />
          ))}
          <div><button type="button" className="btn btn-ghost btn-sm" onClick={() => setColumns([...columns, blankColumn()])}><Icon name="plus" /> Add column</button></div>
        </fieldset>
        <FormError message={apply.error ? errorMessage(apply.error) : null} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={apply.isPending || !name.trim()}>Create table</button>
        </div>
      </form>
    </Dialog>
  );
}

function AddColumnDialog({ table, tables, onClose }: { table: DataTable; tables: DataTable[]; onClose: () => void }) {
  const apply = useApplyMigration();
  const toast = useToast();
  const { data } = useDataTables();
  const [column, setColumn] = useState<DraftColumn>(blankColumn());
  return (
    <Dialog open title={`Add a column to ${table.name}`} onClose={onClose} size="full">
      <form className="stack" onSubmit={(e) => { e.preventDefault(); apply.mutate({ operations: [{ op: 'add_column', table: table.name, column: columnOperation(column) }] }, { onSuccess: () => { toast.success(`${column.name} added`); onClose(); } }); }}>
        <ColumnRow column={column} tables={tables} enums={data?.enums.map((x) => x.name) ?? []} onChange={setColumn} />
        <FormError message={apply.error ? errorMessage(apply.error) : null} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={apply.isPending || !column.name.trim()}>Add column</button>
        </div>
      </form>
    </Dialog>
  );
}

// ---- GraphQL --------------------------------------------------------------------------------

function exampleQuery(tables: DataTable[]): string {
  const t = tables.find((x) => x.listField);
  if (!t) return '# No tables yet: create one in the Tables tab.\n{ _empty }';
  const fields = t.columns.filter((c) => c.field).slice(0, 5).map((c) => `      ${c.field}`).join('\n');
  return `# Rows of ${t.name}: filter, orderBy, first/offset or first/after.\nquery {\n  ${t.listField}(first: 10) {\n    totalCount\n    nodes {\n${fields}\n    }\n  }\n}\n`;
}

const GraphiqlPanel = lazy(() => import('./graphiql-panel.tsx'));

function GraphqlTab({ tables }: { tables: DataTable[] }) {
  const invalidate = useInvalidateRows();
  const defaultQuery = useMemo(() => exampleQuery(tables), [tables]);
  const onMutation = useCallback(() => void invalidate(), [invalidate]);
  return (
    <Suspense fallback={<Card><p className="muted">Loading GraphiQL…</p></Card>}>
      <GraphiqlPanel defaultQuery={defaultQuery} onMutation={onMutation} />
    </Suspense>
  );
}

// ---- metrics --------------------------------------------------------------------------------

const ms = (v: number | null) => (v === null ? '—' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

function MetricsTab() {
  const [range, setRange] = useState<DataRange>('24h');
  const metrics = useDataMetrics(range);
  return (
    <Card title="API traffic" description="Requests to this workspace's data API (GraphQL, tables, migrations), their errors and latency."
      actions={<RangePicker value={range} onChange={setRange} />}>
      <QueryView query={metrics} loadingLabel="Loading traffic…">
        {(m) => (
          <>
            <dl className="data-kpis">
              <div><dt>Requests</dt><dd>{m.totals.requests.toLocaleString()}</dd><span className="muted small">{(m.totals.requests / ((Date.parse(m.to) - Date.parse(m.from)) / 1000)).toFixed(2)} req/s on average</span></div>
              <div><dt>Errors</dt><dd>{(m.totals.clientErrors + m.totals.serverErrors).toLocaleString()}</dd><span className="muted small">{m.totals.serverErrors} server</span></div>
              <div><dt>p50</dt><dd>{ms(m.totals.p50)}</dd></div>
              <div><dt>p95</dt><dd>{ms(m.totals.p95)}</dd></div>
              <div><dt>p99</dt><dd>{ms(m.totals.p99)}</dd></div>
            </dl>
            {m.totals.requests === 0 ? <EmptyState icon="layers" title={`No requests in the last ${range}`}>Queries and mutations sent to /api/v1/data/graphql show here.</EmptyState> : <DataTrafficChart metrics={m} />}
          </>
        )}
      </QueryView>
    </Card>
  );
}

// ---- migrations -----------------------------------------------------------------------------

function MigrationsTab() {
  const migrations = useMigrations();
  return (
    <Card>
      <QueryView query={migrations} loadingLabel="Loading migrations…">
        {(list) => list.length === 0 ? <EmptyState icon="layers" title="No migrations yet">Each table you create or change is recorded here, with the SQL that ran.</EmptyState> : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">Version</th><th scope="col">What</th><th scope="col">SQL</th><th scope="col">Applied</th></tr></thead>
              <tbody>
                {list.map((m) => (
                  <tr key={m.version}>
                    <td>{m.version}</td>
                    <td>{m.name}</td>
                    <td><details><summary className="small">{m.operations.length ? `${m.operations.length} operation(s)` : 'SQL'}</summary><pre className="data-result small">{m.statements}</pre></details></td>
                    <td><RelativeTime iso={m.appliedAt} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </Card>
  );
}
