import { defineErrors } from '../../kernel/errors.ts';

export const dataErrors = defineErrors({
  // A migration PostgreSQL refused (a table that exists, a column that does not, a default of the wrong type…) or one the operations cannot mean.
  DATA_MIGRATION_INVALID: { status: 422, title: 'The migration cannot be applied to this workspace\'s data schema' },
  // More tables or columns than a workspace may hold.
  DATA_SCHEMA_LIMIT: { status: 422, title: 'The data schema would exceed its limits' },
  DATA_MIGRATION_CONFLICT: { status: 409, title: 'Another migration of this workspace was applied meanwhile' },
});
