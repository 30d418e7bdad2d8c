// The student portal (docs/online-guide.md): sign in with the invitation
// code (from the link's #/i/CODE, which never reaches a server), then the
// student's own status; once approved, the check of the finished photo
// (check.js). Plain DOM, no external scripts.
import { mountCheck } from './check.js';

const view = document.getElementById('view');
const errorBox = document.getElementById('error');
let csrf = null;

function h(tag, attrs, ...kids) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (k.startsWith('on')) {
			el.addEventListener(k.slice(2), v);
		} else if (v !== false && v !== null && v !== undefined) {
			el.setAttribute(k, v === true ? '' : v);
		}
	}
	for (const kid of kids.flat()) {
		if (kid !== null && kid !== undefined && kid !== false) {
			el.append(kid instanceof Node ? kid : String(kid));
		}
	}
	return el;
}

function showError(text) {
	errorBox.textContent = text || '';
	errorBox.hidden = !text;
}

async function call(method, path, body) {
	const headers = { Accept: 'application/json' };
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
	}
	if (method === 'POST' && csrf) {
		headers['X-CSRF-Token'] = csrf;
	}
	let res;
	try {
		res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
	} catch {
		throw Object.assign(new Error('network'), { status: 0, zh: '网络连接失败，请检查网络后重试。' });
	}
	let j = {};
	try {
		j = await res.json();
	} catch {
		j = {};
	}
	if (!res.ok) {
		const e = j.error || {};
		throw Object.assign(new Error(e.code || 'error'), { status: res.status, zh: e.message_zh || e.message || '出错了，请稍后再试。' });
	}
	return j;
}

// The code of the invitation link: taken out of the address bar at once,
// so it is not left in the history or shown over a shoulder.
function codeFromLink() {
	const m = /^#\/i\/([0-9A-Za-z-]{16,40})$/.exec(location.hash);
	if (m) {
		history.replaceState(null, '', location.pathname);
		return m[1];
	}
	return '';
}

function signinView(code) {
	const form = h('form', { id: 'signin', novalidate: true, onsubmit: signin },
		h('label', { for: 'code' }, '邀请码'),
		h('input', { type: 'text', id: 'code', name: 'code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', inputmode: 'text', value: code, 'aria-describedby': 'code-hint', required: true }),
		h('p', { class: 'hint', id: 'code-hint' }, '学校发给你的 20 位邀请码，例如 7KQ2-M9XD-01AB-CDEF-GHJK。通过邀请链接打开时已自动填好。'),
		h('label', { for: 'idn' }, '证件号码（选填）'),
		h('input', { type: 'text', id: 'idn', name: 'idn', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'idn-hint' }),
		h('p', { class: 'hint', id: 'idn-hint' }, '手动输入邀请码时，可同时填写证件号码以便核对。'),
		h('button', { type: 'submit', class: 'primary', id: 'signin-go' }, '登录'));
	view.replaceChildren(h('section', { class: 'card' }, h('h2', {}, '登录'), form));
	(code ? document.getElementById('signin-go') : document.getElementById('code')).focus();
}

async function signin(e) {
	e.preventDefault();
	const f = e.target;
	const code = f.code.value.trim();
	const idn = f.idn.value.trim();
	if (!code) {
		showError('请填写邀请码。');
		f.code.focus();
		return;
	}
	const go = document.getElementById('signin-go');
	go.disabled = true;
	try {
		const body = { code };
		if (idn) {
			body.id_number = idn;
		}
		const j = await call('POST', '/api/signin', body);
		csrf = j.csrf;
		showError('');
		await statusView();
	} catch (err) {
		showError(err.zh);
		go.disabled = false;
		f.code.focus();
	}
}

const STATUS = {
	MISSING: ['未提交照片', 'wait'],
	NEEDS_RETAKE: ['需重新拍摄', 'bad'],
	PENDING_REVIEW: ['审核中', 'wait'],
	APPROVED: ['已通过', 'ok'],
	CONFLICT: ['审核中', 'wait'],
	EXEMPT: ['无需拍摄', 'ok'],
};

async function statusView() {
	let me;
	try {
		me = await call('GET', '/api/me');
	} catch (err) {
		if (err.status === 401) {
			csrf = null;
			signinView('');
			return;
		}
		showError(err.zh);
		return;
	}
	csrf = me.csrf;
	if (me.school) {
		document.getElementById('school').textContent = me.school;
	}
	const s = me.student;
	const [text, cls] = STATUS[me.status] || ['—', 'wait'];
	view.replaceChildren(
		h('section', { class: 'card', id: 'me' },
			h('h2', {}, '我的采集状态'),
			h('p', { class: `status ${cls}`, id: 'status', 'data-status': me.status }, text),
			me.reason ? h('p', { id: 'reason' }, `原因：${me.reason}`) : null,
			me.overdue ? h('p', { id: 'overdue', class: 'status bad' }, '已超过重新提交的期限（逾期未重新提交），你已列入补拍名单；仍可在此提交，或按学校通知参加补拍。') : null,
			me.due && !me.overdue ? h('p', { id: 'due' }, `请在 ${when(me.due)} 前重新提交照片。`) : null,
			me.review_by ? h('p', { id: 'review-by' }, `学校将在 ${when(me.review_by)} 前完成审核。`) : null,
			h('dl', { class: 'facts' },
				h('dt', {}, '姓名'), h('dd', { id: 'me-name' }, s.name),
				h('dt', {}, '学号'), h('dd', {}, s.student_no),
				h('dt', {}, '证件号码'), h('dd', { id: 'me-id' }, s.id_masked),
				h('dt', {}, '层次'), h('dd', {}, s.level),
				h('dt', {}, '专业'), h('dd', {}, s.major),
				h('dt', {}, '班级'), h('dd', {}, s.class))),
		...(canSend(me.status) ? [photoCard(me.capture_code)] : []),
		...(me.status === 'APPROVED' ? [h('section', { class: 'card', id: 'check' })] : []),
		h('div', { class: 'row' }, h('button', { type: 'button', id: 'signout', onclick: signout }, '退出登录')));
	if (canSend(me.status)) {
		await loadDrafts();
	}
	if (me.status === 'APPROVED') {
		await mountCheck(document.getElementById('check'), { h, call, showError });
	}
}

function when(iso) {
	return new Date(iso).toLocaleString('zh-CN', { dateStyle: 'medium', timeStyle: 'short' });
}

function canSend(status) {
	return status === 'MISSING' || status === 'NEEDS_RETAKE';
}

// Sending a photo: a studio file or the phone's camera (the file picker
// offers it); the server frames and checks it and keeps it as a draft.
function photoCard(codeMode) {
	const input = h('input', { type: 'file', id: 'photo-file', accept: 'image/jpeg', capture: 'environment', onchange: sendPhoto });
	return h('section', { class: 'card', id: 'photo' },
		h('h2', {}, '上传照片'),
		h('p', { class: 'hint' }, '请使用蓝色或白色纯色背景、正面免冠、露出双耳和眉毛的近期照片（JPEG 格式）。上传后系统会自动裁剪并检测，你可以保留最多 5 张草稿，选一张提交。'),
		h('label', { for: 'photo-file' }, '选择照片或拍照'),
		input,
		h('p', { id: 'photo-note', role: 'status' }),
		codeField(codeMode),
		h('div', { id: 'drafts' }));
}

// The 学信网 采集码, typed or pasted, sent with the confirm
// ([online] capture_code: off, optional, required).
function codeField(mode) {
	if (mode === 'off') {
		return null;
	}
	return h('div', { class: 'code-field' },
		h('label', { for: 'capture-code' }, mode === 'required' ? '学信网采集码（必填）' : '学信网采集码（选填）'),
		h('input', { type: 'text', id: 'capture-code', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', maxlength: 1024 }),
		h('p', { class: 'hint' }, '在学信网“学信档案 → 高等教育信息 → 获取图像采集码”中复制，提交照片时一并绑定。'));
}

async function sendPhoto(e) {
	const file = e.target.files[0];
	const note = document.getElementById('photo-note');
	if (!file) {
		return;
	}
	note.textContent = '正在检测照片…';
	try {
		const res = await fetch('/api/photo', { method: 'POST', headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'image/jpeg' }, body: file, credentials: 'same-origin' });
		const j = await res.json().catch(() => ({}));
		if (!res.ok) {
			note.textContent = (j.error && (j.error.message_zh || j.error.message)) || '上传失败，请重试。';
		} else {
			note.textContent = '';
			renderDrafts(j.drafts);
		}
	} catch {
		note.textContent = '网络连接失败，请检查网络后重试。';
	}
	e.target.value = '';
}

async function loadDrafts() {
	try {
		const j = await call('GET', '/api/drafts');
		renderDrafts(j.drafts);
	} catch (err) {
		showError(err.zh);
	}
}

function renderDrafts(drafts) {
	const box = document.getElementById('drafts');
	if (!box) {
		return;
	}
	box.replaceChildren(...drafts.map((d) => h('figure', { class: `draft v-${d.verdict}`, 'data-draft': d.id },
		d.before ? h('p', { class: 'hint' }, '背景已替换为标准底色（人像未改动）。替换前：') : null,
		d.before ? h('img', { src: d.before, alt: '替换背景前的照片', class: 'before', width: 120, height: 160 }) : null,
		h('img', { src: d.photo, alt: '系统处理后的照片', width: 240, height: 320 }),
		h('figcaption', {},
			h('p', { class: `status ${d.verdict === 'fail' ? 'bad' : 'ok'}` }, d.verdict === 'fail' ? '未通过检测' : d.verdict === 'warn' ? '可以提交（有提示）' : '检测通过'),
			d.guide ? h('p', {}, d.guide) : null,
			h('ul', {}, d.problems.map((x) => h('li', { 'data-check': x.check }, x.message))),
			d.verdict === 'fail' ? null : h('button', { type: 'button', class: 'primary', onclick: () => submitDraft(d.id) }, '提交这张照片')))));
}

async function submitDraft(id) {
	if (!window.confirm('照片提交后无法撤销，将由学校审核。确定提交这张照片吗？')) {
		return;
	}
	try {
		const code = document.getElementById('capture-code');
		await call('POST', '/api/confirm', code && code.value.trim() ? { draft: id, code: code.value.trim() } : { draft: id });
		showError('');
		await statusView();
	} catch (err) {
		showError(err.zh);
	}
}

async function signout() {
	try {
		await call('POST', '/api/signout', {});
	} catch (err) {
		showError(err.zh);
		return;
	}
	csrf = null;
	signinView('');
}

function start() {
	const code = codeFromLink();
	if (code) {
		csrf = null;
		showError('');
		signinView(code);
	} else {
		statusView();
	}
}

// a link opened in a tab that shows the portal already
window.addEventListener('hashchange', () => {
	if (/^#\/i\//.test(location.hash)) {
		start();
	}
});
start();
