-- wrk script for run.sh: sends the session cookie, counts status codes per thread and
-- prints one summary line at the end.
--
-- wrk itself only counts 4xx/5xx as errors, so a 302 to /login (a wrong or expired
-- cookie) would pass for a fast success; counting every status here makes such a run
-- visible (non2xx > 0).
--
-- Environment: KUZOT_COOKIE (the Cookie header value, e.g. "kuzot_session=…"),
-- WRK_LABEL (a name for the summary line), WRK_PATHS (optional: paths separated by
-- newlines, already URL-encoded; each connection takes them in turn instead of the URL's
-- own path, for a mix of requests).

local threads = {}
-- This thread's paths to take in turn (from WRK_PATHS), and the last one taken.
local paths = {}
local next_path = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  -- Thread-local globals, read back in done() through thread:get.
  statuses = {}
  non2xx = 0
  local cookie = os.getenv("KUZOT_COOKIE")
  if cookie and cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
  for path in string.gmatch(os.getenv("WRK_PATHS") or "", "[^\n]+") do
    table.insert(paths, path)
  end
end

-- Defined only for a mix: without a request function wrk sends one pre-built request.
if (os.getenv("WRK_PATHS") or "") ~= "" then
  function request()
    next_path = next_path % #paths + 1
    return wrk.format(nil, paths[next_path])
  end
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

local function ms(us)
  return string.format("%.1f", us / 1000.0)
end

function done(summary, latency, requests)
  local bad = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    local s = thread:get("statuses") or {}
    for k, v in pairs(s) do
      by_status[k] = (by_status[k] or 0) + v
    end
  end
  local codes = {}
  for k, v in pairs(by_status) do
    table.insert(codes, k .. ":" .. v)
  end
  table.sort(codes)
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  -- One line, key=value, so that run.sh can grep it into the results table.
  io.write(string.format(
    "RESULT label=%s requests=%d rps=%.1f p50_ms=%s p95_ms=%s p99_ms=%s max_ms=%s non2xx=%d socket_errors=%d timeouts=%d statuses=%s\n",
    os.getenv("WRK_LABEL") or "-",
    summary.requests,
    summary.requests / seconds,
    ms(latency:percentile(50)),
    ms(latency:percentile(95)),
    ms(latency:percentile(99)),
    ms(latency.max),
    bad,
    socket_errors,
    e.timeout,
    table.concat(codes, ",")
  ))
end
