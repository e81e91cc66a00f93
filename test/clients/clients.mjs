#!/usr/bin/env node
// Checks the API with the normalised caches that frontends use: Apollo Client
// (InMemoryCache with relayStylePagination) and urql (Graphcache with
// relayPagination), each configured as docs/api.md tells a frontend developer.
//
// Usage: node clients.mjs <url> [header=value ...]
//
// The headers go with every request (X-Municipality, and an Authorization
// that may update organisations). Each client, against the real server:
//
//   paging:   pages through `organisations` PAGE_SIZE at a time with
//             first/after until hasNextPage is false, and reports the list the
//             cache merged, and then pages back with last/before from the end;
//   identity: reads one organisation by slug, by node(id:) and in the list,
//             renames it behind the client's back, refetches only the slug
//             query and reports what the other two read from the cache;
//   mutation: renames it with UPDATE_ORGANISATION and reports what all three
//             queries read from the cache, and how many requests that took.
//
// Prints one JSON object, {"apollo": {...}, "urql": {...}}, on the last line
// of standard output. Exits with 1 when a client fails, 2 on bad usage.

import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { getIntrospectionQuery } from 'graphql';

const PAGE_SIZE = 5;
const REQUEST_TIMEOUT_MS = 15_000;

// UPDATE_ORGANISATION is the mutation that renames an organisation; its payload carries the
// changed organisation, which the caches update by its id.
const UPDATE_ORGANISATION = `mutation RenameOrganisation($id: ID!, $input: UpdateOrganisationInput!) {
  updateOrganisation(id: $id, input: $input) { organisation { id name } }
}`;

const ORGANISATIONS = `query Organisations($first: Int, $after: String, $last: Int, $before: String) {
  organisations(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id slug name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const BY_SLUG = `query OrganisationBySlug($slug: String!) {
  organisation(slug: $slug) { id slug name }
}`;

const BY_NODE = `query OrganisationByNode($id: ID!) {
  node(id: $id) { id ... on Organisation { slug name } }
}`;

// mutatedOrganisation returns the Organisation in updateOrganisation's payload.
function mutatedOrganisation(data) {
  return data.updateOrganisation.organisation;
}

function usage(message) {
  if (message) console.error(message);
  console.error('usage: node clients.mjs <url> [header=value ...]');
  process.exit(2);
}

// parseArgs returns the URL and the extra headers given on the command line.
function parseArgs(argv) {
  const [url, ...pairs] = argv;
  if (!url || url === '-h' || url === '--help') usage();
  try {
    new URL(url);
  } catch {
    usage(`not a URL: ${url}`);
  }
  const headers = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) usage(`header must be name=value: ${pair}`);
    headers[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return { url, headers };
}

// countingFetch wraps the global fetch: every request carries the extra
// headers, gives up after a timeout, and is counted in counter.requests.
function countingFetch(extra, counter) {
  return (input, init = {}) => {
    counter.requests++;
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    const signal = init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return fetch(input, { ...init, headers, signal });
  };
}

// post sends one operation with plain fetch, outside any client cache, and
// returns its data; GraphQL errors are thrown.
async function post(url, headers, query, variables) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(`${res.status}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

// schemaFacts reads the schema by introspection once: the possible types of
// every interface and union (for Apollo's possibleTypes), the object types
// without an `id` (embedded in their parent by Graphcache, keys: () => null),
// and the introspection result itself (Graphcache's schema).
async function schemaFacts(url, headers) {
  const introspection = await post(url, headers, getIntrospectionQuery());
  const possibleTypes = {};
  const embedded = [];
  for (const type of introspection.__schema.types) {
    if (type.name.startsWith('__')) continue;
    if (type.possibleTypes) possibleTypes[type.name] = type.possibleTypes.map((t) => t.name);
    if (type.kind === 'OBJECT' && !type.fields.some((f) => f.name === 'id')) embedded.push(type.name);
  }
  return { introspection, possibleTypes, embedded };
}

// apolloClient is Apollo Client as docs/api.md sets it up.
function apolloClient(url, fetchFn, facts) {
  return new ApolloClient({
    link: new HttpLink({ uri: url, fetch: fetchFn }),
    cache: new InMemoryCache({
      possibleTypes: facts.possibleTypes,
      typePolicies: {
        Query: { fields: { organisations: relayStylePagination(['filter', 'orderBy']) } },
      },
    }),
  });
}

// urqlClient is urql with Graphcache as docs/api.md sets it up.
function urqlClient(url, fetchFn, facts) {
  const keys = Object.fromEntries(facts.embedded.map((name) => [name, () => null]));
  return new Client({
    url,
    fetch: fetchFn,
    exchanges: [
      cacheExchange({
        schema: facts.introspection,
        keys,
        resolvers: { Query: { organisations: relayPagination() } },
      }),
      fetchExchange,
    ],
  });
}

// apolloAdapter and urqlAdapter give both clients the same four operations:
// fetch from the network (and write the cache), read the cache alone (null
// on a miss), and mutate.
function apolloAdapter(client) {
  const docs = new Map();
  const doc = (text) => docs.get(text) ?? docs.set(text, gql(text)).get(text);
  return {
    async fetch(query, variables) {
      const { data } = await client.query({ query: doc(query), variables, fetchPolicy: 'network-only' });
      return data;
    },
    read(query, variables) {
      return client.readQuery({ query: doc(query), variables });
    },
    async mutate(query, variables) {
      const { data } = await client.mutate({ mutation: doc(query), variables });
      return data;
    },
  };
}

function urqlAdapter(client) {
  const check = (result) => {
    if (result.error) throw result.error;
    return result.data;
  };
  return {
    async fetch(query, variables) {
      return check(await client.query(query, variables, { requestPolicy: 'network-only' }).toPromise());
    },
    read(query, variables) {
      const result = client.readQuery(query, variables, { requestPolicy: 'cache-only' });
      return result && !result.stale ? check(result) : null;
    },
    async mutate(query, variables) {
      return check(await client.mutation(query, variables).toPromise());
    },
  };
}

// page runs one page request and returns the page and the whole list as the
// cache now holds it: both helpers answer the field with every page merged.
async function page(c, variables) {
  const fetched = await c.fetch(ORGANISATIONS, variables);
  return { fetched: fetched.organisations, merged: c.read(ORGANISATIONS, variables).organisations };
}

// pageForward pages with first/after to the end, pageBackward with
// last/before from the end to the start.
async function pageForward(c) {
  let res = await page(c, { first: PAGE_SIZE });
  let pages = 1;
  while (res.fetched.pageInfo.hasNextPage) {
    res = await page(c, { first: PAGE_SIZE, after: res.fetched.pageInfo.endCursor });
    pages++;
  }
  return { pages, ...list(res.merged) };
}

async function pageBackward(c) {
  let res = await page(c, { last: PAGE_SIZE });
  let pages = 1;
  while (res.fetched.pageInfo.hasPreviousPage) {
    res = await page(c, { last: PAGE_SIZE, before: res.fetched.pageInfo.startCursor });
    pages++;
  }
  return { pages, ...list(res.merged) };
}

// list reports a merged connection: its IDs and slugs in order and its pageInfo.
function list(conn) {
  return {
    ids: conn.edges.map((e) => e.node.id),
    slugs: conn.edges.map((e) => e.node.slug),
    pageInfo: conn.pageInfo,
  };
}

// seen reads the organisation's name through the three queries from the
// cache alone; null where the cache cannot answer.
function seen(c, org, listVars) {
  const bySlug = c.read(BY_SLUG, { slug: org.slug });
  const byNode = c.read(BY_NODE, { id: org.id });
  const inList = c.read(ORGANISATIONS, listVars);
  const item = inList?.organisations.edges.find((e) => e.node.id === org.id);
  return {
    bySlug: bySlug?.organisation?.name ?? null,
    byNode: byNode?.node?.name ?? null,
    inList: item?.node.name ?? null,
  };
}

// identity checks that one organisation read through three queries is one
// cache entry: a new name fetched by one query shows in the other two.
async function identity(c, org, listVars, rename) {
  await c.fetch(BY_SLUG, { slug: org.slug });
  await c.fetch(BY_NODE, { id: org.id });
  const before = seen(c, org, listVars);
  await rename();
  const refetched = await c.fetch(BY_SLUG, { slug: org.slug });
  return { before, refetched: refetched.organisation.name, after: seen(c, org, listVars) };
}

// mutation renames the organisation through the client and reads the three
// queries from the cache, counting the requests that took.
async function mutation(c, counter, org, listVars, name) {
  const start = counter.requests;
  const data = await c.mutate(UPDATE_ORGANISATION, { id: org.id, input: { name } });
  const answered = mutatedOrganisation(data).name;
  const after = seen(c, org, listVars);
  return { answered, after, requests: counter.requests - start };
}

// paging pages back and forth with one client, each from an empty cache;
// make(fetchFn) builds a fresh client.
async function paging(make, fetchFn) {
  const backward = await pageBackward(make(fetchFn));
  const c = make(fetchFn);
  const forward = await pageForward(c);
  return { c, forward, backward };
}

// caching runs the identity and mutation checks on the organisation org with
// the client c, whose cache holds the whole list.
async function caching(label, url, headers, c, counter, org) {
  const listVars = { first: PAGE_SIZE };
  const behind = `${label} identity check`;
  const ident = await identity(c, org, listVars, () =>
    post(url, headers, UPDATE_ORGANISATION, { id: org.id, input: { name: behind } }),
  );
  const renamed = `${label} mutation check`;
  const mut = await mutation(c, counter, org, listVars, renamed);
  return { organisation: org, identity: { renamedTo: behind, ...ident }, mutation: { renamedTo: renamed, ...mut } };
}

async function main() {
  const { url, headers } = parseArgs(process.argv.slice(2));
  const facts = await schemaFacts(url, headers);
  const clients = {
    apollo: { label: 'Apollo', make: (f) => apolloAdapter(apolloClient(url, f, facts)) },
    urql: { label: 'urql', make: (f) => urqlAdapter(urqlClient(url, f, facts)) },
  };
  // Both page before either renames, so both see the list the server held
  // at the start; each then renames an organisation of its own (the first
  // of the list for the first client, the second for the second).
  const report = {};
  for (const [name, cl] of Object.entries(clients)) {
    cl.counter = { requests: 0 };
    const { c, forward, backward } = await paging(cl.make, countingFetch(headers, cl.counter));
    cl.c = c;
    report[name] = { forward, backward };
  }
  let i = 0;
  for (const [name, cl] of Object.entries(clients)) {
    const { ids, slugs } = report[name].forward;
    const org = { id: ids[i], slug: slugs[i] };
    i++;
    if (!org.id) continue; // the paging went wrong; the report shows how
    Object.assign(report[name], await caching(cl.label, url, headers, cl.c, cl.counter, org));
  }
  console.log(JSON.stringify(report));
}

main().catch((err) => {
  console.error(`client check failed: ${err?.stack ?? err}`);
  process.exit(1);
});
