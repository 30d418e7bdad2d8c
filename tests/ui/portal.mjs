// The student portal in Debian's chromium at 390 × 844 (a phone), run by
// tests/ui/portal.sh, which starts the coordinator and the online node.
import { chromium } from 'playwright-core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env as envOf, gc as gcOf, invitations, ok, snap as snapIn, t, until } from './phone.mjs';

const env = (k) => envOf(k, 'tests/ui/portal.sh');
const G = env('GC_BIN');
const T = env('T');
const OUT = env('OUT');
const PORTAL = env('PORTAL');
const gc = (...args) => gcOf(G, ...args);
const snap = (page, name) => snapIn(page, OUT, name);

const rows = invitations(T);
const roster = Object.fromEntries(readFileSync(join(T, 'r.csv'), 'utf8').trim().split('\n').slice(1)
	.map((l) => l.split(',')).map((f) => [f[0], f[5]]));

async function main() {
	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
	});
	const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
	const page = await ctx.newPage();
	page.errors = [];
	page.on('pageerror', (e) => page.errors.push(e.message));
	page.on('dialog', (d) => d.accept());
	try {
		await run(page);
	} catch (e) {
		await page.screenshot({ path: join(OUT, 'FAIL.png'), fullPage: true }).catch(() => {});
		throw e;
	} finally {
		await browser.close();
	}
	console.log(`ui portal: ${t.checks} checks passed`);
}

async function run(page) {
	const a = rows[0];
	// a wrong code first: one plain answer
	await page.goto(PORTAL + '/');
	await page.locator('#signin').waitFor();
	await page.fill('#code', 'AAAA-AAAA-AAAA-AAAA-AAAA');
	await page.click('#signin-go');
	await until(async () => !(await page.locator('#error').isHidden()), 'the refusal');
	ok((await page.locator('#error').innerText()).includes('邀请码或证件号码不正确'), 'a wrong code is refused plainly');
	await snap(page, 'signin-refused');
	// the invitation link: the code is filled in and leaves the address bar
	await page.goto('about:blank');
	await page.goto(a.link);
	await page.locator('#signin').waitFor();
	ok(await page.inputValue('#code') === a.code, 'the link fills in the code');
	ok(!page.url().includes(a.code), 'the code is gone from the address bar');
	await snap(page, 'signin-link');
	await page.click('#signin-go');
	await page.locator('#me').waitFor();
	ok((await page.locator('#me-name').innerText()) === a.name, 'the student\'s own name');
	const full = roster[a.no];
	ok(!(await page.evaluate(() => document.body.innerText)).includes(full), 'no whole ID number on the page');
	ok((await page.locator('#me-id').innerText()).endsWith(full.slice(-4)), 'the ID number masked');
	ok((await page.locator('#status').getAttribute('data-status')) === 'MISSING', 'not photographed yet');
	await snap(page, 'status-missing');
	// a blurred photo: a draft that cannot be submitted, with what to fix
	await page.setInputFiles('#photo-file', join(T, 'blur.jpg'));
	await page.locator('figure.draft').first().waitFor({ timeout: 30000 });
	ok(await page.locator('figure.draft.v-fail').count() === 1, 'the blurred photo fails');
	ok(await page.locator('figure.draft.v-fail button').count() === 0, 'and cannot be submitted');
	ok(await page.locator('figure.draft.v-fail li[data-check="sharpness"]').count() === 1, 'the page says it is blurred');
	await snap(page, 'draft-blurred');
	// a good one: framed, submitted after the warning that it cannot be undone
	await page.setInputFiles('#photo-file', join(T, 'good.jpg'));
	await until(async () => await page.locator('figure.draft').count() === 2, 'the second draft', 30000);
	const img = page.locator('figure.draft').first().locator('img');
	await until(async () => await img.evaluate((i) => i.complete && i.naturalWidth === 480 && i.naturalHeight === 640), 'the framed 480 × 640 photo');
	ok(await img.getAttribute('alt') === '系统处理后的照片', 'the draft shows the framed photo, said so for a screen reader');
	await snap(page, 'drafts');
	await page.locator('figure.draft').first().locator('button').click();
	await until(async () => (await page.locator('#status').getAttribute('data-status')) === 'PENDING_REVIEW', 'the submission');
	ok(await page.locator('#review-by').count() === 1, 'the page says by when it is reviewed');
	ok(await page.locator('#photo').count() === 0, 'no second photo while one waits');
	await snap(page, 'submitted');
	// the coordinator rejects it (a preset reason); the student's page shows
	// why and by when to send a new one
	await until(() => JSON.parse(gc('status', '--home', join(T, 'c'), '--json')).merge.counts.PENDING_REVIEW === 1, 'the capture at the coordinator (background sync)');
	const cap = JSON.parse(gc('log', '--home', join(T, 'c'), '--json')).filter((e) => e.kind === 'CAPTURE')[0];
	ok(cap.body.session_kind === 'online' && cap.body.bind === 'invite', 'an online capture bound by the invitation');
	gc('review', '--home', join(T, 'c'), 'reject', cap.id, '--preset', '1');
	await until(async () => {
		await page.reload();
		await page.locator('#me').waitFor();
		return (await page.locator('#status').getAttribute('data-status')) === 'NEEDS_RETAKE';
	}, 'the rejection on the student\'s page', 30000);
	ok((await page.locator('#reason').innerText()).includes('背景不合格'), 'the reason');
	ok(await page.locator('#due').count() === 1, 'the deadline');
	await snap(page, 'rejected');
	// the notice of it is in the outbox, for the SMS platform and by e-mail
	const notices = JSON.parse(gc('online', 'notices', '--home', join(T, 'c'), '--json')).notices;
	const rej = notices.filter((n) => n.kind === 'rejected' && n.student_no === a.no);
	ok(rej.length === 1 && rej[0].text.includes('背景不合格'), `the rejection's notice with the reason (${JSON.stringify(rej)})`);
	gc('online', 'notices', '--home', join(T, 'c'), '--send');
	const mailTo = readdirSync(join(T, 'mail')).filter((f) => f.endsWith('.env')).map((f) => readFileSync(join(T, 'mail', f), 'utf8'));
	ok(mailTo.some((env) => env.includes(`s2@stu.example.edu.cn`)), `the notice e-mailed to the student (${mailTo.length} messages)`);
	// a studio photo this time
	await page.setInputFiles('#photo-file', join(T, 'studio.jpg'));
	await until(async () => await page.locator('figure.draft:not(.v-fail) button').count() >= 1, 'the studio draft', 30000);
	await page.locator('figure.draft:not(.v-fail) button').first().click();
	await until(async () => (await page.locator('#status').getAttribute('data-status')) === 'PENDING_REVIEW', 'the second submission');
	await snap(page, 'resubmitted');
	// approved: the finished photo to download, the data it goes out with,
	// and the answer (信息无误, with the address the school asks for)
	await until(() => JSON.parse(gc('log', '--home', join(T, 'c'), '--json')).filter((e) => e.kind === 'CAPTURE').length === 2, 'the second capture at the coordinator');
	const cap2 = JSON.parse(gc('log', '--home', join(T, 'c'), '--json')).filter((e) => e.kind === 'CAPTURE')[1];
	gc('review', '--home', join(T, 'c'), 'approve', cap2.id);
	await until(async () => {
		await page.reload();
		await page.locator('#me').waitFor();
		return (await page.locator('#status').getAttribute('data-status')) === 'APPROVED';
	}, 'the approval on the student\'s page', 30000);
	await page.locator('#check-data').waitFor();
	const fin = page.locator('#final-img');
	await until(async () => await fin.evaluate((i) => i.complete && i.naturalWidth === 480 && i.naturalHeight === 640), 'the finished 480 × 640 photo');
	ok((await page.locator('#check-id').innerText()).endsWith(full.slice(-4)), 'the check\'s ID number masked');
	ok(!(await page.evaluate(() => document.body.innerText)).includes(full), 'still no whole ID number');
	const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#final-download')]);
	const saved = join(OUT, 'final.jpg');
	await dl.saveAs(saved);
	const jpg = readFileSync(saved);
	ok(jpg[0] === 0xff && jpg[1] === 0xd8 && jpg.length > 10000, 'the download is the JPEG');
	ok(dl.suggestedFilename() === `${a.no}.jpg`, `the download is named by 学号 (${dl.suggestedFilename()})`);
	ok(await page.locator('#address').count() === 1, 'the address is asked for');
	await snap(page, 'approved-check');
	await page.click('#check-ok');
	await until(async () => (await page.locator('#check-note').innerText()).includes('邮寄地址'), 'the address is needed to confirm');
	await page.fill('#addr-name', a.name);
	await page.fill('#addr-phone', '138 0013 8000');
	await page.fill('#addr-where', '北京市海淀区颐和园路5号 100871');
	await page.click('#check-ok');
	await until(async () => (await page.locator('#check-verdict').getAttribute('data-verdict').catch(() => null)) === 'ok', 'the confirmation');
	ok((await page.inputValue('#addr-phone')) === '138 0013 8000', 'the address kept in the form');
	await snap(page, 'confirmed');
	const chk = JSON.parse(gc('log', '--home', join(T, 'o'), '--json')).filter((e) => e.kind === 'STUDENT_CHECK');
	ok(chk.length === 1 && chk[0].body.verdict === 0 && chk[0].body.capture === cap2.id, 'one signed check of the approved photo');
	// signing out
	await page.click('#signout');
	await page.locator('#signin').waitFor();
	await page.goto(PORTAL + '/');
	await page.locator('#signin').waitFor();
	ok(await page.locator('#me').count() === 0, 'signed out: the sign-in form again, no status');
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
