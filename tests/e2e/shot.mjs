// Debug helper: node tests/e2e/shot.mjs SRC BACKEND OUT.png — screenshots the fixture.
import { launch, openFixture } from './browser.mjs';
const [src, backend, out] = process.argv.slice(2);
const browser = await launch();
const { page, logs } = await openFixture(browser, src, backend);
console.log(await page.evaluate(() => document.getElementById('viewer').dataset.state), logs.join('\n'));
await page.screenshot({ path: out });
await browser.close();
