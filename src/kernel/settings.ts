// The contract of a workspace setting: any module (or the kernel itself: rate limits, the
// outbound address guard) defines its keys with it; tenancy keeps the registry that validates
// and stores them. Here, so that a module defining a setting depends on the kernel, not on tenancy.
import type { Static, TSchema } from '@fastify/type-provider-typebox';

export type WorkspaceSettingDefinition<T extends TSchema = TSchema> = {
  key: string;
  description: string;
  schema: T;
  default: Static<T>;
  /** Extra rule the schema cannot express; returns a message when the value is refused. */
  refine?: (value: Static<T>) => string | null;
};

/** A setting, typed by its schema (the default and `refine` are checked against it). */
export function defineSetting<T extends TSchema>(definition: WorkspaceSettingDefinition<T>): WorkspaceSettingDefinition<T> {
  return definition;
}
