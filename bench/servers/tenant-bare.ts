// The peer of `atrium tenant create` (bench/tenant-create.ts): a bare Node process that does the
// least a tenant needs — connect with pg, and in one transaction make a role, a schema it owns and
// an API key row (a SHA-256 of a random key) — then prints the key and exits. argv: ownerUrl
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';

const [ownerUrl] = process.argv.slice(2);
const client = new pg.Client({ connectionString: ownerUrl });
client.on('error', () => {});
await client.connect();
const id = randomBytes(8).toString('hex');
const key = `bare_${randomBytes(24).toString('base64url')}`;
await client.query('begin');
await client.query(`create role "bare_ws_${id}" nologin noinherit`);
await client.query(`create schema "bare_ws_${id}" authorization "bare_ws_${id}"`);
await client.query('create table if not exists bare_keys (hash text primary key, schema text not null)');
await client.query('insert into bare_keys (hash, schema) values ($1, $2)', [createHash('sha256').update(key).digest('hex'), `bare_ws_${id}`]);
await client.query('commit');
await client.end();
console.log(JSON.stringify({ apiKey: key }));
