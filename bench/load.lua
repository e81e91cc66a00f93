-- wrk script for the mixed load (bench/load.sh): each connection cycles through catalogue
-- reads, searches, the geo feed and edits (updateActivity as an administrator), in the
-- proportions 4:2:2:2. Every answer that is not HTTP 200, or is a GraphQL answer with
-- "errors", counts as an error; done() prints the counts per kind.
--
-- Environment: LOAD_TOKEN (an administrator's session token), LOAD_ACTIVITIES (activity
-- IDs to edit, comma-separated), LOAD_MUNICIPALITY (the X-Municipality slug).

local token = os.getenv("LOAD_TOKEN") or error("LOAD_TOKEN is required")
local slug = os.getenv("LOAD_MUNICIPALITY") or "synthetic"
local ids = {}
for id in string.gmatch(os.getenv("LOAD_ACTIVITIES") or "", "[^,]+") do
  ids[#ids + 1] = id
end
if #ids == 0 then error("LOAD_ACTIVITIES is required") end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

local activity = "id title summary free organisation { id name } categories { id name } venue { id name }"
local catalogue = '{"query": ' .. json_string("query Catalogue { activities(first: 20) { edges { node { " .. activity .. " } } } }") .. '}'
local search = '{"query": ' .. json_string("query Search($q: String!) { search(query: $q, first: 20) { edges { rank node { " ..
  "... on Activity { " .. activity .. " } ... on Organisation { id name } } } } }") .. ', "variables": {"q": "svømming"}}'
local edit = "mutation Edit($id: ID!, $s: String) { updateActivity(id: $id, input: {summary: $s}) { activity { id summary } } }"

local kinds = { "catalogue", "catalogue", "search", "geo", "catalogue", "edit", "catalogue", "search", "geo", "edit" }
local n, thread_id = 0, 0
-- Globals, so that done() can read each thread's with thread:get.
counts, errors, samples = {}, {}, ""

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  threads = threads or {}
  threads[#threads + 1] = thread
end

function init(args)
  for _, k in ipairs({ "catalogue", "search", "geo", "edit", "other" }) do counts[k], errors[k] = 0, 0 end
end

function request()
  n = n + 1
  local kind = kinds[(n % #kinds) + 1]
  local headers = { ["X-Municipality"] = slug, ["Accept-Language"] = "nb", ["Content-Type"] = "application/json" }
  if kind == "catalogue" then
    return wrk.format("POST", "/graphql", headers, catalogue)
  elseif kind == "search" then
    return wrk.format("POST", "/graphql", headers, search)
  elseif kind == "geo" then
    return wrk.format("GET", "/geo/activities.geojson?near=59.05,10.03,3", headers)
  end
  headers["Authorization"] = "Bearer " .. token
  local body = '{"query": ' .. json_string(edit) .. ', "variables": {"id": "' .. ids[(n % #ids) + 1] ..
    '", "s": "Endret ' .. n .. '"}}'
  return wrk.format("POST", "/graphql", headers, body)
end

-- kind_of tells an answer's kind by its content (a thread's connections answer in any order).
local function kind_of(body)
  if string.find(body, '"FeatureCollection"', 1, true) then return "geo" end
  if string.find(body, '"updateActivity"', 1, true) then return "edit" end
  if string.find(body, '"search"', 1, true) then return "search" end
  if string.find(body, '"activities"', 1, true) then return "catalogue" end
  return "other"
end

function response(status, headers, body)
  local kind = kind_of(body)
  counts[kind] = (counts[kind] or 0) + 1
  local bad = status ~= 200 or kind == "other" or (kind ~= "geo" and string.find(body, '"errors"', 1, true))
  if bad then
    errors[kind] = (errors[kind] or 0) + 1
    if #samples < 2000 then samples = samples .. status .. " " .. kind .. ": " .. string.sub(body, 1, 300) .. "\n" end
  end
end

function done(summary, latency, requests)
  local total, bad = {}, {}
  local text = ""
  for _, t in ipairs(threads) do
    for _, k in ipairs({ "catalogue", "search", "geo", "edit", "other" }) do
      total[k] = (total[k] or 0) + (t:get("counts")[k] or 0)
      bad[k] = (bad[k] or 0) + (t:get("errors")[k] or 0)
    end
    text = text .. (t:get("samples") or "")
  end
  for _, k in ipairs({ "catalogue", "search", "geo", "edit", "other" }) do
    io.write(string.format("load %s: %d answers, %d errors\n", k, total[k], bad[k]))
  end
  if text ~= "" then io.write("error samples:\n" .. text) end
end
