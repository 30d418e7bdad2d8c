// The student portal (docs/online-guide.md): sign in with the invitation
// code (from the link's #/i/CODE, which never reaches a server), then the
// student's own status, the school's notice and photo rules, and the ways
// the school takes a photo: the phone's camera with the live guide
// (camera.js) and a studio file; once approved, the check of the finished
// photo (check.js). Plain DOM, no external scripts.
import { cameraCard, stopCamera } from './camera.js';
import { mountCheck } from './check.js';
import { h } from './dom.js';

const view = document.getElementById('view');
const errorBox = document.getElementById('error');
let csrf = null;

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
	stopCamera();
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
		...(canSend(me.status) ? [rulesCard(me), photoCard(me)] : []),
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

const COLOURS = { '#64C5FF': '浅蓝色', '#FFFFFF': '白色', '#F0F0F0': '浅灰色' };
const CLOTHES = { blue: '蓝色', purple: '紫色', yellow: '黄色', green: '绿色', pink: '粉色', white: '白色', black: '黑色' };

// The school's notice and the photo rules of its profile, before any photo.
function rulesCard(me) {
	const r = me.rules;
	const items = [];
	if (r) {
		const bg = r.backgrounds.map((c) => COLOURS[c] || c).join('、');
		items.push(`背景：${bg}纯色背景，无渐变、无阴影、无杂物${r.background_replaced ? '（背景不合格时，系统可在人像清晰时自动替换为标准底色）' : ''}。`);
		items.push('正面免冠，双眼平视、睁开，嘴巴自然闭合（笑不露齿），头发不遮挡眉毛、眼睛和耳朵，不化妆、不戴首饰。');
		items.push(r.glasses_allowed ? '常戴眼镜者可佩戴眼镜，镜片不能反光，不戴有色眼镜或美瞳。' : '本校要求拍照时不戴眼镜。');
		items.push(`服装颜色须与背景有明显区别${r.clothing_banned.length ? `，不要穿${r.clothing_banned.map((c) => CLOTHES[c] || c).join('、')}的衣服` : ''}。`);
		items.push('光线均匀，脸上没有明显阴影或反光；不得美颜、修图或翻拍照片。');
		items.push(`照片由系统自动裁剪为 ${r.width}×${r.height} 像素，头肩完整入镜；上传的文件须为 JPEG 格式，不超过 ${Math.floor(r.file_max / 1048576)} MB。`);
	}
	return h('section', { class: 'card', id: 'rules' },
		h('h2', {}, '拍照须知'),
		me.notice ? h('div', { id: 'notice', class: 'notice' }, me.notice.split(/\n\s*\n/).map((p) => h('p', {}, p.trim()))) : null,
		items.length ? h('ul', { id: 'rules-list' }, items.map((t) => h('li', {}, t))) : null);
}

// Sending a photo, by the methods the school takes ([online] methods): the
// phone's camera with the live guide, or a studio file. The server frames
// and checks it and keeps it as a draft.
function photoCard(me) {
	const methods = me.methods || ['camera', 'upload'];
	const parts = [];
	if (methods.includes('camera')) {
		parts.push(cameraCard({ send: sendPhoto, csrf: () => csrf }));
	}
	if (methods.includes('upload')) {
		parts.push(h('div', { class: 'part', id: 'upload' },
			h('h3', {}, '上传照相馆拍摄的照片'),
			h('label', { for: 'photo-file' }, '选择照片文件（JPEG）'),
			h('input', { type: 'file', id: 'photo-file', accept: 'image/jpeg', onchange: async (e) => {
				const file = e.target.files[0];
				if (file) {
					await sendPhoto(file, 'upload');
				}
				e.target.value = '';
			} })));
	}
	return h('section', { class: 'card', id: 'photo' },
		h('h2', {}, '提交照片'),
		h('p', { class: 'hint' }, methods.length > 1 ? '可以用手机摄像头现场拍摄，也可以上传照相馆拍摄的照片。' : methods[0] === 'camera' ? '本校要求用手机摄像头现场拍摄，不接受上传照片文件。' : '本校要求上传照相馆拍摄的照片。',
			'照片会自动裁剪并检测，你可以保留最多 5 张草稿，选一张提交。'),
		...parts,
		h('p', { id: 'photo-note', role: 'status' }),
		codeField(me.capture_code),
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

async function sendPhoto(body, method) {
	const note = document.getElementById('photo-note');
	note.textContent = '正在检测照片…';
	try {
		const res = await fetch(`/api/photo?method=${method}`, { method: 'POST', headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'image/jpeg' }, body, credentials: 'same-origin' });
		const j = await res.json().catch(() => ({}));
		if (!res.ok) {
			note.textContent = (j.error && (j.error.message_zh || j.error.message)) || '上传失败，请重试。';
			note.scrollIntoView({ block: 'center', behavior: 'smooth' });
		} else {
			note.textContent = '';
			renderDrafts(j.drafts);
			document.getElementById('drafts').scrollIntoView({ block: 'start', behavior: 'smooth' });
		}
	} catch {
		note.textContent = '网络连接失败，请检查网络后重试。';
	}
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
	box.replaceChildren(...drafts.map((d) => h('figure', { class: `draft v-${d.verdict}`, 'data-draft': d.id, 'data-method': d.method },
		h('p', { class: 'hint' }, d.method === 'camera' ? '现场拍摄' : '上传的照片'),
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
	stopCamera();
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
