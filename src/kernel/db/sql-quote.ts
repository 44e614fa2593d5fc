// Quoting for the few places that must write a name or a literal into SQL text (DDL has no
// parameters): identifiers in double quotes, literals in single quotes, each quote doubled.
export function quoteIdent(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
