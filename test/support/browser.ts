import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
