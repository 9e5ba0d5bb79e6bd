//! The durable queue's Lua scripts: each step that reads and writes the stream, the retry set,
//! the byte count, the attempt counts and the de-dup mark is one script, so they always agree.
//!
//! Keys of one app: `stream` (entries waiting or taken, fields `k` key, `t` type, `p`
//! payload, `q` first-recorded ms), `retry` (sorted set of entries waiting for a retry, scored
//! by due time, members JSON), `bytes` (bytes queued), `attempts` (hash: key → attempts
//! started), `dead` (dead-letter stream), `mark` (per event: `q` recorded, `d` handled).
//! Times come from Redis (`TIME`) so replicas agree.

use ::redis::Script;
use std::sync::LazyLock;

/// Lua helpers shared by the scripts.
const PRELUDE: &str = r"
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fields(flat)
  local f = {}
  for i = 1, #flat, 2 do f[flat[i]] = flat[i + 1] end
  return f
end
local function owned(stream, group, consumer, id)
  local p = redis.pcall('XPENDING', stream, group, id, id, 1)
  return type(p) == 'table' and p.err == nil and #p == 1 and p[1][2] == consumer
end
local function entry(stream, id)
  local en = redis.call('XRANGE', stream, id, id)
  if #en == 0 then return nil end
  local f = fields(en[1][2])
  if not (f.k and f.t and f.p and f.q) then return nil end
  return f
end
-- Removes the entry `id` the consumer holds from the stream and its pending list; returns its
-- fields, or nil (and changes nothing) when the consumer does not hold it.
local function take_held(stream, group, consumer, id)
  if not owned(stream, group, consumer, id) then return nil end
  local f = entry(stream, id)
  redis.call('XACK', stream, group, id)
  redis.call('XDEL', stream, id)
  return f
end
";

fn script(body: &str) -> Script {
    Script::new(&format!("{PRELUDE}{body}"))
}

/// Records an event unless its mark exists, within the bounds.
///
/// `KEYS` stream, retry, bytes, mark; `ARGV` key, type, payload, max entries, max bytes, mark
/// lifetime (ms). Returns `{status, entries, bytes}`: 1 recorded, 0 already recorded, 2 full.
pub(super) static ENQUEUE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
if redis.call('EXISTS', KEYS[4]) == 1 then return {0, 0, 0} end
local n = redis.call('XLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2])
local b = tonumber(redis.call('GET', KEYS[3]) or '0')
local size = #ARGV[1] + #ARGV[2] + #ARGV[3]
if n >= tonumber(ARGV[4]) or b + size > tonumber(ARGV[5]) then return {2, n, b} end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'k', ARGV[1], 't', ARGV[2], 'p', ARGV[3], 'q', string.format('%.0f', now_ms()))
redis.call('INCRBY', KEYS[3], size)
redis.call('SET', KEYS[4], 'q', 'PX', ARGV[6])
return {1, n, b}
",
    )
});

/// Moves due retries back to the stream, claims entries idle past the visibility timeout,
/// reads new ones, and counts an attempt for each.
///
/// `KEYS` stream, retry, attempts; `ARGV` group, consumer, count, visibility (ms), claim
/// (`1`/`0`). Returns a flat list: id, key, type, payload, attempt, queued ms per entry.
pub(super) static FETCH: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, m in ipairs(due) do
  local ok, e = pcall(cjson.decode, m)
  if ok and type(e) == 'table' and e.k and e.t and e.p and e.q then
    redis.call('XADD', KEYS[1], '*', 'k', e.k, 't', e.t, 'p', e.p, 'q', e.q)
  end
  redis.call('ZREM', KEYS[2], m)
end
redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
local out = {}
local taken = 0
local function take(list)
  for _, en in ipairs(list) do
    if type(en) == 'table' and type(en[2]) == 'table' then
      local f = fields(en[2])
      if f.k and f.t and f.p and f.q then
        local n = redis.call('HINCRBY', KEYS[3], f.k, 1)
        for _, v in ipairs({en[1], f.k, f.t, f.p, tostring(n), f.q}) do table.insert(out, v) end
        taken = taken + 1
      else
        redis.call('XACK', KEYS[1], ARGV[1], en[1])
        redis.call('XDEL', KEYS[1], en[1])
      end
    end
  end
end
local want = tonumber(ARGV[3])
if ARGV[5] == '1' then
  local c = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[4], '0-0', 'COUNT', want)
  take(c[2])
end
if want - taken > 0 then
  local r = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', want - taken, 'STREAMS', KEYS[1], '>')
  if r then take(r[1][2]) end
end
return out
",
    )
});

/// Finishes an entry the caller holds: removed, bytes released, mark set to handled.
///
/// `KEYS` stream, bytes, attempts, mark; `ARGV` group, consumer, id, mark lifetime (ms).
/// Returns 1, or 0 when the caller no longer holds the entry.
pub(super) static COMPLETE: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local f = take_held(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
if not f then return 0 end
redis.call('DECRBY', KEYS[2], #f.k + #f.t + #f.p)
redis.call('HDEL', KEYS[3], f.k)
redis.call('SET', KEYS[4], 'd', 'PX', ARGV[4])
return 1
",
    )
});

/// Moves an entry the caller holds to the retry set, due after a delay.
///
/// `KEYS` stream, retry; `ARGV` group, consumer, id, delay (ms). Returns 1 or 0.
pub(super) static RETRY: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local f = take_held(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
if not f then return 0 end
local member = cjson.encode({k = f.k, t = f.t, p = f.p, q = f.q})
redis.call('ZADD', KEYS[2], now_ms() + tonumber(ARGV[4]), member)
return 1
",
    )
});

/// Moves an entry the caller holds to the dead letters (a stream of about `max` entries).
///
/// `KEYS` stream, bytes, attempts, dead; `ARGV` group, consumer, id, error, max dead letters,
/// attempts. Returns 1 or 0.
pub(super) static BURY: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local f = take_held(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
if not f then return 0 end
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'k', f.k, 't', f.t, 'p', f.p, 'q', f.q, 'n', ARGV[6], 'err', ARGV[4], 'at', string.format('%.0f', now_ms()))
redis.call('DECRBY', KEYS[2], #f.k + #f.t + #f.p)
redis.call('HDEL', KEYS[3], f.k)
return 1
",
    )
});

/// Queues a dead letter again, within the bounds.
///
/// `KEYS` dead, stream, retry, bytes; `ARGV` dead-letter id, max entries, max bytes.
/// Returns `{status, entries, bytes}`: 1 replayed, 0 no such dead letter, 2 full.
pub(super) static REPLAY: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local f = entry(KEYS[1], ARGV[1])
if not f then return {0, 0, 0} end
local n = redis.call('XLEN', KEYS[2]) + redis.call('ZCARD', KEYS[3])
local b = tonumber(redis.call('GET', KEYS[4]) or '0')
local size = #f.k + #f.t + #f.p
if n >= tonumber(ARGV[2]) or b + size > tonumber(ARGV[3]) then return {2, n, b} end
redis.call('XADD', KEYS[2], '*', 'k', f.k, 't', f.t, 'p', f.p, 'q', string.format('%.0f', now_ms()))
redis.call('INCRBY', KEYS[4], size)
redis.call('XDEL', KEYS[1], ARGV[1])
return {1, n, b}
",
    )
});

/// `KEYS` stream, retry, bytes, dead; `ARGV` group. Returns `{depth, in flight, retries,
/// bytes, dead letters, oldest age ms or -1}`.
pub(super) static STATS: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local pend = 0
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if type(p) == 'table' and p.err == nil then pend = p[1] end
local oldest = -1
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first > 0 then
  local f = fields(first[1][2])
  if f.q then oldest = math.max(0, now_ms() - tonumber(f.q)) end
end
return {redis.call('XLEN', KEYS[1]), pend, redis.call('ZCARD', KEYS[2]),
  tonumber(redis.call('GET', KEYS[3]) or '0'), redis.call('XLEN', KEYS[4]), oldest}
",
    )
});

/// `KEYS` dead; `ARGV` count. Returns a flat list, newest first: id, key, type, payload,
/// attempts, error, dead-lettered ms.
pub(super) static DEAD_LIST: LazyLock<Script> = LazyLock::new(|| {
    script(
        r"
local out = {}
for _, en in ipairs(redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[1])) do
  local f = fields(en[2])
  for _, v in ipairs({en[1], f.k or '', f.t or '', f.p or '', f.n or '0', f.err or '', f.at or '0'}) do
    table.insert(out, v)
  end
end
return out
",
    )
});
