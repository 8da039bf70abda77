-- The settle script of the shared limiter: KEYS and ARGV are described on `SETTLE` in redis.rs.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local answer, retry_after, cap = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
local a = 6
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now, ARGV[1])
  if answer ~= 'none' then redis.call('ZREM', key, '~probe') end
  local k, span = tonumber(ARGV[a]), 0
  for j = 0, k - 1 do
    local window = tonumber(ARGV[a + 2 + 2 * j])
    if window > span then span = window end
  end
  a = a + 1 + 2 * k
  -- The set outlives its longest window after its last slot's end, and the lease of any
  -- slot still running.
  redis.call('PEXPIRE', key, span + lease + 1000)
end
if answer ~= '429' then return -1 end
local best, best_fill, best_window, best_n, best_span = 0, -1, 0, 0, 0
a = 6
for i, key in ipairs(KEYS) do
  local k = tonumber(ARGV[a])
  a = a + 1
  local pause = tonumber(redis.call('ZSCORE', key, '~pause'))
  local span = 0
  for j = 0, k - 1 do
    local count, window = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
    a = a + 2
    if window > span then span = window end
    local n = redis.call('ZCOUNT', key, '(' .. (now - window), '+inf')
    if pause and pause > now - window then n = n - 1 end
    local fill = n / count
    if fill > best_fill or (fill == best_fill and window < best_window) then
      best, best_fill, best_window, best_n = i, fill, window, n
    end
  end
  if best == i then best_span = span end
end
local key, window = KEYS[best], best_window
local pause = retry_after
if pause < 0 then
  pause = window
  if best_n > 0 then
    local e = redis.call('ZRANGEBYSCORE', key, '(' .. (now - window), now, 'WITHSCORES', 'LIMIT', 0, 1)
    if e[2] then
      local left = tonumber(e[2]) + window - now
      if left > 0 then pause = left end
    end
  end
end
if pause > cap then pause = cap end
redis.call('ZADD', key, now + pause, '~pause')
local want = pause + best_span + 1000
if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, want) end
return pause
