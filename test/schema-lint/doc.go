// Package schemalint runs graphql-schema-linter over the API's schema (schema/*.graphqls)
// from a Go test, with the rules and the reasons for the rules turned off in the
// repository's .graphql-schema-linterrc. The linter is the npm package pinned by
// package-lock.json in this folder, installed with "npm ci" on first use; the test is
// skipped when node or npm is missing or npm cannot reach its registry.
package schemalint
