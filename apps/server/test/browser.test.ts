import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CallbackSource, Pipeline } from '@sluice/core';
import { FileSink } from '@sluice/writers';
import { chromium } from 'playwright-core';
import { toneWav } from '@sluice/test-servers/catalog';
import { redisMissing } from '@sluice/test-servers/redis';
import { describe, expect, it } from 'vitest';
import { scratch, useQueueServer, useServer } from './helpers';

/** Debian's chromium, installed by tooling/scripts/setup-system.mjs when the suite runs as root. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)`);
const OUTPUT = fileURLToPath(new URL('../test-output/', import.meta.url));

const { url } = useServer();

describe.skipIf(!available)('the web page in a real Chromium', () => {
  it('speaks with word highlighting, separates a dropped file and shows the stems; writes a screenshot', async () => {
    const song = join(scratch, 'page-song.wav');
    const left = Float32Array.from(
      { length: 44100 * 1.5 },
      (_, i) => 0.3 * Math.sin((2 * Math.PI * 110 * i) / 44100) + 0.2 * Math.sin((2 * Math.PI * 660 * i) / 44100),
    );
    await new Pipeline({
      source: new CallbackSource([[left, left.slice()]], { sampleRate: 44100, channels: 2 }),
      sink: new FileSink(song),
    }).wait();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url());
      // The first voices request loads eSpeak (about a second on a busy machine).
      await expect.poll(() => page.locator('#speech-voice option').count(), { timeout: 20_000 }).toBeGreaterThan(10);
      await page.getByLabel('Text').fill('The page starts playing at once. Every word lights up as it is spoken.');
      await page.getByRole('button', { name: 'Speak' }).click();
      await page.waitForSelector('body[data-speech="playing"]', { timeout: 15_000 });
      await page.waitForSelector('#speech-words mark', { timeout: 15_000 });
      await page.waitForSelector('body[data-speech="done"]', { timeout: 30_000 });
      // Done means heard to the end: the status says what was played, nothing is highlighted, Stop is off.
      expect(await page.locator('#speech-status').textContent()).toMatch(/^Played \d+\.\d s of speech; first audio after \d+ ms/);
      expect(await page.locator('#speech-words mark').count()).toBe(0);
      expect(await page.locator('#speech-stop').isDisabled()).toBe(true);
      // Stop mid-way: the same reset, and the status says how much was heard.
      await page.getByLabel('Text').fill('A longer text to stop half way. '.repeat(12));
      await page.getByRole('button', { name: 'Speak' }).click();
      await page.waitForSelector('body[data-speech="playing"]', { timeout: 15_000 });
      await page.waitForSelector('#speech-words mark', { timeout: 15_000 });
      await page.getByRole('button', { name: 'Stop' }).click();
      expect(await page.locator('body').getAttribute('data-speech')).toBe('stopped');
      expect(await page.locator('#speech-status').textContent()).toMatch(/^Stopped after \d+\.\d s of \d+\.\d s/);
      expect(await page.locator('#speech-words mark').count()).toBe(0);
      expect(await page.locator('#speech-stop').isDisabled()).toBe(true);
      expect(await page.locator('#speech-play').isDisabled()).toBe(false);

      // A file that is not audio: the error is shown and the progress bar goes.
      const notAudio = join(scratch, 'not-audio.wav');
      writeFileSync(notAudio, 'this is not a song '.repeat(100));
      await page.setInputFiles('#separation-file', notAudio);
      await expect.poll(() => page.locator('#separation-status').textContent(), { timeout: 20_000 }).toMatch(/^Error: /);
      expect(await page.locator('#separation-progress').isHidden()).toBe(true);

      await page.setInputFiles('#separation-file', song);
      await page.waitForSelector('body[data-stems]', { timeout: 30_000 });
      expect(await page.locator('body').getAttribute('data-stems')).toBe('drums,bass,other,vocals');
      await expect.poll(() => page.locator('.stems audio').count(), { timeout: 20_000 }).toBe(4);
      await page.getByRole('button', { name: 'Solo' }).first().click();
      expect(
        await page
          .locator('.stems audio')
          .nth(1)
          .evaluate((audio: HTMLAudioElement) => audio.muted),
      ).toBe(true);
      await expect.poll(() => page.locator('#stats dd').count(), { timeout: 20_000 }).toBeGreaterThan(3);
      // No queue on this server: no Batches panel.
      expect(await page.locator('#batches-section').isHidden()).toBe(true);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'demo-page.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

// Issue 18: with a queue (a real redis-server), a dropped file is separated by a queue worker and the page's
// Batches panel shows its batch with its progress and counts.
describe.skipIf(!available || redisMissing !== undefined)('the Batches panel in a real Chromium, with a queue', () => {
  const queued = useQueueServer();

  it('shows each upload as a batch that fills to done', async () => {
    const song = join(scratch, 'batch-song.wav');
    writeFileSync(song, toneWav(3, 2));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(queued.url());
      await page.waitForSelector('#batches-section:not([hidden])', { timeout: 10_000 });
      await page.setInputFiles('#separation-file', song);
      await page.waitForSelector('body[data-stems]', { timeout: 30_000 });
      const row = page.locator('#batches li').first();
      await expect
        .poll(() => row.locator('.batch-counts').textContent(), { timeout: 10_000 })
        .toMatch(/^1 done, 0 failed, 0 running, 0 waiting of 1/);
      expect(await row.locator('.batch-name').textContent()).toMatch(/^upload [0-9a-f-]{36}$/);
      expect(await row.locator('progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
