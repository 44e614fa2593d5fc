// Types of the API as the server describes it (schema.gen.ts, generated from the OpenAPI
// document by `npm run gen:api`; a test fails when it drifts). Pages take their request and
// response types from here instead of copying them.
import type { components, paths } from './schema.gen.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type ApiPath = keyof paths;
type Operation<P extends ApiPath, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body of the success answer (200 or 201) of `METHOD path`. */
export type ResponseOf<P extends ApiPath, M extends Method> = Operation<P, M> extends { responses: infer R }
  ? R extends { 200: infer OK } ? JsonOf<OK> : R extends { 201: infer Created } ? JsonOf<Created> : never
  : never;

/** The JSON request body of `METHOD path`. */
export type BodyOf<P extends ApiPath, M extends Method> = Operation<P, M> extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

/** The query parameters of `METHOD path`. */
export type QueryOf<P extends ApiPath, M extends Method> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** RFC 9457 problem details: every error answer. */
export type Problem = components['schemas']['Problem'];
