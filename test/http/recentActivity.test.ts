// The last hour by minute behind the dashboard's Throughput page: counts land in their minute,
// minutes with nothing are zeros, an hour later they are gone, and p95 is its bucket's bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentActivity } from '../../src/http/recentActivity.js';

test('counts and pickup latencies by minute, over the last hour only', () => {
  let now = Date.parse('2026-12-03T10:00:30Z');
  const recent = new RecentActivity([0.1, 1, 10], () => now);
  recent.count('created');
  recent.count('succeeded');
  for (const seconds of [0.05, 0.05, 0.5, 5]) recent.pickup(seconds);
  now += 2 * 60_000;
  recent.count('failed');
  const minutes = recent.recent();
  assert.equal(minutes.length, 60);
  assert.equal(minutes.at(-1)!.start, '2026-12-03T10:02:00.000Z');
  const first = minutes.at(-3)!;
  assert.deepEqual([first.start, first.created, first.succeeded, first.failed], ['2026-12-03T10:00:00.000Z', 1, 1, 0]);
  assert.deepEqual(first.pickup, { count: 4, meanSeconds: 5.6 / 4, p95Seconds: 10 });
  assert.deepEqual([minutes.at(-2)!.created, minutes.at(-2)!.pickup.meanSeconds], [0, null]);
  assert.equal(minutes.at(-1)!.failed, 1);
  // An hour on, the first minute has left the window.
  now += 59 * 60_000;
  assert.equal(recent.recent().reduce((n, m) => n + m.created, 0), 0);
  assert.equal(recent.recent()[0]!.failed, 1);
});
