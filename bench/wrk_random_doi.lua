-- wrk script for bench/resolver.py and bench/api.py: each request asks for a random DOI from
-- the file named by the DOIS environment variable, under the path prefix in PATH_PREFIX.
local dois = {}
local prefix = os.getenv("PATH_PREFIX") or "/"

function init(args)
  for line in io.lines(os.getenv("DOIS")) do
    dois[#dois + 1] = line
  end
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

function request()
  return wrk.format("GET", prefix .. dois[math.random(#dois)])
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d non2xx3xx=%d seconds=%.3f p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6, latency:percentile(50), latency:percentile(99)))
end
