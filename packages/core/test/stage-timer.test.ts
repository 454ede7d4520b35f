import { describe, expect, it } from 'vitest';
import { StageTimer } from '../src/pipeline/stage-timer';

describe('StageTimer: sampled stage times', () => {
  it('times one synchronous chunk in N, weighted N; every asynchronous pull, weighted by the chunks since the last timed one', () => {
    const timer = new StageTimer(4);
    timer.start();
    const weights: number[] = [];
    for (let i = 0; i < 8; i++) {
      timer.beforePull(true);
      timer.afterPull(true);
      weights.push(timer.weight);
    }
    expect(weights).toEqual([0, 0, 0, 4, 0, 0, 0, 4]);
    timer.beforePull(true);
    timer.afterPull(true);
    timer.beforePull(false);
    timer.afterPull(false);
    // The asynchronous pull is timed and stands for itself and the untimed chunk before it.
    expect(timer.weight).toBe(2);
    timer.start();
    timer.beforePull(true);
    timer.afterPull(true);
    expect(timer.weight).toBe(0);
  });

  it('a lap is the time since the last reading × the weight, and reads the clock only when the weight is not 0', () => {
    const timer = new StageTimer(1);
    timer.start();
    const before = timer.lastReading;
    expect(timer.lap(0)).toBe(0);
    expect(timer.lastReading).toBe(before);
    const busyUntil = performance.now() + 2;
    while (performance.now() < busyUntil) {
      // spend ≥ 2 ms
    }
    const elapsed = timer.lap(3);
    expect(elapsed).toBeGreaterThanOrEqual(6);
    expect(timer.lastReading).toBeGreaterThan(before);
  });
});
