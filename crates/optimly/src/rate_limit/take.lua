-- The take script of the shared limiter: KEYS and ARGV are described on `TAKE` in redis.rs.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease, patience = tonumber(ARGV[2]), tonumber(ARGV[3])
local worst_window, worst_wait, worst_held = 0, -2, 0
local probe, spans, fresh = {}, {}, {}
local a, flat = 4, 0
for i, key in ipairs(KEYS) do
  local k, first = tonumber(ARGV[a]), a + 1
  a = first + 2 * k
  local longest, least = 0, nil
  for j = 0, k - 1 do
    local count, window = tonumber(ARGV[first + 2 * j]), tonumber(ARGV[first + 2 * j + 1])
    if window > longest then longest = window end
    if least == nil or count < least then least = count end
  end
  spans[i] = longest
  local marks = redis.call('ZMSCORE', key, '~pause', '~probe')
  local pause, probing = tonumber(marks[1]), tonumber(marks[2])
  local wait, which, held = -2, flat, 0
  if pause and pause > now then
    wait = pause - now
  elseif probing and probing > now then
    wait, held = probing - now, 1
  else
    if pause then
      redis.call('ZREM', key, '~pause')
      probe[i] = true
    end
    if probing then redis.call('ZREM', key, '~probe') end
    local n = redis.call('ZCARD', key)
    if n == 0 then fresh[i] = true end
    -- Nothing known of this owner (a new key, or one idle past its expiry): this request goes
    -- first, the others wait for its answer.
    if n == 0 and not pause then probe[i] = true end
    -- The set's size bounds every window's count from above.
    if least and n >= least then
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - longest)
      for j = 0, k - 1 do
        local count, window = tonumber(ARGV[first + 2 * j]), tonumber(ARGV[first + 2 * j + 1])
        local from = '(' .. (now - window)
        local n = redis.call('ZCOUNT', key, from, '+inf')
        if n >= count then
          local e = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', n - count, 1)
          local s = tonumber(e[2])
          local w = -1
          if s <= now then w = s + window - now end
          if wait == -2 or w > wait then wait, which = w, flat + j end
        end
      end
    end
  end
  if wait ~= -2 and (worst_wait == -2 or wait > worst_wait) then
    worst_window, worst_wait, worst_held = which, wait, held
  end
  flat = flat + k
end
if worst_wait ~= -2 then return {0, worst_window, worst_wait, worst_held} end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + lease, ARGV[1])
  if probe[i] then
    redis.call('ZADD', key, now + patience, '~probe')
  end
  -- A new set gets its expiry here; the settle renews it.
  if fresh[i] then redis.call('PEXPIRE', key, spans[i] + lease + 1000) end
end
return {1}
