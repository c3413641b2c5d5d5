/**
 * The shared search queue's scripts, run atomically in Redis, so two nodes can
 * never claim the same person. Entries are JSON under `<p>e:<key>`, indexed by
 * interest (`<p>i:<interest>`, sets) and by waiting time (`<p>all`, `<p>wide`,
 * sorted sets). Two accounts kept apart after a chat: `<p>recent:<account>` is
 * `<other account>|<until, ms>`. The policy is the in-process queue's
 * (domain/searchQueue.ts); one test suite runs over both.
 */

/** Shared by FIND and RETRY: pick the best waiting partner for `me`, or nil. ARGV[5]: the time now, ms. */
const PICK = `
local p = ARGV[1]
local limit = tonumber(ARGV[3])
local now = tonumber(ARGV[5])
-- Looked up once per account and per node within one call: a search checks many candidates.
local recentOf, aliveOf = {}, {}
local function recent(a)
  if recentOf[a] == nil then recentOf[a] = redis.call('GET', p .. 'recent:' .. a) or false end
  return recentOf[a]
end
local function alive(node)
  if aliveOf[node] == nil then aliveOf[node] = redis.call('EXISTS', 'metsony:alive:' .. node) == 1 end
  return aliveOf[node]
end
local function apart(a, b)
  local v = recent(a)
  if not v then return false end
  local bar = string.find(v, '|', 1, true)
  -- written by a node of an older version (a rolling upgrade): the account alone, kept apart until the key expires
  if not bar then return v == b end
  return string.sub(v, 1, bar - 1) == b and tonumber(string.sub(v, bar + 1)) > now
end
local function load(cache, k)
  if cache[k] == nil then
    local raw = redis.call('GET', p .. 'e:' .. k)
    cache[k] = raw and cjson.decode(raw) or false
  end
  return cache[k]
end
local function eligible(me, c)
  if c.key == me.key or c.account == me.account then return false end
  for _, b in ipairs(me.blocked) do if b == c.account then return false end end
  for _, b in ipairs(c.blocked) do if b == me.account then return false end end
  if apart(me.account, c.account) or apart(c.account, me.account) then return false end
  -- a searcher on a node that stopped its heartbeat is gone
  if c.node ~= me.node and not alive(c.node) then return false end
  return true
end
local function near(me, c)
  return (me.near or c.near) and me.country ~= '' and me.country == c.country
end
local function pick(me)
  local cache = {}
  local counts = {}
  for _, i in ipairs(me.interests) do
    for _, k in ipairs(redis.call('SRANDMEMBER', p .. 'i:' .. i, limit)) do counts[k] = (counts[k] or 0) + 1 end
  end
  local best, bestN, bestNear = nil, 0, false
  for k, n in pairs(counts) do
    local c = load(cache, k)
    if c and eligible(me, c) then
      local nr = near(me, c)
      if best == nil or (nr and not bestNear) or (nr == bestNear and (n > bestN or (n == bestN and c.since < best.since))) then
        best, bestN, bestNear = c, n, nr
      end
    end
  end
  if best == nil or (me.near and me.wide and not bestNear) then
    local pool = me.wide and (p .. 'all') or (p .. 'wide')
    for _, k in ipairs(redis.call('ZRANGE', pool, 0, limit - 1)) do
      local c = load(cache, k)
      if c and eligible(me, c) then
        if near(me, c) then best = c break end
        if best == nil then best = c end
        if not me.near and not c.near then break end
      elseif not c then
        redis.call('ZREM', p .. 'all', k)
        redis.call('ZREM', p .. 'wide', k)
      end
    end
  end
  return best
end
local function unlist(e)
  redis.call('DEL', p .. 'e:' .. e.key)
  redis.call('ZREM', p .. 'all', e.key)
  redis.call('ZREM', p .. 'wide', e.key)
  for _, i in ipairs(e.interests) do redis.call('SREM', p .. 'i:' .. i, e.key) end
end
local function enlist(e, raw)
  redis.call('SET', p .. 'e:' .. e.key, raw, 'PX', tonumber(ARGV[4]))
  redis.call('ZADD', p .. 'all', e.since, e.key)
  if e.wide then redis.call('ZADD', p .. 'wide', e.since, e.key) end
  for _, i in ipairs(e.interests) do redis.call('SADD', p .. 'i:' .. i, e.key) end
end
`;

/** ARGV: prefix, entry JSON, scan limit, entry TTL ms, now. Returns the claimed partner's JSON, or false after queueing `me`. */
export const FIND = `${PICK}
local me = cjson.decode(ARGV[2])
local best = pick(me)
if best then unlist(best) return cjson.encode(best) end
enlist(me, ARGV[2])
return false`;

/** Looks again for a partner of `me`, waiting (widened, or a cooldown ended). ARGV as FIND. 'gone' when `me` was claimed meanwhile; else like FIND. */
export const RETRY = `${PICK}
local me = cjson.decode(ARGV[2])
local old = redis.call('GET', p .. 'e:' .. me.key)
if not old then return 'gone' end
unlist(cjson.decode(old))
local best = pick(me)
if best then unlist(best) return cjson.encode(best) end
enlist(me, ARGV[2])
return false`;

/** ARGV: prefix, key. 1 when it was still waiting (now removed); 0 when someone claimed it. */
export const REMOVE = `
local p = ARGV[1]
local raw = redis.call('GET', p .. 'e:' .. ARGV[2])
if not raw then return 0 end
local e = cjson.decode(raw)
redis.call('DEL', p .. 'e:' .. e.key)
redis.call('ZREM', p .. 'all', e.key)
redis.call('ZREM', p .. 'wide', e.key)
for _, i in ipairs(e.interests) do redis.call('SREM', p .. 'i:' .. i, e.key) end
return 1`;

/** ARGV: prefix, entry JSON, (unused), TTL. Puts an entry back in the queue. */
export const PUT = `${PICK}
enlist(cjson.decode(ARGV[2]), ARGV[2])
return 1`;

/** ARGV: prefix, account a, account b, until (ms), TTL (ms). */
export const KEEP_APART = `
local p = ARGV[1]
redis.call('SET', p .. 'recent:' .. ARGV[2], ARGV[3] .. '|' .. ARGV[4], 'PX', tonumber(ARGV[5]))
redis.call('SET', p .. 'recent:' .. ARGV[3], ARGV[2] .. '|' .. ARGV[4], 'PX', tonumber(ARGV[5]))
return 1`;
