// Shared by the portal's browser tests (portal.mjs, portal_camera.mjs):
// the environment their .sh sets, checks, waiting, screenshots and the
// invitation list.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const t = { checks: 0, shot: 0 };

export function env(k, script) {
	const v = process.env[k];
	if (!v) {
		throw new Error(`${k} is not set: run ${script}`);
	}
	return v;
}
export function ok(cond, what) {
	if (!cond) {
		throw new Error(`check failed: ${what}`);
	}
	t.checks++;
}
// gc(BIN, args...): the gradcap command's stdout.
export function gc(bin, ...args) {
	return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
export async function until(fn, what, ms = 20000) {
	const end = Date.now() + ms;
	for (;;) {
		if (await fn()) {
			return;
		}
		if (Date.now() > end) {
			throw new Error(`timed out waiting for ${what}`);
		}
		await new Promise((r) => setTimeout(r, 200));
	}
}
// A numbered full-page screenshot in dir, after checking the page for
// script errors and null/undefined/NaN in its text (page.errors: the
// page's errors, collected by the test).
export async function snap(page, dir, name) {
	ok(page.errors.length === 0, `${name}: script errors: ${page.errors.join('; ')}`);
	const body = await page.evaluate(() => document.body.innerText);
	ok(!/\b(null|undefined|NaN)\b/.test(body), `${name}: the page shows null/undefined/NaN`);
	t.shot++;
	await page.screenshot({ path: join(dir, `${String(t.shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}
// The invitation list (T/inv.csv): number, name, class, code, link.
export function invitations(dir) {
	return readFileSync(join(dir, 'inv.csv'), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1)
		.map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')))
		.map((f) => ({ no: f[0], name: f[1], cls: f[2], code: f[5], link: f[6] }));
}
