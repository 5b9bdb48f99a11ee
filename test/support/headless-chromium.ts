import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ensureInstalled } from './debian-packages';
import { repoRoot } from './repo-root';

/** Where browser tests leave their screenshots (git ignores it; CI keeps it as an artifact). */
export const ARTIFACTS_DIR = path.join(repoRoot(), 'test-artifacts/web');

/**
 * Debian's Chromium, headless, driven by playwright-core (which downloads no browser of its own). The
 * flags keep it from reaching for the network at start, which a closed machine refuses.
 */
export async function launchChromium(): Promise<Browser> {
  ensureInstalled('chromium', 'chromium');
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
