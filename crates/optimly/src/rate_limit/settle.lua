-- The settle script of the shared limiter: KEYS and ARGV are described on `SETTLE` in redis.rs.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local answer, lease = ARGV[2], tonumber(ARGV[3])
local fills = {}
local a = 4
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now, ARGV[1])
  if answer ~= 'none' then redis.call('ZREM', key, '~probe') end
  local k, span = tonumber(ARGV[a]), 0
  for j = 0, k - 1 do
    local window = tonumber(ARGV[a + 2 + 2 * j])
    if window > span then span = window end
    if answer == '429' then
      -- The window's slots (the markers are not slots) and the age of its oldest.
      local from = now - window
      local n = redis.call('ZCOUNT', key, '(' .. from, '+inf')
      for _, s in ipairs(redis.call('ZMSCORE', key, '~pause', '~probe')) do
        if s and tonumber(s) > from then n = n - 1 end
      end
      local oldest = -1
      local first = redis.call('ZRANGEBYSCORE', key, '(' .. from, now, 'WITHSCORES', 'LIMIT', 0, 3)
      for e = 1, #first, 2 do
        if oldest == -1 and string.sub(first[e], 1, 1) ~= '~' then oldest = now - tonumber(first[e + 1]) end
      end
      table.insert(fills, n)
      table.insert(fills, oldest)
    end
  end
  a = a + 1 + 2 * k
  -- The set outlives its longest window after its last slot's end, and the lease of any
  -- slot still running.
  redis.call('PEXPIRE', key, span + lease + 1000)
end
return fills
