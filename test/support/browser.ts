import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.DUBAN_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's headless Chromium; a missing browser fails the test and says how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: run \`npm install\` as root (it installs Debian's chromium and fonts-noto-cjk) or set DUBAN_CHROMIUM`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * Clicks 退出 and waits until the console has reloaded itself at its bare address: the sign-in form
 * shows before that reload, and a navigation started in between would be aborted by it.
 */
export async function signOutOfConsole(page: Page, base: string): Promise<void> {
  await page.getByRole('button', { name: '退出' }).click();
  await page.waitForURL(`${base}/console/`);
  await page.getByLabel('用户名').waitFor();
}
