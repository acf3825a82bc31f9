-- wrk script: cycle through a list of requests and report the run as one JSON line.
--
-- BENCH_REQUESTS names a file with one request per line: METHOD <tab> PATH [<tab> JSON BODY].
-- Each wrk thread starts at a different offset so threads do not hit the same key in lockstep.
-- BENCH_TOKEN, when set, is sent as `Authorization: Bearer <token>`.
-- done() prints `BENCH_RESULT {...}` with exact p50/p90/p99 (microseconds) and the error counts.

local threads = {}
local counter = 0

local function load_requests()
   local path = os.getenv("BENCH_REQUESTS")
   local list = {}
   if path == nil then
      return list
   end
   for line in io.lines(path) do
      local method, rest = line:match("^(%u+)\t(.*)$")
      if method ~= nil then
         local target, body = rest:match("^([^\t]*)\t(.*)$")
         if target == nil then
            target, body = rest, nil
         end
         list[#list + 1] = { method = method, path = target, body = body }
      end
   end
   return list
end

function setup(thread)
   thread:set("offset", #threads * 7919)
   threads[#threads + 1] = thread
end

local requests = {}

function init(args)
   requests = load_requests()
   counter = tonumber(offset) or 0
   local token = os.getenv("BENCH_TOKEN")
   if token ~= nil and token ~= "" then
      wrk.headers["Authorization"] = "Bearer " .. token
   end
   wrk.headers["Accept"] = "application/json"
end

function request()
   if #requests == 0 then
      return wrk.format()
   end
   local r = requests[(counter % #requests) + 1]
   counter = counter + 1
   if r.body ~= nil then
      wrk.headers["Content-Type"] = "application/json"
   else
      wrk.headers["Content-Type"] = nil
   end
   return wrk.format(r.method, r.path, nil, r.body)
end

function done(summary, latency, requests_)
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      latency.mean,
      e.connect, e.read, e.write, e.status, e.timeout))
end
