-- wrk script for the benchmarks: POSTs one GraphQL operation as JSON, with Accept-Language
-- nb. BENCH_OPERATION picks it: Catalogue (the first 50 activities by name, the default),
-- Search (the first 50 results of search for BENCH_QUERY), SearchTop (the first 20 results
-- of search for BENCH_QUERY with their titles or names: what a search box shows, and what
-- bench/search.sh measures), Nested (the first 50 organisations by name, each with its
-- first 10 activities: id and title) or NestedPeer (Nested in PostGraphile's schema, for
-- bench/peers.sh; BENCH_MUNICIPALITY is the municipality's ID). Named operations with a
-- constant document, so query caches are hit. For the searches, BENCH_QUERIES_FILE (one
-- query a line) makes each request search for the next line's words instead, as the many
-- people at a search box do: each finds other rows.

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

-- With BENCH_QUERIES_FILE, each request searches for the next of its lines, each thread
-- starting at its own place (wrk gives every thread its own copy of this script).
local queries_file = os.getenv("BENCH_QUERIES_FILE")
if queries_file and (operation == "Search" or operation == "SearchTop") then
  local bodies = {}
  local first = operation == "Search" and 50 or 20
  for line in io.lines(queries_file) do
    if line ~= "" then
      bodies[#bodies + 1] = '{"operationName": "' .. operation .. '", "query": ' .. json_string(document) ..
        ', "variables": {"first": ' .. first .. ', "query": ' .. json_string(line) .. '}}'
    end
  end
  if #bodies == 0 then
    error("BENCH_QUERIES_FILE " .. queries_file .. " has no queries")
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
  local next_body = math.random(#bodies)
  request = function()
    next_body = next_body % #bodies + 1
    return wrk.format(nil, nil, nil, bodies[next_body])
  end
end

-- BENCH_PRINT_BODY=1 prints the request body once and does nothing else useful: for checks.
if os.getenv("BENCH_PRINT_BODY") == "1" then
  print(wrk.body)
  os.exit(0)
end
