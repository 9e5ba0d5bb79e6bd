//! The Lua scripts: every read-then-write on shared keys is one script, so Redis runs it
//! atomically and concurrent replicas cannot interleave.
//!
//! Scripts are sent by hash (`EVALSHA`) and loaded again when Redis lost them (after a restart).
//! Times come from Redis (`TIME`), so replicas with skewed clocks agree. Large numbers are
//! written with `%.0f`: Lua's default formatting would round microsecond timestamps.

use ::redis::Script;
use std::sync::LazyLock;

/// Reads a token, or elects the caller to fetch it.
///
/// `KEYS[1]` token, `KEYS[2]` lock; `ARGV[1]` owner, `ARGV[2]` lock lifetime (ms).
/// Returns `{1, value}` (found), `{2, ""}` (the caller holds the lock: fetch) or `{0, ""}`
/// (another owner is fetching: wait).
pub(super) static TOKEN_GET_OR_LOCK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
if redis.call('GET', KEYS[2]) == ARGV[1] then return {2, ''} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2, ''} end
return {0, ''}
",
    )
});

/// Writes a token and releases the fetch lock if the caller holds it.
///
/// `KEYS[1]` token, `KEYS[2]` lock; `ARGV[1]` stored value, `ARGV[2]` lifetime (ms),
/// `ARGV[3]` owner.
pub(super) static TOKEN_SET: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
",
    )
});

/// Deletes a stored token only if it is still the given one (stored as `<until_ms>:<token>`).
///
/// `KEYS[1]` token; `ARGV[1]` the rejected token. Returns 1 when deleted.
pub(super) static TOKEN_EVICT_IF: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local token = string.match(v, '^%d+:(.*)$')
if token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// Deletes a key only if its value is the caller's owner id (a de-dup mark or a lock).
///
/// `KEYS[1]` key; `ARGV[1]` owner. Returns 1 when deleted.
pub(super) static RELEASE_IF_OWNER: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// Admits one request under a shared pause and one or more GCRA limits, all or nothing.
///
/// `ARGV[1]` the number P of pause keys; `KEYS[1..=P]` pauses (resume time, µs), the other
/// keys one theoretical arrival time per limit; then `ARGV` two numbers per limit: emission
/// interval (µs) and burst. Returns 0 when admitted (the
/// arrival times advance), else the wait in µs (nothing changes).
pub(super) static RATE_ADMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local np = tonumber(ARGV[1])
local wait = 0
for i = 1, np do
  local paused = tonumber(redis.call('GET', KEYS[i]) or '0')
  if paused - now > wait then wait = paused - now end
end
if wait > 0 then return wait end
local tats = {}
for i = np + 1, #KEYS do
  local j = i - np
  local interval = tonumber(ARGV[2 * j])
  local burst = tonumber(ARGV[2 * j + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < now then tat = now end
  local next_tat = tat + interval
  local allow_at = next_tat - interval * burst
  if allow_at - now > wait then wait = allow_at - now end
  tats[i] = next_tat
end
if wait > 0 then return wait end
for i = np + 1, #KEYS do
  local ttl = math.ceil((tats[i] - now) / 1000) + 1
  redis.call('SET', KEYS[i], string.format('%.0f', tats[i]), 'PX', ttl)
end
return 0
",
    )
});

/// Pauses a family until `now + reset`, unless a longer pause is already set.
///
/// `KEYS[1]` pause; `ARGV[1]` reset (µs).
pub(super) static RATE_PAUSE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local reset = tonumber(ARGV[1])
local resume_at = now + reset
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if resume_at > current then
  redis.call('SET', KEYS[1], string.format('%.0f', resume_at), 'PX', math.ceil(reset / 1000) + 1)
end
return 1
",
    )
});

/// Marks an event in progress unless it is already marked (a de-dup mark).
///
/// `KEYS[1]` mark; `ARGV[1]` in-progress value (`in-progress:<owner>`), `ARGV[2]` lease (ms).
/// Returns 1 (marked: handle it), 0 (`done`: a duplicate), 2 (in progress elsewhere, or a mark
/// of an older version without state) or 3 (a string this library did not write). A value of
/// another type fails the `GET` with `WRONGTYPE`, which the caller reports as an error.
pub(super) static DEDUP_MARK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == 'done' then return 0 end
if string.sub(v, 1, 12) == 'in-progress:' or string.match(v, '^%x+$') then return 2 end
return 3
",
    )
});

/// Marks an event handled for the full time to live, unless the key holds a value of another
/// type or one this library did not write.
///
/// `KEYS[1]` mark; `ARGV[1]` time to live (ms). Returns 1 when set, 3 for a foreign value.
pub(super) static DEDUP_DONE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if v and v ~= 'done' and string.sub(v, 1, 12) ~= 'in-progress:' and not string.match(v, '^%x+$') then
  return 3
end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[1])
return 1
",
    )
});
