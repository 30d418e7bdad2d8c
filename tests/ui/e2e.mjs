// The operator UI end to end in Debian's chromium (run by tests/ui/run.sh,
// which starts the nodes and sets the environment). A coordinator (UI
// behind a password) and two sites with synthetic cameras:
//   site 1: opens a session in the page; captures four students: one by
//           学号, one by a scanned ID number whose first shot fails (refused
//           without reasons, then retaken), one found by a part of the name
//           and accepted with an override reason, one with a capture code;
//           sees the warning for a student already captured;
//   site 2: captures one of them again (in English): a conflict;
//   sync:   the sites' background sync brings everything to the
//           coordinator (the sync page shows it);
//   coordinator: logs in (a wrong password first), reviews (one approval,
//           one rejection with a reason), resolves the conflict (a stale
//           page is refused first), signs a checkpoint;
//   site 1: prints the makeup list, closes the session, and a refused
//           capture shows the server's error.
// After each step the page and `gradcap status --json` are checked.
// Screenshots go to $OUT.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

const env = (k) => {
	const v = process.env[k];
	if (!v) {
		throw new Error(`${k} is not set: run tests/ui/run.sh`);
	}
	return v;
};
const G = env('GC_BIN');
const T = env('T');
const OUT = env('OUT');
const PHOTOS = env('PHOTOS');
const URL = { c: env('URL_C'), s1: env('URL_S1'), s2: env('URL_S2') };
const CAM = { s1: env('CAM_S1'), s2: env('CAM_S2') };
const PASSWORD = env('PASSWORD');

let checks = 0;
let step = 'start';
let shotNo = 0;
const pages = [];

function ok(cond, what) {
	if (!cond) {
		throw new Error(`check failed: ${what}`);
	}
	checks++;
}

function gc(...args) {
	return execFileSync(G, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function status(home) {
	return JSON.parse(gc('status', '--home', join(T, home), '--json'));
}
function log(home) {
	return JSON.parse(gc('log', '--home', join(T, home), '--json'));
}
function captures(home) {
	return log(home).filter((e) => e.kind === 'CAPTURE');
}

// The roster as the sample wrote it: 学号,姓名,性别,出生日期,证件类型,身份证号,...,班级(11)
const rows = readFileSync(env('ROSTER'), 'utf8').replace(/^\uFEFF/, '').trim().split('\n').slice(1)
	.map((l) => l.split(','))
	.map((f) => ({ no: f[0], name: f[1], id: f[5], cls: f[10] }));

// Puts a photo in front of a site's synthetic camera (one file, replaced
// atomically; the camera reads it for every frame, one each 200 ms, and a
// shot takes the live preview's latest frame), then waits for a few frames.
async function camera(site, photo) {
	const tmp = join(CAM[site], '.next.jpg');
	copyFileSync(join(PHOTOS, photo), tmp);
	renameSync(tmp, join(CAM[site], 'frame.jpg'));
	await new Promise((r) => setTimeout(r, 1200));
}

// Saves a screenshot; the page must show no 'null', 'undefined' or NaN
// (data the views failed to render).
async function snap(page, name) {
	ok(page.errors.length === 0, `${name}: script errors in the page: ${page.errors.join('; ')}`);
	const body = await page.evaluate(() => document.body.innerText);
	ok(!/\b(null|undefined|NaN)\b/.test(body), `${name}: the page shows null/undefined/NaN: ${body.match(/.{0,40}\b(null|undefined|NaN)\b.{0,40}/)?.[0]}`);
	shotNo++;
	await page.screenshot({ path: join(OUT, `${String(shotNo).padStart(2, '0')}-${name}.png`), fullPage: true });
}

// Waits until fn() (run in node) is true, up to ms.
async function until(fn, what, ms = 60000) {
	const end = Date.now() + ms;
	for (;;) {
		let v = false;
		try {
			v = await fn();
		} catch {
			v = false;
		}
		if (v) {
			checks++;
			return;
		}
		if (Date.now() > end) {
			throw new Error(`timed out waiting for ${what}`);
		}
		await new Promise((r) => setTimeout(r, 500));
	}
}

async function text(page, sel) {
	return (await page.locator(sel).first().innerText()).trim();
}

async function seeText(page, sel, want, what) {
	try {
		await page.locator(sel).first().waitFor({ state: 'visible', timeout: 15000 });
	} catch {
		throw new Error(`${what}: ${sel} not shown (script errors: ${page.errors.join('; ') || 'none'})`);
	}
	try {
		await page.waitForFunction(([s, w]) => {
			const el = document.querySelector(s);
			return el && el.innerText.includes(w);
		}, [sel, want], { timeout: 15000 });
	} catch {
		throw new Error(`${what}: '${want}' not in ${sel}: '${await text(page, sel)}'`);
	}
	checks++;
}

async function focusedId(page) {
	return page.evaluate(() => document.activeElement?.id ?? '');
}

async function newPage(browser, url) {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	page.errors = [];
	page.on('pageerror', (e) => page.errors.push(e.message));
	await page.goto(url);
	pages.push(page);
	return page;
}

// --- capture station helpers ------------------------------------------

// Scans like a keyboard wedge (every key at once, then Enter).
async function scan(page, value) {
	await page.keyboard.type(value);
	await page.keyboard.press('Enter');
}
// Types like a person.
async function typeSlowly(page, value) {
	await page.keyboard.type(value, { delay: 90 });
	await page.keyboard.press('Enter');
}
async function confirmStudent(page, s) {
	await seeText(page, '#cap-name', s.name, 'the student shown big');
	await seeText(page, '#cap-student', s.cls, 'the class shown');
	await seeText(page, '#cap-student', s.id.slice(-4), 'the last 4 of the ID');
	ok(!(await text(page, '#cap-student')).includes(s.id.slice(0, 10)), 'the ID number is masked');
	ok(await focusedId(page) === 'scan', 'the input keeps the focus');
	await page.keyboard.press('Enter');
	await page.locator('#cap-shoot').waitFor({ timeout: 10000 });
}
async function shoot(page, key = 'F2') {
	await page.keyboard.press(key);
	await page.locator('#cap-shot').waitFor({ timeout: 30000 });
	return page.locator('#cap-shot').getAttribute('data-verdict');
}
async function acceptAndSee(page, s) {
	await page.keyboard.press('a');
	await seeText(page, '#cap-note', s.name, 'the saved notice');
	ok(await page.locator('#cap-shot').count() === 0, 'back to the input after accept');
	ok(await focusedId(page) === 'scan', 'the input has the focus for the next student');
}

async function main() {
	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
	});
	try {
		await run(browser);
		await importStep(browser);
	} catch (e) {
		for (const [i, p] of pages.entries()) {
			await p.screenshot({ path: join(OUT, `FAIL-${i}-${step.replace(/\W+/g, '_')}.png`), fullPage: true }).catch(() => {});
		}
		throw e;
	} finally {
		await browser.close();
	}
	for (const p of pages) {
		ok(p.errors.length === 0, `no script errors in the page: ${p.errors.join('; ')}`);
	}
	console.log(`ui e2e: ${checks} checks passed`);
}

async function run(browser) {
	const [A, B, C, D] = rows;

	// ---- site 1: Chinese by default, no session yet ---------------------
	step = 'site 1 opens';
	const s1 = await newPage(browser, URL.s1 + '/');
	await s1.locator('#scan').waitFor();
	ok(await s1.evaluate(() => document.documentElement.lang) === 'zh-CN', 'lang is zh-CN by default');
	await seeText(s1, '#nav-capture', '采集', 'the nav in Chinese');
	await seeText(s1, '#cap-session', '没有打开的采集场次', 'the no-session warning');
	await seeText(s1, '.keys', 'F2', 'the shortcuts are on screen');
	ok(await focusedId(s1) === 'scan', 'the scan input is focused at start');
	await snap(s1, 'site1-capture-idle');

	step = 'site 1 opens a session';
	await s1.goto(URL.s1 + '/#/session');
	await s1.locator('#ses-open').waitFor();
	await s1.selectOption('#ses-kind', 'central');
	await s1.fill('#ses-location', '体育馆');
	await s1.fill('#ses-operator', '王老师');
	await s1.press('#ses-operator', 'Enter');
	await seeText(s1, '#ses-current', '体育馆', 'the open session');
	await seeText(s1, '#ses-current', '集中', 'the session kind in Chinese');
	await snap(s1, 'site1-session-open');

	// ---- A: 学号 typed by hand, a good shot -----------------------------
	step = 'capture A';
	await s1.goto(URL.s1 + '/#/capture');
	await s1.locator('#scan').waitFor();
	await seeText(s1, '#cap-session', '体育馆', 'the session shown on the capture page');
	ok(await focusedId(s1) === 'scan', 'focused after navigation');
	await camera('s1', 'good81.jpg');
	await typeSlowly(s1, A.no);
	await confirmStudent(s1, A);
	ok(await s1.locator('#cap-warning').count() === 0, 'no warning for a new student');
	ok(await s1.locator('#cap-shoot').isVisible(), 'the shoot button appears only after confirming');
	ok((await shoot(s1, 'F2')) === 'pass', 'a good shot passes');
	await seeText(s1, '#cap-shot-name', A.name, 'the shot shows the confirmed name big');
	ok(await s1.locator('#cap-shot li.check.v-pass').count() >= 20, 'every check listed green');
	await snap(s1, 'site1-shot-pass');
	const n0 = captures('s1').length;
	await acceptAndSee(s1, A);
	ok(captures('s1').length === n0 + 1, 'the accepted capture is stored');
	const capA = captures('s1').at(-1);
	ok(capA.body.bind === 'student-no', `bind student-no (got ${capA.body.bind})`);

	// ---- B: a scanned ID number; blurred, refused, retaken ---------------
	step = 'capture B';
	await camera('s1', 'blur.jpg');
	await scan(s1, B.id);
	await confirmStudent(s1, B);
	ok((await shoot(s1, ' ')) === 'fail', 'the blurred shot fails (Space shoots)');
	await s1.locator('#cap-shot li.check.v-fail[data-check="sharpness"]').waitFor();
	await seeText(s1, '#cap-shot li.check.v-fail[data-check="sharpness"]', '清晰', 'the sharpness failure in Chinese');
	await seeText(s1, '#cap-verdict', '不合格', 'the verdict line');
	ok(await s1.locator('#cap-shot input[data-override]').count() === await s1.locator('#cap-shot li.check.v-fail').count(),
		'one reason field per failed check');
	await snap(s1, 'site1-shot-fail');
	const n1 = captures('s1').length;
	await s1.keyboard.press('a');
	await seeText(s1, '#cap-note', '放行理由', 'accept without reasons is refused in the page');
	ok(captures('s1').length === n1, 'a refused accept stores nothing');
	ok(await s1.evaluate(() => document.activeElement?.dataset?.override !== undefined), 'the first reason field gets the focus');
	await s1.keyboard.press('Escape');
	ok(await focusedId(s1) === 'scan', 'Esc in a reason field goes back to the input');
	await camera('s1', 'good82.jpg');
	await s1.keyboard.press('r');
	await s1.locator('#cap-shot[data-verdict="pass"]').waitFor({ timeout: 30000 });
	await seeText(s1, '#cap-shot-name', B.name, 'the retake is still for B');
	await acceptAndSee(s1, B);
	ok(captures('s1').length === n1 + 1, 'the retake is stored, once');
	ok(captures('s1').at(-1).body.bind === 'id-card', 'bind id-card');

	// ---- C: found by a part of the name among several; blue clothing,
	// overridden with a reason ---------------------------------------------
	step = 'capture C';
	const part = C.name.slice(-1);
	const same = rows.filter((r) => r.name.includes(part));
	ok(same.length >= 2, `the roster has several names with '${part}'`);
	await camera('s1', 'blue-clothing.jpg');
	await typeSlowly(s1, part);
	await s1.locator('#cap-matches').waitFor();
	const names = await s1.locator('#cap-matches li .m-name').allInnerTexts();
	ok(names.length === same.length, `every match listed (${names.length} of ${same.length})`);
	const at = names.indexOf(C.name);
	ok(at >= 0, 'C is in the list');
	await snap(s1, 'site1-choose');
	for (let i = 0; i < at; i++) {
		await s1.keyboard.press('ArrowDown');
	}
	ok(await s1.locator('#cap-matches li[aria-selected="true"] .m-name').innerText() === C.name, 'the arrows choose C');
	await s1.keyboard.press('Enter');
	await confirmStudent(s1, C);
	ok((await shoot(s1)) === 'fail', 'blue clothing fails');
	const fails = await s1.locator('#cap-shot input[data-override]').evaluateAll((l) => l.map((e) => e.dataset.override));
	ok(fails.includes('clothing.colour'), `clothing.colour failed (${fails})`);
	for (const id of fails) {
		await s1.fill(`#cap-shot input[data-override="${id}"]`, '学生仅有此件正装');
	}
	await snap(s1, 'site1-override');
	await s1.press(`#cap-shot input[data-override="${fails.at(-1)}"]`, 'Enter');
	await seeText(s1, '#cap-note', C.name, 'the overridden shot is saved');
	const capC = captures('s1').at(-1);
	ok(capC.body.overrides.length === fails.length && capC.body.overrides.every((o) => o.reason === '学生仅有此件正装'),
		'the override reasons are in the signed capture');

	// ---- D: an opaque capture code first, then the 学号 -----------------
	step = 'capture D';
	await camera('s1', 'good83.jpg');
	await scan(s1, 'CHSI-QR-opaque-4711');
	await seeText(s1, '#cap-code', 'CHSI-QR-opaque-4711', 'the capture code is kept');
	await typeSlowly(s1, D.no);
	await confirmStudent(s1, D);
	await shoot(s1);
	await acceptAndSee(s1, D);
	const capD = captures('s1').at(-1);
	ok(capD.body.code_sha256 && capD.body.code_sha256.length === 64, 'the capture code hash is stored');

	// ---- A again at site 1: the warning, then Esc ------------------------
	step = 'warning';
	await typeSlowly(s1, A.no);
	await s1.locator('#cap-warning').waitFor();
	ok(await s1.locator('#cap-warning').getAttribute('data-code') === 'captured', 'warning: captured this season');
	await seeText(s1, '#cap-confirm', '仍要拍摄', 'the confirm button says it is another shot');
	await seeText(s1, '#cap-student .earlier', '集中', 'the earlier capture is listed');
	ok(await s1.locator('#cap-student .earlier img').count() === 1, 'its photo is shown');
	await snap(s1, 'site1-warning');
	await s1.keyboard.press('Escape');
	ok(await s1.locator('#cap-student').count() === 0, 'Esc cancels');
	ok(await s1.locator('#cap-preview').isVisible(), 'the live preview is shown');
	await until(() => s1.evaluate(() => document.querySelector('#cap-preview img').naturalWidth > 0), 'a preview frame', 10000);
	await until(async () => !(await s1.locator('#cap-preview .guide-box').isHidden()), 'the crop box on the preview', 10000);
	ok(await focusedId(s1) === 'scan', 'focused after Esc');
	let st = status('s1');
	ok(st.merge.counts.PENDING_REVIEW === 4, `site 1: 4 pending review (${JSON.stringify(st.merge.counts)})`);

	// ---- site 2, in English: A again → a conflict -------------------------
	step = 'site 2';
	const s2 = await newPage(browser, URL.s2 + '/#/session');
	await s2.locator('#lang').click();
	ok(await s2.evaluate(() => document.documentElement.lang) === 'en', 'lang is en after the toggle');
	await seeText(s2, '#nav-capture', 'Capture', 'the nav in English');
	await s2.reload();
	await s2.locator('#ses-open').waitFor();
	ok(await s2.evaluate(() => document.documentElement.lang) === 'en', 'English is remembered');
	await s2.selectOption('#ses-kind', 'makeup');
	await s2.fill('#ses-location', 'Library');
	await s2.click('#ses-open-btn');
	await seeText(s2, '#ses-current', 'makeup', 'the makeup session');
	await s2.goto(URL.s2 + '/#/capture');
	await s2.locator('#scan').waitFor();
	await camera('s2', 'good84.jpg');
	await typeSlowly(s2, A.no);
	await s2.locator('#cap-name').waitFor();
	if (await s2.locator('#cap-warning').count()) {
		// site 2 already pulled site 1's capture through the coordinator
		await seeText(s2, '#cap-confirm', 'anyway', 'confirming is another shot');
	}
	await confirmStudent(s2, A);
	ok((await shoot(s2)) === 'pass', 'site 2 shot passes');
	await seeText(s2, '#cap-verdict', 'Every check passed', 'the verdict in English');
	await seeText(s2, '#cap-shot li[data-check="face.count"]', 'exactly one face', 'a check message in English');
	await snap(s2, 'site2-shot-english');
	await acceptAndSee(s2, A);

	// ---- sync: the sites' background sync reaches the coordinator -------
	step = 'sync';
	await until(() => {
		const c = status('c');
		return c.merge.counts.CONFLICT === 1 && c.merge.counts.PENDING_REVIEW === 3;
	}, 'the coordinator to hold every capture (1 conflict, 3 pending)');
	await s1.goto(URL.s1 + '/#/sync');
	await s1.locator('#sync-peers').waitFor();
	await seeText(s1, '#sync-peers', '教务处', 'the coordinator is listed');
	await until(async () => (await s1.locator('#sync-peers tr[data-online="true"]').count()) === 1, 'the peer shown online', 20000);
	await until(async () => (await text(s1, '#sync-peers .push')) === '待发送：0 条记录、0 张照片', 'nothing left to send', 20000);
	await snap(s1, 'site1-sync');

	// ---- coordinator: the password ------------------------------------------
	step = 'coordinator login';
	const c = await newPage(browser, URL.c + '/#/review');
	await c.locator('#login').waitFor();
	await c.fill('#password', 'wrong password');
	await c.press('#password', 'Enter');
	await c.locator('#error').waitFor({ state: 'visible' });
	await seeText(c, '#error', 'unauthorized', 'a wrong password is refused in the page');
	await snap(c, 'coord-login-refused');
	await c.fill('#password', PASSWORD);
	await c.press('#password', 'Enter');
	await c.locator('#rev-grid').waitFor();

	// ---- review: approve B, reject C with a reason --------------------------
	step = 'review';
	await until(async () => (await c.locator('#rev-grid .rcard').count()) === 5, 'five captures to review', 10000);
	await seeText(c, '#rev-grid', B.name, 'the names on the cards');
	await snap(c, 'coord-review');
	const card = (s) => c.locator(`#rev-grid .rcard:has(.rname:text-is("${s.name}"))`);
	ok(await card(C).locator('.overrides').count() === 1, 'the override reason is shown to the reviewer');
	// oldest first, each with its age; station captures have no deadline
	ok(await c.locator('#rev-grid .rcard .rdue').count() === 5, 'every card shows its age');
	ok(await c.locator('#rev-grid .rcard.overdue').count() === 0, 'no station capture is overdue');
	{
		const q = await c.evaluate(async () => (await fetch('/api/review')).json());
		const times = q.captures.map((x) => x.time);
		ok(JSON.stringify(times) === JSON.stringify([...times].sort()) && q.waiting === 5 && q.overdue === 0 &&
			q.captures.every((x) => x.deadline === null || x.kind === 'online'),
		`the queue oldest first with deadlines only for online captures (${JSON.stringify(times)})`);
	}
	await card(B).focus();
	await c.keyboard.press('a');
	await seeText(c, '#rev-note', B.name, 'approved');
	await until(async () => (await c.locator('#rev-grid .rcard').count()) === 4, 'the approved card leaves the grid', 5000);
	await card(C).focus();
	await c.keyboard.press('r');
	await c.locator('dialog[open] input').waitFor();
	await c.keyboard.press('Enter');
	await seeText(c, 'dialog[open] .field-error', '理由', 'a rejection without a reason is refused');
	// the school's preset reasons as buttons: one fills the field, to add to
	const presets = await c.locator('dialog[open] .presets button.preset').allTextContents();
	ok(presets.length === 6 && presets[0] === '1 背景不合格' && presets[5] === '6 模糊',
		`the six default preset reasons are offered (${JSON.stringify(presets)})`);
	await c.locator('dialog[open] button.preset[data-preset="1"]').click();
	ok(await c.locator('dialog[open] input').inputValue() === '背景不合格', 'a preset fills the reason');
	await c.keyboard.press('End');
	await c.keyboard.type('：背景有阴影，需重拍');
	await snap(c, 'coord-reject-reason');
	await c.keyboard.press('Enter');
	await seeText(c, '#rev-note', C.name, 'rejected');
	st = status('c');
	ok(st.merge.counts.APPROVED === 1 && st.merge.counts.NEEDS_RETAKE === 1 && st.merge.counts.PENDING_REVIEW === 1,
		`after review: 1 approved, 1 retake, 1 pending (${JSON.stringify(st.merge.counts)})`);
	const rej = log('c').filter((e) => e.kind === 'REVIEW').at(-1);
	ok(JSON.stringify(rej.body).includes('背景不合格：背景有阴影，需重拍'), 'the preset and the text are the signed REVIEW\'s reason');

	// ---- dashboard: a stale page is refused, then the conflict resolved ---
	step = 'dashboard';
	await c.goto(URL.c + '/#/dashboard');
	await c.locator('#dash-conflicts .conflict').waitFor();
	ok(await c.locator('#dash-conflicts .cand').count() === 2, 'the conflict shows both candidates side by side');
	await seeText(c, '#dash-conflicts', 'site-s1', 'the first site');
	await seeText(c, '#dash-conflicts', 'site-s2', 'the second site');
	await seeText(c, '#dash-conflicts', '补拍', 'the session kinds');
	ok(await c.locator('#dash-conflicts .cand img').count() === 2, 'each candidate with its photo');
	ok(await c.locator('#dash-byclass .barrow').count() === Object.keys(st.merge.by_class).length, 'a bar per class');
	await seeText(c, '#dash-digest', st.merge.digest, 'the digest of the merged set');
	await snap(c, 'coord-dashboard');
	// meanwhile site 2 shoots A once more: the page is now stale
	await camera('s2', 'good85.jpg');
	await typeSlowly(s2, A.no);
	await s2.locator('#cap-warning').waitFor();
	await confirmStudent(s2, A);
	await shoot(s2);
	await acceptAndSee(s2, A);
	await until(() => status('c').merge.counts.CONFLICT === 1 && captures('c').length === 6, 'the third capture of A at the coordinator');
	const before = status('c').merge.digest;
	await c.fill('#dash-conflicts input[data-reason]', '第一张更清楚');
	await c.locator('#dash-conflicts .cand').first().locator('button.pick').click();
	await c.locator('#error').waitFor({ state: 'visible' });
	await seeText(c, '#error', 'conflict', 'the stale resolve is refused with a clear error');
	await snap(c, 'coord-stale-refused');
	ok(status('c').merge.digest === before, 'the refused resolve changed nothing');
	await until(async () => (await c.locator('#dash-conflicts .cand').count()) === 3, 'the page shows the three candidates now', 10000);
	const pick = c.locator('#dash-conflicts .cand').nth(1);
	const pickId = await pick.getAttribute('data-capture');
	await c.fill('#dash-conflicts input[data-reason]', '第二张更清楚');
	await pick.locator('button.pick').click();
	await seeText(c, '#dash-note', A.name, 'resolved');
	await c.locator('#dash-conflicts-none').waitFor();
	st = status('c');
	ok(st.merge.counts.CONFLICT === 0 && st.merge.counts.APPROVED === 2, `after resolve: no conflict, 2 approved (${JSON.stringify(st.merge.counts)})`);
	const res = log('c').filter((e) => e.kind === 'RESOLVE').at(-1);
	ok(JSON.stringify(res.body).includes(pickId), 'the RESOLVE names the chosen capture');
	await c.click('#dash-checkpoint');
	await seeText(c, '#dash-note', '检查点已签署', 'the checkpoint signed');
	await seeText(c, '#dash-note', st.merge.digest, 'the checkpoint root is the merged set\'s digest');
	ok(log('c').some((e) => e.kind === 'CHECKPOINT'), 'a CHECKPOINT entry');
	await snap(c, 'coord-resolved');

	// ---- the export, with its progress, checked by audit verify --bundle --
	step = 'export';
	await c.fill('#dash-season', '2026届');
	await c.click('#dash-export-btn');
	await c.locator('#dash-export-result.n-ok').waitFor({ timeout: 120000 });
	const done = await text(c, '#dash-export-result');
	ok(done.includes('2 张照片'), `the export says 2 photos: ${done}`);
	const named = done.match(/在 (\S+)/)?.[1] ?? '';
	const dir = isAbsolute(named) ? named : join(T, named); // the server's home as it was given
	ok(named && dir.startsWith(join(T, 'c', 'exports')), `the export folder is named: ${named}`);
	ok(readdirSync(join(dir, 'photos')).length === 2, 'the two approved photos are exported');
	const key = gc('audit', 'key', '--home', join(T, 'c')).trim();
	gc('audit', 'verify', '--bundle', dir, '--key', key); // throws on a non-zero exit
	checks++;
	await snap(c, 'coord-exported');
	// the school's package: photos named by 学号
	await c.selectOption('#dash-for', 'school');
	await c.click('#dash-export-btn');
	await until(async () => {
		const t2 = await text(c, '#dash-export-result').catch(() => '');
		return t2.includes('school');
	}, 'the school export', 120000);
	const named2 = (await text(c, '#dash-export-result')).match(/在 (\S+)/)?.[1] ?? '';
	const dir2 = isAbsolute(named2) ? named2 : join(T, named2);
	const nos = readdirSync(join(dir2, 'photos')).map((f) => f.replace(/\.jpg$/, ''));
	ok(nos.length === 2 && nos.every((n) => rows.some((r) => r.no === n)), `the school export names photos by 学号: ${nos}`);
	ok(readdirSync(dir2).includes('makeup.xlsx'), 'with the makeup list');

	// ---- the makeup list at site 1, printed --------------------------------
	step = 'makeup list';
	await until(() => status('s1').merge.counts.NEEDS_RETAKE === 1, 'the rejection to reach site 1');
	await s1.goto(URL.s1 + '/#/session');
	await s1.locator('#ses-missing').waitFor();
	const s1st = status('s1');
	const want = s1st.merge.counts.MISSING + s1st.merge.counts.NEEDS_RETAKE;
	ok(await s1.locator('#ses-missing tbody tr').count() === want, `the makeup list has the ${want} students`);
	await seeText(s1, '#ses-missing', C.name, 'the rejected student is back on the list');
	await seeText(s1, '#ses-missing', '需重拍', 'marked as a retake');
	await s1.selectOption('#ses-class', C.cls);
	await until(async () => (await s1.locator('#ses-missing caption').innerText()).includes(C.cls), 'the class filter', 10000);
	ok((await s1.locator('#ses-missing tbody tr').count()) === s1st.merge.by_class[C.cls].MISSING + s1st.merge.by_class[C.cls].NEEDS_RETAKE,
		'the filtered list has that class only');
	await s1.emulateMedia({ media: 'print' });
	ok(!(await s1.locator('header#top').isVisible()), 'printing hides the header');
	ok(await s1.locator('#ses-missing').isVisible(), 'printing shows the table');
	await snap(s1, 'site1-makeup-print');
	await s1.emulateMedia({ media: 'screen' });

	// ---- the sign-in sheet (签到表) of that class, printed -------------------
	step = 'sign-in sheet';
	await s1.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });
	await s1.click('#ses-signin');
	await s1.locator('#ses-signin-sheet').waitFor();
	ok(await s1.evaluate(() => window.__printed) === 1, 'the sign-in sheet goes to the printer');
	const inClass = rows.filter((r) => r.cls === C.cls);
	const sheet = await s1.locator('#ses-signin-sheet tbody tr').allInnerTexts();
	ok(sheet.length === inClass.length, `the sheet lists the ${inClass.length} students of ${C.cls}`);
	ok(sheet.every((line, i) => line.split('\t')[0] === String(i + 1)), 'numbered 1, 2, ... down the sheet');
	ok(JSON.stringify(sheet.map((line) => line.split('\t')[1])) === JSON.stringify(inClass.map((r) => r.no)),
		'in roster order');
	ok(inClass.every((r) => !sheet.join('\n').includes(r.id)), 'no whole ID number on the sheet');
	const open = JSON.parse(gc('session', 'status', '--home', join(T, 's1'), '--json'));
	const inSession = captures('s1').filter((e) => e.body.session === open.id && e.body.student.split(':')[2] === C.id);
	const shotC = (await s1.locator('#ses-signin-sheet tbody tr').nth(inClass.findIndex((r) => r.no === C.no)).locator('td.shotno').innerText()).trim();
	ok(shotC === (inSession.length ? String(inSession[0].body.seq) : ''),
		`the sheet shows the shooting number ${C.name}'s capture records in the open session: '${shotC}'`);
	await s1.emulateMedia({ media: 'print' });
	ok(await s1.locator('#ses-signin-sheet').isVisible() && !(await s1.locator('#ses-signin-print').isVisible()),
		'printing shows the sheet without its buttons');
	await snap(s1, 'site1-signin-print');
	await s1.emulateMedia({ media: 'screen' });
	await s1.click('#ses-signin-back');
	await s1.locator('#ses-missing').waitFor();

	// ---- site 1's dashboard: no coordinator actions -----------------------
	await s1.goto(URL.s1 + '/#/dashboard');
	await s1.locator('#dash-progress').waitFor();
	ok(await s1.locator('#dash-checkpoint').count() === 0 && await s1.locator('button.pick').count() === 0,
		'a site sees no resolve or checkpoint buttons');

	// ---- closing the session; a capture then is refused clearly ----------
	step = 'refused capture';
	await s1.goto(URL.s1 + '/#/session');
	await s1.click('#ses-close');
	await s1.locator('dialog[open] button.primary').click();
	await s1.locator('#ses-open').waitFor();
	await s1.goto(URL.s1 + '/#/capture');
	await s1.locator('#scan').waitFor();
	const n2 = captures('s1').length;
	await camera('s1', 'good86.jpg');
	await typeSlowly(s1, rows[5].no);
	await confirmStudent(s1, rows[5]);
	await until(async () => await s1.locator('.face-box').isVisible(), 'the face box on the live preview', 15000);
	ok((await shoot(s1)) === 'pass', 'the shot itself works without a session');
	await s1.keyboard.press('a');
	await s1.locator('#error').waitFor({ state: 'visible' });
	const err = await text(s1, '#error');
	ok(/场次|session/.test(err), `the error names the missing session: ${err}`);
	await snap(s1, 'site1-refused-no-session');
	ok(captures('s1').length === n2, 'nothing stored without a session');

	// ---- every page still answers, and the final tally ---------------------
	step = 'final';
	st = status('c');
	ok(st.merge.counts.APPROVED === 2 && st.merge.counts.NEEDS_RETAKE === 1 && st.merge.counts.PENDING_REVIEW === 1 &&
		st.merge.counts.CONFLICT === 0 && st.merge.counts.MISSING === rows.length - 4, `final counts ${JSON.stringify(st.merge.counts)}`);
}

// ---- importing studio files (散拍) at site 1, after the tally ---------------
async function importStep(browser) {
	step = 'import of studio files';
	const s1 = await newPage(browser, URL.s1 + '/#/session');
	await s1.locator('#ses-open').waitFor();
	await s1.selectOption('#ses-kind', 'individual');
	await s1.fill('#ses-location', '照相馆');
	await s1.press('#ses-location', 'Enter');
	await s1.locator('#ses-import-files').waitFor();
	const S = rows[6];
	const good = join(OUT, `${S.no}.jpg`);
	const bad = join(OUT, 'nobody.jpg');
	copyFileSync(join(PHOTOS, 'good89.jpg'), good);
	copyFileSync(join(PHOTOS, 'good89.jpg'), bad);
	const n0 = captures('s1').length;
	await s1.setInputFiles('#ses-import-files', [good, bad]);
	await s1.click('#ses-import');
	await until(async () => (await s1.locator('#ses-imported tr').count()) === 2, 'both files answered', 60000);
	ok(await s1.locator('#ses-imported tr[data-ok="true"]').count() === 1, 'one file stored');
	await seeText(s1, '#ses-imported tr[data-ok="true"]', S.name, 'the stored file names its student');
	await seeText(s1, '#ses-imported tr[data-ok="false"]', '名单', 'the refusal says why (not on the roster)');
	await snap(s1, 'site1-import');
	const imported = captures('s1').filter((c) => c.body.bind === 'filename');
	ok(imported.length === 1 && imported[0].body.session_kind === 'individual' &&
		captures('s1').length >= n0 + 1, 'stored once, as an individual-session import');
}

main().catch((e) => {
	console.error(`ui e2e: FAIL at '${step}': ${e.stack || e}`);
	process.exit(1);
});
