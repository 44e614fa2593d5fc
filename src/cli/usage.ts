// What a mistake in the command line is: exit code 2 (as getopt tools do), one line on stderr,
// before anything touches the database. Other failures (a broken chain, the database away) are 1.
import { InvalidArgumentError } from 'commander';
import { isUuid } from '../kernel/ids.ts';

export class UsageError extends Error {}

/** A commander argument parser: the value must be a UUID (`jobs retry <id>`). */
export function parseUuid(value: string): string {
  if (!isUuid(value)) throw new InvalidArgumentError(`must be an id (a UUID), got "${value}"`);
  return value.toLowerCase();
}
