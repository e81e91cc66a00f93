-- wrk script for the benchmarks: POSTs one GraphQL operation as JSON, with Accept-Language
-- nb. BENCH_OPERATION picks it: Catalogue (the first 50 activities by name, the default),
-- Search (the first 50 results of search for BENCH_QUERY), SearchTop (the first 20 results
-- of search for BENCH_QUERY with their titles or names: what a search box shows, and what
-- bench/search.sh measures), Nested (the first 50 organisations by name, each with its
-- first 10 activities: id and title) or NestedPeer (Nested in PostGraphile's schema, for
-- bench/peers.sh; BENCH_MUNICIPALITY is the municipality's ID). Named operations with a
-- constant document, so query caches are hit.

local activity = "id title summary textLocale priceOre free " ..
  "organisation { id name summary } categories { id name } " ..
  "venue { id name address { street place } }"

local documents = {
  Catalogue = "query Catalogue($first: Int) { activities(first: $first) { edges { node { " .. activity .. " } } } }",
  Search = "query Search($query: String!, $first: Int) { search(query: $query, first: $first) { edges { rank node { " ..
    "__typename ... on Activity { " .. activity .. " } " ..
    "... on Organisation { id name summary categories { id name } } " ..
    "... on Neighbourhood { id name } } } } }",
  SearchTop = "query SearchTop($query: String!, $first: Int) { search(query: $query, first: $first) { " ..
    "edges { rank node { __typename ... on Activity { id title } ... on Organisation { id name } " ..
    "... on Neighbourhood { id name } } } } }",
  Nested = "query Nested($first: Int) { organisations(first: $first) { edges { node { id " ..
    "activities(first: 10) { edges { node { id title } } } } } } }",
  -- PostGraphile: the same rows in the same order; nameNb, sortNameNb and titleNb are the
  -- functions bench/peers.sh adds (names and titles in Norwegian order, the title in nb
  -- with fallback).
  NestedPeer = "query NestedPeer($first: Int, $municipality: UUID!) { allOrganisations(first: $first, " ..
    "condition: {municipalityId: $municipality, status: \"PUBLISHED\"}, orderBy: [NAME_NB_ASC, PRIMARY_KEY_ASC]) " ..
    "{ nodes { rowId activitiesByMunicipalityIdAndOrganisationId(first: 10, condition: {published: true}, " ..
    "orderBy: [SORT_NAME_NB_ASC, PRIMARY_KEY_ASC]) { nodes { rowId titleNb } } } } }",
}

-- json_string quotes s as a JSON string.
local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local operation = os.getenv("BENCH_OPERATION") or "Catalogue"
local document = documents[operation]
if document == nil then
  error("BENCH_OPERATION must be Catalogue, Search, SearchTop, Nested or NestedPeer, not " .. operation)
end

local variables = '{"first": 50}'
if operation == "Search" then
  variables = '{"first": 50, "query": ' .. json_string(os.getenv("BENCH_QUERY") or "svømming") .. '}'
elseif operation == "SearchTop" then
  variables = '{"first": 20, "query": ' .. json_string(os.getenv("BENCH_QUERY") or "svømming") .. '}'
elseif operation == "NestedPeer" then
  variables = '{"first": 50, "municipality": ' .. json_string(os.getenv("BENCH_MUNICIPALITY") or "") .. '}'
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept-Language"] = "nb"
wrk.body = '{"operationName": "' .. operation .. '", "query": ' .. json_string(document) ..
  ', "variables": ' .. variables .. '}'

-- BENCH_PRINT_BODY=1 prints the request body once and does nothing else useful: for checks.
if os.getenv("BENCH_PRINT_BODY") == "1" then
  print(wrk.body)
  os.exit(0)
end
