/**
 * The Lua scripts of the Redis registration store. Each runs atomically in Redis, so a read
 * sees the index and the record together, and a write either checks out against what its
 * update read and applies whole, or changes nothing (optimistic concurrency).
 *
 * Keys (prefix P): `P set:<id>` record JSON (registration-codec.ts, `revision` first),
 * `P impu:<impu>` → id, `P expiry` ZSET id by earliest binding expiry, `P registered` SET of
 * the ids of records in state 'registered'. The scripts build key names from the prefix,
 * so they need a single Redis server (DEVIATION: Redis Cluster is not supported).
 */
import { createHash } from 'node:crypto';

export interface RedisScript {
  source: string;
  sha: string;
}

function script(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** ARGV: prefix, impu → nil, or {id, record JSON or false}. */
export const READ_SCRIPT = script(`
local id = redis.call('GET', ARGV[1] .. 'impu:' .. ARGV[2])
if not id then return nil end
return {id, redis.call('GET', ARGV[1] .. 'set:' .. id)}
`);

/**
 * ARGV: prefix, then four lists, each a count followed by its items:
 * index checks (impu, expected id or '' for none), record checks (id, expected revision or ''
 * for no record), record writes (id, JSON or '' to delete, earliest expiry or '' for none,
 * '1' registered or '0'), index writes (impu, id or '' to delete).
 * Returns 1 when applied, 0 when a check failed (nothing written).
 */
export const WRITE_SCRIPT = script(`
local p = ARGV[1]
local i = 2
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local have = redis.call('GET', p .. 'impu:' .. ARGV[i]) or ''
  if have ~= ARGV[i + 1] then return 0 end
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local v = redis.call('GET', p .. 'set:' .. ARGV[i])
  local have = v and string.match(v, '^{"revision":(%d+)') or ''
  if have ~= ARGV[i + 1] then return 0 end
  i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local id, json, score, registered = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  if json == '' then redis.call('DEL', p .. 'set:' .. id) else redis.call('SET', p .. 'set:' .. id, json) end
  if score == '' then redis.call('ZREM', p .. 'expiry', id) else redis.call('ZADD', p .. 'expiry', score, id) end
  if registered == '1' then redis.call('SADD', p .. 'registered', id) else redis.call('SREM', p .. 'registered', id) end
  i = i + 4
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  if ARGV[i + 1] == '' then redis.call('DEL', p .. 'impu:' .. ARGV[i])
  else redis.call('SET', p .. 'impu:' .. ARGV[i], ARGV[i + 1]) end
  i = i + 2
end
return 1
`);
