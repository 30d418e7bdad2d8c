// The student portal (docs/online-guide.md): sign in with the invitation
// code (from the link's #/i/CODE, which never reaches a server), then the
// student's own status. Plain DOM, no external scripts.
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
			h('dl', { class: 'facts' },
				h('dt', {}, '姓名'), h('dd', { id: 'me-name' }, s.name),
				h('dt', {}, '学号'), h('dd', {}, s.student_no),
				h('dt', {}, '证件号码'), h('dd', { id: 'me-id' }, s.id_masked),
				h('dt', {}, '层次'), h('dd', {}, s.level),
				h('dt', {}, '专业'), h('dd', {}, s.major),
				h('dt', {}, '班级'), h('dd', {}, s.class))),
		h('div', { class: 'row' }, h('button', { type: 'button', id: 'signout', onclick: signout }, '退出登录')));
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

const code = codeFromLink();
if (code) {
	signinView(code);
} else {
	statusView();
}
