import { describe, expect, it } from 'vitest';
import { redisKeys } from './keys.js';

describe('redisKeys', () => {
  it('builds every key and the channel under the one hash tag {prefix}', () => {
    const k = redisKeys('app');
    const names = [
      k.all, k.seq, k.gen, k.due, k.slots, k.slotData, k.channel, k.schedule('p:job'), k.history('p:job'), k.jobSlots('p:job'),
      k.ownerClaims('host:1'),
    ];
    expect(names).toEqual([
      '{app}:all', '{app}:seq', '{app}:gen', '{app}:due', '{app}:slots', '{app}:slot-data', '{app}:changes',
      '{app}:s:p:job', '{app}:h:p:job', '{app}:js:p:job', '{app}:oc:host:1',
    ]);
    expect(new Set(names).size).toBe(names.length);
  });

  it('builds per-id keys from the prefixes the scripts receive', () => {
    const k = redisKeys('app');
    expect(k.schedule('x')).toBe(`${k.schedulePrefix}x`);
    expect(k.history('x')).toBe(`${k.historyPrefix}x`);
    expect(k.jobSlots('x')).toBe(`${k.jobSlotsPrefix}x`);
  });

  it('names a run slot by job and run id without ambiguity', () => {
    const k = redisKeys('app');
    expect(k.slotMember('a:b', 'c')).not.toBe(k.slotMember('a', 'b:c'));
    expect(k.slotMember('a', 'r-1')).toBe('1:ar-1');
    expect(k.slotMember('é:x', 'r')).toBe('4:é:xr');
  });

  it.each(['', 'a{b', 'a}b', 'a b', 'tab\there'])('refuses the prefix %j with XCORE_ERR_REDIS_OPTIONS_INVALID', (prefix) => {
    expect(() => redisKeys(prefix)).toThrow(expect.objectContaining({ code: 'XCORE_ERR_REDIS_OPTIONS_INVALID' }));
  });
});
