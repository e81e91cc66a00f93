#!/usr/bin/env node
// GraphQL-over-HTTP conformance audit.
//
// Usage: node audit.mjs <url> [header=value ...]
//
// Runs every server audit of the graphql-http package against <url>, adding
// the given headers (for example X-Municipality=demo) to each request. Prints
// one line per audit, whatever its level (each name starts with MUST, SHOULD
// or MAY):
//
//   PASS <id> <name>
//   FAIL <id> <name> -- <reason>
//
// and finally "N passed, M failed". Exits with 1 when M > 0, 2 on bad usage.

import { serverAudits } from 'graphql-http';

const AUDIT_TIMEOUT_MS = 15_000;
const MAX_BODY_CHARS = 300;

function usage(message) {
  if (message) console.error(message);
  console.error('usage: node audit.mjs <url> [header=value ...]');
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

// makeFetch wraps the global fetch so that every request carries the extra
// headers and gives up after a timeout.
function makeFetch(extra) {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    const signal = init.signal ?? AbortSignal.timeout(AUDIT_TIMEOUT_MS);
    return fetch(input, { ...init, headers, signal });
  };
}

// shorten collapses whitespace and caps the length of s.
function shorten(s, max = MAX_BODY_CHARS) {
  const flat = String(s).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

// describeResponse returns "status N, body: ..." for a failed audit's
// response, reading the body when it has not been consumed yet.
async function describeResponse(res) {
  if (!res || typeof res.status !== 'number') return '';
  let text = `status ${res.status}`;
  const type = res.headers?.get?.('content-type');
  if (type) text += `, content-type ${type}`;
  if (res.bodyUsed) return text;
  try {
    const body = await res.text();
    text += `, body: ${body === '' ? '(empty)' : shorten(body)}`;
  } catch (err) {
    text += `, body unreadable: ${shorten(err?.message ?? err)}`;
  }
  return text;
}

// errorMessage describes an exception thrown by an audit, including its cause
// (fetch reports connection errors as the cause).
function errorMessage(err) {
  const parts = [err?.message ?? String(err)];
  if (err?.cause) parts.push(err.cause.message ?? String(err.cause));
  return shorten(parts.join(': '));
}

// runAudit runs one audit and returns { ok, reason }.
async function runAudit(audit) {
  try {
    const result = await audit.fn();
    if (result.status === 'ok') return { ok: true };
    const details = await describeResponse(result.response);
    return { ok: false, reason: [result.reason, details].filter(Boolean).join('; ') };
  } catch (err) {
    return { ok: false, reason: `audit threw: ${errorMessage(err)}` };
  }
}

async function main() {
  const { url, headers } = parseArgs(process.argv.slice(2));
  const audits = serverAudits({ url, fetchFn: makeFetch(headers) });
  let passed = 0;
  let failed = 0;
  for (const audit of audits) {
    const { ok, reason } = await runAudit(audit);
    if (ok) {
      passed++;
      console.log(`PASS ${audit.id} ${audit.name}`);
    } else {
      failed++;
      console.log(`FAIL ${audit.id} ${audit.name} -- ${reason}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err) => {
  console.error(`audit crashed: ${err?.stack ?? err}`);
  process.exit(2);
});
