// postinstall: the browser tests need Debian's Chromium and CJK fonts (the reports and the console
// are in Chinese), and LibreOffice to open the Word files. Installed with apt-get when missing; a no-op when both are present.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (process.env.DUBAN_SKIP_BROWSER_INSTALL === '1') process.exit(0);

const hasChromium = existsSync('/usr/bin/chromium');
const hasCjkFont = (spawnSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).stdout ?? '').trim() !== '';
// LibreOffice opens the Word files the tests produce, as an office would (documents-files.test.ts).
const hasLibreOffice = existsSync('/usr/bin/soffice');
// poppler's pdftotext and pdftoppm read back and rasterise the PDF LibreOffice makes.
const hasPoppler = existsSync('/usr/bin/pdftoppm');
if (hasChromium && hasCjkFont && hasLibreOffice && hasPoppler) process.exit(0);

const packages = [
  ...(hasChromium ? [] : ['chromium']),
  ...(hasCjkFont ? [] : ['fonts-noto-cjk']),
  ...(hasLibreOffice ? [] : ['libreoffice-writer-nogui']),
  ...(hasPoppler ? [] : ['poppler-utils']),
];
const root = process.getuid?.() === 0;
const apt = (args) =>
  spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['-n', 'apt-get', ...args], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
console.log(`duban: installing ${packages.join(', ')} with apt-get (for the browser tests)`);
let result = apt(['install', '-y', '--no-install-recommends', ...packages]);
if (result.status !== 0) {
  apt(['update']);
  result = apt(['install', '-y', '--no-install-recommends', ...packages]);
}
if (result.status !== 0) {
  // Not fatal for running the service; the browser tests will fail and say what is missing.
  console.warn(
    `duban: could not install ${packages.join(', ')}; install them yourself (apt-get install ${packages.join(' ')}) before running the tests.`,
  );
}
