import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CallbackSource, Pipeline } from '@sluice/core';
import { FileSink } from '@sluice/writers';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { scratch, useServer } from './helpers';

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
      expect(await page.locator('#speech-status').textContent()).toMatch(/first audio after \d+ ms/);

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
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'demo-page.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
