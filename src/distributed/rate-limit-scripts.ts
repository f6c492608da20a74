import { defineRedisScript } from './redis-script.js';

// The Lua side of the Redis rate limiter: the same rules as src/core/rate-limiter.ts, on state every
// worker shares. Every script works on the six keys of one provider + model, always in this order:
//   KEYS[1] in-flight  ZSET  lease id -> when the lease expires unless its holder refreshes it (ms)
//   KEYS[2] window     ZSET  lease id -> when the call ended (ms), or earlier once the provider said
//                            its window moved on: it counts until then + window
//   KEYS[3] tokens     HASH  lease id -> tokens (the estimate while in flight, the real usage after)
//   KEYS[4] state      HASH  pausedUntil, allowed (adaptive concurrency), lastLimitedAt, lastGrowthAt,
//                            due<U> (pacing), confirmedDue<U> (the pace at the rate that held),
//                            foreign<U> + foreignUntil<U> (others' usage the headers showed), epoch +
//                            step* (the last learning step), rateChangedAt, paceBound, failedProbes,
//                            exhausted + exhaustedUntil (a spent daily quota)
//   KEYS[5] learned    HASH  what is learned, kept for weeks so the next run starts at it:
//                            stated<U>, source<U>, detail<U>, window<U>, rate<U>, base<U>, confirmed<U>,
//                            learnedAt<U>, exhausted (the last spent quota, for display)
//   KEYS[6] samples    LIST  "epoch:start:tokens" of the last admitted calls, for measuring a rate
// <U> is R (requests) or T (tokens). Time is Redis's own clock (TIME), so workers on machines with
// skewed clocks agree on the window.

const PRELUDE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
-- a call counts from its end, so this margin only absorbs timer granularity
local MARGIN = 10
local PACE_MARGIN = 0.02
local MEASURED_PACE_MARGIN = 0.01
local RATE_DECREASE = 0.9
local RATE_INCREASE = 0.05
local CALM_CALLS = 5
local CALM_MIN_MS = 1000
local SAMPLE_LIMIT = 512

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

local function sum(values)
  local total = 0
  for _, value in ipairs(values) do total = total + value end
  return total
end

local function prune(windowMs)
  -- a lease nobody refreshed belongs to a dead worker: its call counts as ended when the lease expired
  local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES')
  for index = 1, #expired, 2 do
    redis.call('ZREM', KEYS[1], expired[index])
    redis.call('ZADD', KEYS[2], expired[index + 1], expired[index])
  end
  local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - windowMs - MARGIN)
  if #old > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - windowMs - MARGIN)
    for first = 1, #old, 500 do
      local chunk = {}
      for index = first, math.min(first + 499, #old) do chunk[#chunk + 1] = old[index] end
      redis.call('HDEL', KEYS[3], unpack(chunk))
    end
  end
end

-- idle limiters leave nothing behind; a long pause or spent quota keeps its state key alive until it ends
local function touch(keyTtlMs, learnedTtlMs)
  for _, index in ipairs({1, 2, 3, 6}) do redis.call('PEXPIRE', KEYS[index], keyTtlMs) end
  local state = redis.call('HMGET', KEYS[4], 'pausedUntil', 'exhaustedUntil')
  local keepUntil = math.max(tonumber(state[1]) or 0, tonumber(state[2]) or 0)
  redis.call('PEXPIRE', KEYS[4], math.max(keyTtlMs, keepUntil - now + keyTtlMs))
  if learnedTtlMs and redis.call('EXISTS', KEYS[5]) == 1 then redis.call('PEXPIRE', KEYS[5], learnedTtlMs) end
end

-- what is known about one budget: the configured figure overrides everything learned
local function readBudget(unit, configured)
  local learned = redis.call('HMGET', KEYS[5], 'stated' .. unit, 'window' .. unit, 'rate' .. unit, 'source' .. unit, 'confirmed' .. unit)
  local state = redis.call('HMGET', KEYS[4], 'due' .. unit, 'foreign' .. unit, 'foreignUntil' .. unit, 'confirmedDue' .. unit)
  local budget = {
    unit = unit, stated = tonumber(learned[1]), window = tonumber(learned[2]), rate = tonumber(learned[3]), source = learned[4],
    confirmed = tonumber(learned[5]),
    due = tonumber(state[1]) or 0, foreign = tonumber(state[2]) or 0, foreignUntil = tonumber(state[3]) or 0,
    -- the pace had every call gone at the confirmed rate: where a failed probe puts it back
    confirmedDue = tonumber(state[4]) or 0,
  }
  if configured > 0 then budget.configured = configured end
  return budget
end

local function limitOf(budget) return budget.configured or budget.stated end

local function windowOf(budget, windowMs)
  if budget.configured == nil and budget.window ~= nil and budget.window < windowMs then return budget.window end
  return windowMs
end

-- ms per unit of budget when spent evenly; 0 when nothing is known
local function intervalOf(budget, windowMs)
  local limit = limitOf(budget)
  local byLimit = 0
  if limit ~= nil then byLimit = windowOf(budget, windowMs) / limit * (1 + PACE_MARGIN) end
  local byRate = 0
  if budget.configured == nil and budget.rate ~= nil and budget.rate > 0 then byRate = 1 / budget.rate * (1 + MEASURED_PACE_MARGIN) end
  return math.max(byLimit, byRate)
end

-- the interval at the rate that held a calm period (the measured rate itself while none has)
local function heldIntervalOf(budget, windowMs)
  local held = { unit = budget.unit, configured = budget.configured, stated = budget.stated, window = budget.window, rate = budget.confirmed or budget.rate }
  return intervalOf(held, windowMs)
end

-- a sixtieth of a stated budget may go at once; nothing of a measured rate
local function toleranceOf(budget, interval, windowMs)
  if limitOf(budget) == nil then return 0 end
  local share = windowOf(budget, windowMs) / 60
  if budget.unit == 'R' then return math.max(0, share - interval) end
  return share
end

local function foreignOf(budget)
  if now < budget.foreignUntil then return budget.foreign end
  return 0
end

-- sets the measured rates from the last step's epoch: a 429 never lets a rate rise
local function measure(configured)
  local step = redis.call('HMGET', KEYS[4], 'stepEpoch', 'stepAgainAt', 'stepPrevR', 'stepPrevT', 'stepConfR', 'stepConfT')
  local stepEpoch = tonumber(step[1])
  local againAt = tonumber(step[2])
  if stepEpoch == nil or againAt == nil then return end
  local calls = {}
  for _, sample in ipairs(redis.call('LRANGE', KEYS[6], 0, SAMPLE_LIMIT - 1)) do
    local epoch, start, tokens = string.match(sample, '^([^:]+):([^:]+):([^:]+)$')
    if tonumber(epoch) == stepEpoch then calls[#calls + 1] = { start = tonumber(start), tokens = tonumber(tokens) } end
  end
  table.sort(calls, function(a, b) return a.start > b.start end)
  local best = { R = 0, T = 0 }
  local count, tokenSum = 0, 0
  for _, call in ipairs(calls) do
    count = count + 1
    tokenSum = tokenSum + call.tokens
    local span = math.max(1, againAt - call.start)
    best.R = math.max(best.R, count / span)
    best.T = math.max(best.T, tokenSum / span)
  end
  -- nothing admitted at all: one call per Retry-After is all that is known to pass
  if best.R == 0 then best.R = 1 / math.max(1, againAt - now) end
  local previous = { R = tonumber(step[3]), T = tonumber(step[4]) }
  local confirmed = { R = tonumber(step[5]), T = tonumber(step[6]) }
  for _, unit in ipairs({'R', 'T'}) do
    if configured[unit] == 0 and best[unit] > 0 then
      local rate = best[unit]
      -- a probe above a rate that held a calm period failed: back to that rate (a measurement over paced
      -- calls reads our own pace, not the provider's limit); any other 429 cuts the rate
      if previous[unit] ~= nil and confirmed[unit] ~= nil and previous[unit] > confirmed[unit] then
        rate = confirmed[unit]
        -- the calls sent during the probe went closer together than the rate that held: the pace goes on
        -- as if they had not, or the provider's window, still holding them, refuses the next call too
        local pace = redis.call('HMGET', KEYS[4], 'due' .. unit, 'confirmedDue' .. unit)
        redis.call('HSET', KEYS[4], 'due' .. unit, math.max(tonumber(pace[1]) or 0, tonumber(pace[2]) or 0))
      elseif previous[unit] ~= nil then
        rate = math.min(rate, previous[unit] * RATE_DECREASE)
      end
      redis.call('HSET', KEYS[5], 'rate' .. unit, rate, 'base' .. unit, rate, 'confirmed' .. unit, rate, 'learnedAt' .. unit, now)
    end
  end
  redis.call('HSET', KEYS[4], 'rateChangedAt', now, 'paceBound', 0)
end

-- additive increase: after a calm period in which a measured rate held calls back, probe a little higher
local function raiseIfCalm(configured)
  local learned = redis.call('HMGET', KEYS[5], 'rateR', 'rateT', 'baseR', 'baseT')
  local rates = { R = tonumber(learned[1]), T = tonumber(learned[2]) }
  local bases = { R = tonumber(learned[3]), T = tonumber(learned[4]) }
  if rates.R == nil and rates.T == nil then return end
  local state = redis.call('HMGET', KEYS[4], 'paceBound', 'rateChangedAt', 'lastLimitedAt', 'failedProbes')
  local calmMs = CALM_MIN_MS
  if rates.R ~= nil and configured.R == 0 then calmMs = math.max(calmMs, CALM_CALLS / rates.R) end
  -- each probe that met a 429 doubles the calm period before the next
  calmMs = calmMs * 2 ^ (tonumber(state[4]) or 0)
  if state[1] ~= '1' or now - (tonumber(state[2]) or 0) < calmMs or now - (tonumber(state[3]) or 0) < calmMs then return end
  for _, unit in ipairs({'R', 'T'}) do
    if configured[unit] == 0 and rates[unit] ~= nil then
      redis.call('HSET', KEYS[5], 'confirmed' .. unit, rates[unit], 'rate' .. unit, rates[unit] + RATE_INCREASE * (bases[unit] or rates[unit]), 'learnedAt' .. unit, now)
    end
  end
  redis.call('HDEL', KEYS[4], 'stepEpoch', 'stepAgainAt', 'stepPrevR', 'stepPrevT', 'stepConfR', 'stepConfT')
  redis.call('HSET', KEYS[4], 'rateChangedAt', now, 'paceBound', 0)
end
`;

/**
 * ARGV: lease id, tokens, rpm (0: none), tpm (0: none), window ms, concurrency (0: none), lease TTL ms,
 * key TTL ms, learned TTL ms.
 * Returns {1, 0, allowed, epoch, start} when granted; {0, delay, allowed} to wait: the ms until a place
 * frees by time, or -1 when only an in-flight call ending can free one; {-1, ms until it resets, allowed,
 * 0, 0, quota json} while a daily quota is spent. `allowed` is -1 without a concurrency cap.
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
local learnedTtlMs = tonumber(ARGV[9])
prune(windowMs)

local state = redis.call('HMGET', KEYS[4], 'pausedUntil', 'allowed', 'lastLimitedAt', 'lastGrowthAt', 'exhaustedUntil', 'exhausted')
local allowed = -1
local exhaustedUntil = tonumber(state[5]) or 0
if exhaustedUntil > now then return {-1, exhaustedUntil - now, allowed, 0, 0, state[6] or ''} end
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
local requests = readBudget('R', rpm)
local tokenBudget = readBudget('T', tpm)

-- a budget's window is full: how long until enough of it leaves. Window entries leave oldest first,
-- others' usage all at once when its headers said; calls in flight leave only when they end
local function delayUntilRoom(excess, weights, entries, foreign, foreignUntil)
  local isForeignCounted = foreign > 0
  for index = 1, #entries, 2 do
    local leavesAt = tonumber(entries[index + 1]) + windowMs + MARGIN
    if isForeignCounted and foreignUntil <= leavesAt then
      excess = excess - foreign
      isForeignCounted = false
      if excess <= 0 then return math.max(1, foreignUntil - now) end
    end
    excess = excess - weights[(index + 1) / 2]
    if excess <= 0 then return math.max(1, math.ceil(leavesAt - now)) end
  end
  if isForeignCounted and excess - foreign <= 0 then return math.max(1, foreignUntil - now) end
  return -1
end

local limit = limitOf(requests)
if limit ~= nil then
  local foreign = foreignOf(requests)
  local excess = inFlight + windowed + foreign + 1 - limit
  if excess > 0 then
    local entries = redis.call('ZRANGE', KEYS[2], 0, excess - 1, 'WITHSCORES')
    local ones = {}
    for index = 1, #entries / 2 do ones[index] = 1 end
    return {0, delayUntilRoom(excess, ones, entries, foreign, requests.foreignUntil), allowed}
  end
end

limit = limitOf(tokenBudget)
local foreignTokens = foreignOf(tokenBudget)
if limit ~= nil and (inFlight + windowed > 0 or foreignTokens > 0) then
  local used = sum(tokensOf(redis.call('ZRANGE', KEYS[1], 0, -1))) + foreignTokens
  local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
  local ids = {}
  for index = 1, #entries, 2 do ids[#ids + 1] = entries[index] end
  local windowTokens = tokensOf(ids)
  used = used + sum(windowTokens)
  -- a call larger than the whole budget still runs, alone, once the window is empty
  local excess = used + tokens - limit
  if tokens > limit then excess = used end
  if excess > 0 then return {0, delayUntilRoom(excess, windowTokens, entries, foreignTokens, tokenBudget.foreignUntil), allowed} end
end

-- pacing (GCRA): a known budget is spent evenly, a sixtieth of it at most at once
local delay = 0
local isPaceBound = false
for _, budget in ipairs({requests, tokenBudget}) do
  local interval = intervalOf(budget, windowMs)
  if interval > 0 then
    local paceDelay = budget.due - toleranceOf(budget, interval, windowMs) - now
    if paceDelay > 0 then
      delay = math.max(delay, paceDelay)
      local stated = limitOf(budget)
      -- only a hold by the measured rate (not by a stated limit) is a reason to probe it higher
      if budget.rate ~= nil and (stated == nil or 1 / budget.rate > windowOf(budget, windowMs) / stated) then isPaceBound = true end
    end
  end
end
if isPaceBound then redis.call('HSET', KEYS[4], 'paceBound', 1) end
if delay > 0 then return {0, math.max(1, math.ceil(delay)), allowed} end

for _, budget in ipairs({requests, tokenBudget}) do
  local interval = intervalOf(budget, windowMs)
  if interval > 0 then
    local cost = 1
    if budget.unit == 'T' then cost = tokens end
    redis.call('HSET', KEYS[4], 'due' .. budget.unit, math.max(budget.due, now) + cost * interval)
    redis.call('HSET', KEYS[4], 'confirmedDue' .. budget.unit, math.max(budget.confirmedDue, now) + cost * heldIntervalOf(budget, windowMs))
  end
end
redis.call('ZADD', KEYS[1], now + leaseTtlMs, leaseId)
redis.call('HSET', KEYS[3], leaseId, tokens)
touch(keyTtlMs, learnedTtlMs)
return {1, 0, allowed, tonumber(redis.call('HGET', KEYS[4], 'epoch')) or 0, now}
`);

/**
 * ARGV: 1 lease id, 2 tokens (-1: keep the estimate), 3 rate limited (0/1), 4 retry-after ms (-1: none),
 * 5 concurrency (0: none), 6 key TTL ms, 7 unused (1: the lease was granted to a waiter that had already
 * given up, so no call was made), 8 the call's epoch, 9 its start, 10 its token estimate, 11 window ms,
 * 12 rpm (0: none), 13 tpm (0: none), 14-17 the requests headers' limit, remaining, reset ms (-1: none) and
 * the header's name, 18-21 the same for tokens, 22-23 the requests quota a 429 body named (limit, -1: none;
 * name), 24-25 the same for tokens, 26 a spent daily quota (json, '' if none), 27 until when (ms), 28 learned TTL ms.
 * Returns the allowed concurrency (-1 without a cap).
 */
export const releaseScript = defineRedisScript(`${PRELUDE}
local leaseId = ARGV[1]
local tokens = tonumber(ARGV[2])
local isRateLimited = ARGV[3] == '1'
local retryAfterMs = tonumber(ARGV[4])
local concurrency = tonumber(ARGV[5])
local keyTtlMs = tonumber(ARGV[6])
local callEpoch = tonumber(ARGV[8])
local callStart = tonumber(ARGV[9])
local estimate = tonumber(ARGV[10])
local windowMs = tonumber(ARGV[11])
local configured = { R = tonumber(ARGV[12]), T = tonumber(ARGV[13]) }
local headers = {
  R = { limit = tonumber(ARGV[14]), remaining = tonumber(ARGV[15]), resetMs = tonumber(ARGV[16]), name = ARGV[17] },
  T = { limit = tonumber(ARGV[18]), remaining = tonumber(ARGV[19]), resetMs = tonumber(ARGV[20]), name = ARGV[21] },
}
local quotas = { R = { limit = tonumber(ARGV[22]), name = ARGV[23] }, T = { limit = tonumber(ARGV[24]), name = ARGV[25] } }
local exhausted = ARGV[26]
local exhaustedUntil = tonumber(ARGV[27])
local learnedTtlMs = tonumber(ARGV[28])

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
prune(windowMs)

local budgets = { R = readBudget('R', configured.R), T = readBudget('T', configured.T) }
-- a stated token budget counts real usage: the pace ran on the estimate, so settle the difference
-- (a measured token rate was measured in estimates, and stays in them)
local tokenLimit = limitOf(budgets.T)
if tokens >= 0 and tokenLimit ~= nil and (budgets.T.configured ~= nil or budgets.T.rate == nil or windowOf(budgets.T, windowMs) / tokenLimit >= 1 / budgets.T.rate) then
  redis.call('HSET', KEYS[4], 'dueT', budgets.T.due + (tokens - estimate) * intervalOf(budgets.T, windowMs))
end

local function pauseFor(ms)
  local pausedUntil = tonumber(redis.call('HGET', KEYS[4], 'pausedUntil')) or 0
  redis.call('HSET', KEYS[4], 'pausedUntil', math.max(pausedUntil, now + ms))
end

-- rate-limit headers: the stated limit, others' usage, and when our ended calls stop counting
local releaseAt = 0
local isEveryBudgetRead = true
local isAnyRead = false
for _, unit in ipairs({'R', 'T'}) do
  local budget = budgets[unit]
  local reading = headers[unit]
  if reading.limit < 0 then
    if limitOf(budget) ~= nil then isEveryBudgetRead = false end
  else
    isAnyRead = true
    releaseAt = math.max(releaseAt, now + reading.resetMs)
    if budget.configured == nil then
      if reading.remaining < reading.limit then
        -- the budget is whole again at the reset, and the call was sent before: the window is no longer
        local observed = math.max(1, reading.resetMs + (now - callStart))
        if observed < math.min(budget.window or math.huge, windowMs) then redis.call('HSET', KEYS[5], 'window' .. unit, observed) end
      end
      if budget.stated ~= reading.limit or budget.source ~= 'headers' then
        redis.call('HSET', KEYS[5], 'stated' .. unit, reading.limit, 'source' .. unit, 'headers', 'detail' .. unit, reading.name, 'learnedAt' .. unit, now)
      end
    end
    -- a configured figure stands over the stated one, but others' usage is a fact either way; a budget
    -- spent by our own paced calls is the steady state (0 remaining is normal then), not a reason to stop
    local ownEnded = redis.call('ZCARD', KEYS[2])
    if unit == 'T' then
      local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
      ownEnded = sum(tokensOf(ids))
    end
    redis.call('HSET', KEYS[4], 'foreign' .. unit, math.max(0, reading.limit - reading.remaining - ownEnded), 'foreignUntil' .. unit, now + reading.resetMs)
  end
end
-- the budget is whole again at the reset: none of the ended calls counts there any longer
if isAnyRead and isEveryBudgetRead then
  local at = releaseAt - windowMs - MARGIN
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. at, '+inf')) do redis.call('ZADD', KEYS[2], at, id) end
end

local allowed = -1
if isRateLimited then
  local waitMs = 1000
  if retryAfterMs >= 0 then waitMs = retryAfterMs end
  pauseFor(waitMs)
  -- a refused call spent none of the provider's budget: its retry takes its place in the pace
  for _, unit in ipairs({'R', 'T'}) do
    local interval = intervalOf(budgets[unit], windowMs)
    local cost = 1
    if unit == 'T' then cost = estimate end
    if interval > 0 then
      redis.call('HSET', KEYS[4], 'due' .. unit, budgets[unit].due - cost * interval)
      redis.call('HSET', KEYS[4], 'confirmedDue' .. unit, budgets[unit].confirmedDue - cost * heldIntervalOf(budgets[unit], windowMs))
    end
  end
  if exhausted ~= '' then
    redis.call('HSET', KEYS[4], 'exhaustedUntil', exhaustedUntil, 'exhausted', exhausted)
    redis.call('HSET', KEYS[5], 'exhausted', exhausted, 'exhaustedAt', now)
  else
    for _, unit in ipairs({'R', 'T'}) do
      local quota = quotas[unit]
      if quota.limit > 0 and configured[unit] == 0 then
        redis.call('HSET', KEYS[5], 'stated' .. unit, quota.limit, 'source' .. unit, '429 body', 'detail' .. unit, quota.name, 'learnedAt' .. unit, now)
      end
    end
    local epoch = tonumber(redis.call('HGET', KEYS[4], 'epoch')) or 0
    -- a call started before the last learning step: that step already counted its 429
    if callEpoch == epoch then
      redis.call('HSET', KEYS[4], 'epoch', epoch + 1, 'lastLimitedAt', now, 'stepEpoch', callEpoch, 'stepAgainAt', now + waitMs)
      redis.call('HDEL', KEYS[4], 'stepPrevR', 'stepPrevT', 'stepConfR', 'stepConfT')
      local confirmed = redis.call('HMGET', KEYS[5], 'confirmedR', 'confirmedT')
      local isProbe = false
      for index, unit in ipairs({'R', 'T'}) do
        local rate, held = budgets[unit].rate, tonumber(confirmed[index])
        if rate ~= nil then redis.call('HSET', KEYS[4], 'stepPrev' .. unit, rate) end
        if held ~= nil then redis.call('HSET', KEYS[4], 'stepConf' .. unit, held) end
        if rate ~= nil and held ~= nil and rate > held then isProbe = true end
      end
      if isProbe then redis.call('HINCRBY', KEYS[4], 'failedProbes', 1) end
      if concurrency > 0 then
        local current = tonumber(redis.call('HGET', KEYS[4], 'allowed')) or concurrency
        allowed = math.max(1, math.floor(math.min(current, concurrency) / 2))
        redis.call('HSET', KEYS[4], 'allowed', allowed)
      end
      measure(configured)
    end
  end
else
  -- in the estimate's units, the ones the pace charges before a call
  redis.call('LPUSH', KEYS[6], callEpoch .. ':' .. callStart .. ':' .. estimate)
  redis.call('LTRIM', KEYS[6], 0, SAMPLE_LIMIT - 1)
  -- a call of the measured epoch was admitted after all: the measurement grows by it
  if tonumber(redis.call('HGET', KEYS[4], 'stepEpoch')) == callEpoch then measure(configured) else raiseIfCalm(configured) end
end
if allowed < 0 and concurrency > 0 then
  allowed = tonumber(redis.call('HGET', KEYS[4], 'allowed')) or concurrency
end
touch(keyTtlMs, learnedTtlMs)
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
