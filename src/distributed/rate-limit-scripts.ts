import { defineRedisScript } from './redis-script.js';

// The Lua side of the Redis rate limiter. Every script works on the four keys of one
// provider + model, always passed in this order:
//   KEYS[1] in-flight  ZSET  lease id -> when the lease expires unless its holder refreshes it (ms)
//   KEYS[2] window     ZSET  lease id -> when the call ended (ms): it counts until then + window
//   KEYS[3] tokens     HASH  lease id -> tokens (the estimate while in flight, the real usage after)
//   KEYS[4] state      HASH  pausedUntil, allowed (adaptive concurrency), lastLimitedAt, lastGrowthAt
// Time is Redis's own clock (TIME), so workers on machines with skewed clocks agree on the window.

const PRELUDE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

-- HMGET in chunks: unpack() of thousands of ids would overflow the Lua stack
local function tokensOf(ids)
  local values = {}
  for first = 1, #ids, 500 do
    local chunk = {}
    for index = first, math.min(first + 499, #ids) do chunk[#chunk + 1] = ids[index] end
    local found = redis.call('HMGET', KEYS[3], unpack(chunk))
    for index = 1, #found do values[#values + 1] = tonumber(found[index]) or 0 end
  end
  return values
end

local function prune(windowMs)
  -- a lease nobody refreshed belongs to a dead worker: its call counts as ended when the lease expired
  local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
  for index = 1, #expired, 2 do
    redis.call('ZREM', KEYS[1], expired[index])
    redis.call('ZADD', KEYS[2], expired[index + 1], expired[index])
  end
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - windowMs)
  if #old > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - windowMs)
    for first = 1, #old, 500 do
      local chunk = {}
      for index = first, math.min(first + 499, #old) do chunk[#chunk + 1] = old[index] end
      redis.call('HDEL', KEYS[3], unpack(chunk))
    end
  end
end

-- idle limiters leave nothing behind; a long pause keeps its state key alive until it ends
local function touch(keyTtlMs)
  for index = 1, 3 do redis.call('PEXPIRE', KEYS[index], keyTtlMs) end
  local pausedUntil = tonumber(redis.call('HGET', KEYS[4], 'pausedUntil')) or 0
  redis.call('PEXPIRE', KEYS[4], math.max(keyTtlMs, pausedUntil - now + keyTtlMs))
end
`;

/**
 * ARGV: lease id, tokens, rpm (0: none), tpm (0: none), window ms, concurrency (0: none), lease TTL ms, key TTL ms.
 * Returns {1, 0, allowed} when granted, else {0, delay, allowed}: the ms until a place frees by
 * time, or -1 when only an in-flight call ending can free one. `allowed` is -1 without a cap.
 */
export const acquireScript = defineRedisScript(`${PRELUDE}
local leaseId = ARGV[1]
local tokens = tonumber(ARGV[2])
local rpm = tonumber(ARGV[3])
local tpm = tonumber(ARGV[4])
local windowMs = tonumber(ARGV[5])
local concurrency = tonumber(ARGV[6])
local leaseTtlMs = tonumber(ARGV[7])
local keyTtlMs = tonumber(ARGV[8])
prune(windowMs)

local state = redis.call('HMGET', KEYS[4], 'pausedUntil', 'allowed', 'lastLimitedAt', 'lastGrowthAt')
local allowed = -1
if concurrency > 0 then
  allowed = math.min(tonumber(state[2]) or concurrency, concurrency)
  local lastLimitedAt = tonumber(state[3]) or 0
  local lastGrowthAt = tonumber(state[4]) or 0
  -- after a 429 the shared concurrency halved; one more call per calm second, up to the cap
  if allowed < concurrency and now - lastLimitedAt >= 1000 and now - lastGrowthAt >= 1000 then
    allowed = allowed + 1
    redis.call('HSET', KEYS[4], 'allowed', allowed, 'lastGrowthAt', now)
  end
end
local pausedUntil = tonumber(state[1]) or 0
if pausedUntil > now then return {0, pausedUntil - now, allowed} end

local inFlight = redis.call('ZCARD', KEYS[1])
if concurrency > 0 and inFlight >= allowed then return {0, -1, allowed} end
local windowed = redis.call('ZCARD', KEYS[2])

if rpm > 0 and inFlight + windowed >= rpm then
  -- window entries leave oldest first; calls in flight leave only when they end
  local leaving = inFlight + windowed - rpm
  if leaving < windowed then
    local entry = redis.call('ZRANGE', KEYS[2], leaving, leaving, 'WITHSCORES')
    return {0, math.max(1, tonumber(entry[2]) + windowMs - now), allowed}
  end
  return {0, -1, allowed}
end

if tpm > 0 and inFlight + windowed > 0 then
  local used = 0
  for _, value in ipairs(tokensOf(redis.call('ZRANGE', KEYS[1], 0, -1))) do used = used + value end
  local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  local ids = {}
  for index = 1, #entries, 2 do ids[#ids + 1] = entries[index] end
  local windowTokens = tokensOf(ids)
  for _, value in ipairs(windowTokens) do used = used + value end
  local excess = used + tokens - tpm
  if excess > 0 then
    -- a call larger than the whole budget still runs, alone, once the window is empty
    for index = 1, #ids do
      excess = excess - windowTokens[index]
      if excess <= 0 or index == #ids then
        return {0, math.max(1, tonumber(entries[index * 2]) + windowMs - now), allowed}
      end
    end
    return {0, -1, allowed}
  end
end

redis.call('ZADD', KEYS[1], now + leaseTtlMs, leaseId)
redis.call('HSET', KEYS[3], leaseId, tokens)
touch(keyTtlMs)
return {1, 0, allowed}
`);

/**
 * ARGV: lease id, tokens (-1: keep the estimate), rate limited (0/1), retry-after ms (-1: none),
 * concurrency (0: none), key TTL ms, unused (1: the lease was granted to a waiter that had already
 * given up, so no call was made). Returns the allowed concurrency (-1 without a cap).
 */
export const releaseScript = defineRedisScript(`${PRELUDE}
local leaseId = ARGV[1]
local tokens = tonumber(ARGV[2])
local isRateLimited = ARGV[3] == '1'
local retryAfterMs = tonumber(ARGV[4])
local concurrency = tonumber(ARGV[5])
local keyTtlMs = tonumber(ARGV[6])

redis.call('ZREM', KEYS[1], leaseId)
if ARGV[7] == '1' then
  redis.call('HDEL', KEYS[3], leaseId)
  return -1
end
-- the provider stamped the request somewhere between our send and its answer; counting it from
-- the answer keeps our window behind the provider's, whatever the network delay was
redis.call('ZADD', KEYS[2], now, leaseId)
if tokens >= 0 then
  redis.call('HSET', KEYS[3], leaseId, tokens)
else
  redis.call('HSETNX', KEYS[3], leaseId, 0)
end

local allowed = -1
local pauseMs = -1
if isRateLimited then
  if concurrency > 0 then
    local current = tonumber(redis.call('HGET', KEYS[4], 'allowed')) or concurrency
    allowed = math.max(1, math.floor(math.min(current, concurrency) / 2))
    redis.call('HSET', KEYS[4], 'allowed', allowed, 'lastLimitedAt', now)
  end
  pauseMs = retryAfterMs >= 0 and retryAfterMs or 1000
elseif retryAfterMs >= 0 then
  pauseMs = retryAfterMs
end
if pauseMs >= 0 then
  local pausedUntil = tonumber(redis.call('HGET', KEYS[4], 'pausedUntil')) or 0
  redis.call('HSET', KEYS[4], 'pausedUntil', math.max(pausedUntil, now + pauseMs))
end
if allowed < 0 and concurrency > 0 then
  allowed = tonumber(redis.call('HGET', KEYS[4], 'allowed')) or concurrency
end
touch(keyTtlMs)
return allowed
`);

/**
 * ARGV: lease TTL ms, key TTL ms, then the lease ids this process still holds. A lease that
 * expired meanwhile (the process stalled past its TTL) is taken back from the window.
 */
export const refreshScript = defineRedisScript(`${PRELUDE}
local leaseTtlMs = tonumber(ARGV[1])
local keyTtlMs = tonumber(ARGV[2])
for index = 3, #ARGV do
  redis.call('ZADD', KEYS[1], now + leaseTtlMs, ARGV[index])
  redis.call('ZREM', KEYS[2], ARGV[index])
end
touch(keyTtlMs)
return #ARGV - 2
`);

/** ARGV: pause ms, key TTL ms. No call of this provider + model starts, anywhere, until the pause ends. */
export const pauseScript = defineRedisScript(`${PRELUDE}
local pauseMs = tonumber(ARGV[1])
local keyTtlMs = tonumber(ARGV[2])
local pausedUntil = tonumber(redis.call('HGET', KEYS[4], 'pausedUntil')) or 0
redis.call('HSET', KEYS[4], 'pausedUntil', math.max(pausedUntil, now + pauseMs))
touch(keyTtlMs)
return 1
`);
