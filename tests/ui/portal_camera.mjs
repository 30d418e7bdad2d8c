// The portal's live camera guide in Debian's chromium at 390 × 844 with a
// fake camera: run by tests/ui/portal_camera.sh, which starts the
// coordinator and the online node. The fake camera plays a .y4m made here,
// at test time, from the synthetic portraits: first a student standing too
// far away (the guide says to come closer; the shot is refused saying so),
// then a good
// one (ready; the shot is a passing draft, confirmed); last a browser that
// refuses the camera falls back to the file picker, saying so.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as envOf, gc as gcOf, invitations, ok, snap as snapIn, t, until as untilIn } from './phone.mjs';

const env = (k) => envOf(k, 'tests/ui/portal_camera.sh');
const G = env('GC_BIN');
const T = env('T');
const OUT = env('OUT');
const PORTAL = env('PORTAL');
const CAM_W = 900;
const CAM_H = 1200;
const gc = (...args) => gcOf(G, ...args);
const snap = (page, name) => snapIn(page, OUT, name);
const until = (fn, what, ms = 30000) => untilIn(fn, what, ms);

// A Y4M video (I420, BT.601 studio range, which chromium's fake camera
// reads it as) of a picture, made with ImageMagick's raw RGB output:
// frames copies of it.
function y4m(jpg, out, frames = 3) {
	const rgb = execFileSync('convert', [jpg, '-resize', `${CAM_W}x${CAM_H}!`, '-depth', '8', 'rgb:-'], { maxBuffer: 64 << 20 });
	ok(rgb.length === CAM_W * CAM_H * 3, `raw RGB of ${jpg}`);
	const W = CAM_W;
	const H = CAM_H;
	const y = Buffer.alloc(W * H);
	const u = Buffer.alloc((W / 2) * (H / 2));
	const v = Buffer.alloc((W / 2) * (H / 2));
	for (let i = 0; i < W * H; i++) {
		const r = rgb[3 * i];
		const g = rgb[3 * i + 1];
		const b = rgb[3 * i + 2];
		y[i] = Math.round(16 + (219 / 255) * (0.299 * r + 0.587 * g + 0.114 * b));
	}
	for (let cy = 0; cy < H / 2; cy++) {
		for (let cx = 0; cx < W / 2; cx++) {
			let r = 0;
			let g = 0;
			let b = 0;
			for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
				const i = 3 * ((2 * cy + dy) * W + 2 * cx + dx);
				r += rgb[i];
				g += rgb[i + 1];
				b += rgb[i + 2];
			}
			r /= 4;
			g /= 4;
			b /= 4;
			const k = cy * (W / 2) + cx;
			u[k] = Math.round(128 + (224 / 255) * (-0.168736 * r - 0.331264 * g + 0.5 * b));
			v[k] = Math.round(128 + (224 / 255) * (0.5 * r - 0.418688 * g - 0.081312 * b));
		}
	}
	const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420mpeg2\n`)];
	for (let f = 0; f < frames; f++) {
		parts.push(Buffer.from('FRAME\n'), y, u, v);
	}
	writeFileSync(out, Buffer.concat(parts));
	return out;
}

const rows = invitations(T);

// A phone with a fake camera playing video (null: none granted).
async function phone(video) {
	const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'];
	if (video) {
		args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`);
	} else {
		args.push('--use-fake-device-for-media-stream', '--deny-permission-prompts');
	}
	const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
	const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
	if (video) {
		await ctx.grantPermissions(['camera'], { origin: PORTAL });
	}
	const page = await ctx.newPage();
	page.errors = [];
	page.on('pageerror', (e) => page.errors.push(e.message));
	page.on('dialog', (d) => d.accept());
	return { browser, page };
}

async function signedIn(page, who) {
	await page.goto(who.link);
	await page.locator('#signin').waitFor();
	await page.click('#signin-go');
	await page.locator('#me').waitFor();
}

async function withPhone(video, name, fn) {
	const { browser, page } = await phone(video);
	try {
		await fn(page);
	} catch (e) {
		await page.screenshot({ path: join(OUT, `FAIL-${name}.png`), fullPage: true }).catch(() => {});
		throw e;
	} finally {
		await browser.close();
	}
}

async function main() {
	const far = y4m(join(T, 'big', 'grace_hopper-too-far.jpg'), join(T, 'far.y4m'));
	const good = y4m(join(T, 'big', 'grace_hopper-ok-blue.jpg'), join(T, 'good.y4m'));
	const a = rows[0];

	// too far away: the instruction, and a shot that fails
	await withPhone(far, 'far', async (page) => {
		await signedIn(page, a);
		ok((await page.locator('#notice').innerText()).includes('12 月 20 日'), 'the school\'s notice on the first page');
		ok((await page.locator('#rules-list').innerText()).includes('浅蓝色、白色、浅灰色'), 'the photo rules from the profile');
		ok(await page.locator('#camera-open').count() === 1 && await page.locator('#photo-file').count() === 1, 'both methods offered');
		await snap(page, 'rules');
		await page.click('#camera-open');
		await until(async () => (await page.locator('#cam-say').innerText()).includes('靠近'), 'the instruction to come closer');
		ok((await page.locator('#cam-say').getAttribute('data-ready')) === '0', 'not ready');
		const size = await page.evaluate(() => [document.getElementById('camera-video').videoWidth, document.getElementById('camera-video').videoHeight]);
		ok(size[0] === CAM_W && size[1] === CAM_H, `the fake camera's picture (${size})`);
		await page.locator('#camera').scrollIntoViewIfNeeded();
		await snap(page, 'camera-far');
		// the shot anyway: no photo can be cut from it, and the page says
		// what to do (as for an upload that cannot be framed)
		await page.click('#cam-shoot');
		await until(async () => (await page.locator('#photo-note').innerText()).includes('靠近'), 'the shot refused with what to do', 60000);
		ok(await page.locator('figure.draft').count() === 0, 'no draft of it');
		await snap(page, 'camera-far-shot');
	});

	// a good picture: ready, shot, a passing draft, confirmed
	await withPhone(good, 'good', async (page) => {
		await signedIn(page, a);
		await page.click('#camera-open');
		await until(async () => (await page.locator('#cam-say').getAttribute('data-ready')) === '1', 'the guide says ready');
		ok((await page.locator('#cam-say').innerText()).includes('可以拍照'), 'the words say so');
		await page.locator('#camera').scrollIntoViewIfNeeded();
		await snap(page, 'camera-ready');
		await page.click('#cam-shoot');
		await page.locator('figure.draft:not(.v-fail)[data-method="camera"]').waitFor({ timeout: 60000 });
		const img = page.locator('figure.draft:not(.v-fail) img').first();
		await until(async () => await img.evaluate((i) => i.complete && i.naturalWidth === 480 && i.naturalHeight === 640), 'the framed 480 × 640 photo');
		await snap(page, 'camera-drafts');
		await page.locator('figure.draft:not(.v-fail) button').first().click();
		await until(async () => (await page.locator('#status').getAttribute('data-status')) === 'PENDING_REVIEW', 'the submission');
		ok(await page.locator('#camera-video').count() === 0, 'the camera is closed');
		await snap(page, 'camera-submitted');
	});
	const caps = JSON.parse(gc('log', '--home', join(T, 'o'), '--json')).filter((e) => e.kind === 'CAPTURE');
	ok(caps.length === 1 && caps[0].body.camera === 'portal:camera' && caps[0].body.session_kind === 'online', 'an online capture from the camera');

	// the camera refused: the file picker, with words saying so
	await withPhone(null, 'refused', async (page) => {
		await signedIn(page, rows[1]);
		await page.click('#camera-open');
		await page.locator('#camera-why').waitFor({ timeout: 20000 });
		ok((await page.locator('#camera-why').innerText()).includes('摄像头'), 'the page says why there is no live guide');
		ok(await page.locator('#camera-file[capture="environment"]').count() === 1, 'the phone\'s camera through the file picker');
		await page.setInputFiles('#camera-file', join(T, 'big', 'grace_hopper-ok-blue.jpg'));
		await page.locator('figure.draft[data-method="camera"]').waitFor({ timeout: 60000 });
		await snap(page, 'camera-refused');
	});
	console.log(`ui portal camera: ${t.checks} checks passed`);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
