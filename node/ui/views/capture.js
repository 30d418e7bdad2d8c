// capture: the capture station. One input, always focused after every
// action, takes a keyboard-wedge scan (capture-code QR, ID card number,
// 学号) or a typed search; the student found is shown big and must be
// confirmed before the shot; the shot comes back normalised with every
// check; accept (with a reason for each failed check), retake or cancel.
// The shot is bound to the confirmed student's key, shown next to the
// photo, and accept sends that key (the server refuses a mismatch).
//
// Keys: Enter searches / chooses / confirms, F2 or Space shoots, A
// accepts, R retakes, Esc cancels, ↑↓ move in a list of matches.
import { t, msg, fmtTime, kindName, getLang } from '../i18n.js';
import { get, post, qs, showError } from '../api.js';
import { h, checkList, statusBadge, notice } from './util.js';

const SCAN_GAP_MS = 40; // a wedge types faster than any person (mean)
const SCAN_PAUSE_MS = 250; // no single gap longer than this
const PREVIEW_MS = 300;

let root = null;
let input = null;
let stage = null;
let noteEl = null;
let codeEl = null;
let sessionEl = null;
let previewEl = null;
let st = null;
let keys = []; // timestamps of the keys typed into the input
let previewTimer = null;
let previewURL = null;
let mounted = false;

function fresh() {
	return {
		phase: 'idle', // idle | choose | confirm | confirmed | shot | busy
		matches: [],
		sel: 0,
		bind: 'search',
		code: null, // a capture code read without a match, kept for the shot
		student: null,
		captures: [],
		warning: null,
		again: false,
		shot: null,
		reasons: {},
		note: { key: 'cap.idle', vars: null, kind: 'info' },
		session: undefined,
	};
}

function setNote(key, vars, kind = 'info') {
	st.note = { key, vars, kind };
	renderNote();
}

function renderNote() {
	notice(noteEl, st.note.key ? t(st.note.key, st.note.vars) : '', st.note.kind);
}

function focusInput() {
	if (!mounted || document.querySelector('dialog[open]')) {
		return;
	}
	input.focus();
}

function setPhase(p) {
	st.phase = p;
	render();
}

// --- looking up a student -------------------------------------------------

// Whether the input's text came from a wedge: as many keys as characters,
// each within SCAN_GAP_MS of the one before.
function wasScanned(value) {
	if (keys.length < Math.max(4, value.length) || value.length < 4) {
		return false;
	}
	// on average faster than any person, and no pause a person would
	// make (a busy computer may delay one key of a wedge now and then)
	const span = keys[keys.length - 1] - keys[0];
	for (let i = 1; i < keys.length; i++) {
		if (keys[i] - keys[i - 1] > SCAN_PAUSE_MS) {
			return false;
		}
	}
	return span / (keys.length - 1) <= SCAN_GAP_MS;
}

function bindFor(q, list, scanned) {
	if (/^\d{17}[\dXx]$/.test(q)) {
		return 'id-card';
	}
	if (list.length === 1 && list[0].student_no === q) {
		return 'student-no';
	}
	if (list.length === 1 && scanned) {
		return 'qr';
	}
	return 'search';
}

async function lookup(q, scanned) {
	if (st.phase === 'shot') {
		return;
	}
	st.student = null;
	st.matches = [];
	setPhase('busy');
	setNote('cap.searching', { q }, 'info');
	let r;
	try {
		r = await get('/api/students' + qs({ q }));
	} catch {
		setNote('', null);
		setPhase('idle');
		focusInput();
		return;
	}
	const list = r.students || [];
	if (list.length === 0) {
		if (scanned && !/^\d+$/.test(q)) {
			st.code = q;
			renderCode();
			setNote('cap.code.kept', { code: q }, 'warn');
		} else {
			setNote('cap.nomatch', { q }, 'warn');
		}
		setPhase('idle');
		focusInput();
		return;
	}
	st.bind = bindFor(q, list, scanned);
	if (st.bind === 'qr' && !st.code) {
		st.code = q;
		renderCode();
	}
	if (list.length === 1) {
		await choose(list[0]);
		return;
	}
	st.matches = list;
	st.sel = 0;
	setNote('cap.choose', { n: list.length }, 'info');
	setPhase('choose');
	focusInput();
}

async function choose(student) {
	setPhase('busy');
	let r;
	try {
		r = await get('/api/student' + qs({ key: student.key }));
	} catch {
		setNote('', null);
		setPhase('idle');
		focusInput();
		return;
	}
	st.student = r.student;
	st.captures = r.captures || [];
	st.warning = r.warning || null;
	st.again = false;
	setNote('cap.confirm.q', null, st.warning ? 'warn' : 'info');
	setPhase('confirm');
	focusInput();
}

function confirmStudent() {
	if (st.phase !== 'confirm' || !st.student) {
		return;
	}
	// one photo per level: confirming a student who has a capture (or is
	// APPROVED) is the operator's intent to take another
	st.again = !!st.warning || st.captures.length > 0;
	setNote('cap.confirmed', null, 'ok');
	setPhase('confirmed');
	focusInput();
}

// --- shooting ----------------------------------------------------------

async function shoot() {
	if (st.phase !== 'confirmed' || !st.student) {
		return;
	}
	const student = st.student;
	setNote('cap.shooting', null, 'info');
	setPhase('busy');
	let r;
	try {
		const body = { student: student.key, bind: st.bind };
		if (st.code) {
			body.code = st.code;
		}
		r = await post('/api/capture/shoot', body);
	} catch {
		setNote('', null);
		setPhase('confirmed');
		focusInput();
		return;
	}
	if (!r.student || r.student.key !== student.key) {
		post('/api/capture/discard', { shot: r.shot }, { quiet: true }).catch(() => {});
		setNote('cap.mismatch', null, 'warn');
		setPhase('confirmed');
		focusInput();
		return;
	}
	st.shot = r;
	st.reasons = {};
	const v = r.verdict || worst(r.checks);
	setNote('cap.verdict.' + v, null, v === 'fail' ? 'bad' : v === 'warn' ? 'warn' : 'ok');
	setPhase('shot');
	focusInput();
}

function worst(checks) {
	const vs = (checks || []).map((c) => c.verdict);
	return vs.includes('fail') ? 'fail' : vs.includes('warn') ? 'warn' : 'pass';
}

function failed() {
	return (st.shot?.checks || []).filter((c) => c.verdict === 'fail');
}

async function accept() {
	if (st.phase !== 'shot' || !st.shot) {
		return;
	}
	const fails = failed();
	const missing = fails.filter((c) => !(st.reasons[c.id] || '').trim());
	if (missing.length) {
		setNote('cap.override.missing', { n: missing.length }, 'bad');
		const el = stage.querySelector(`input[data-override="${CSS.escape(missing[0].id)}"]`);
		if (el) {
			el.focus();
		}
		return;
	}
	const shot = st.shot;
	const student = st.student;
	setNote('cap.saving', null, 'info');
	setPhase('busy');
	try {
		await post('/api/capture/accept', {
			shot: shot.shot,
			student: student.key,
			overrides: fails.map((c) => ({ check: c.id, reason: st.reasons[c.id].trim() })),
			again: st.again,
			// the warning the operator confirmed: the server refuses when
			// the student's state has changed since (another site, the
			// coordinator)
			warning: st.again ? st.warning?.code ?? 'captured' : null,
		});
	} catch {
		setNote('', null);
		setPhase('shot');
		focusInput();
		return;
	}
	const keepSession = st.session;
	st = fresh();
	st.session = keepSession;
	renderCode();
	setNote('cap.saved', { name: student.name, cls: student.class }, 'ok');
	setPhase('idle');
	focusInput();
}

async function discardShot() {
	if (st.shot) {
		const id = st.shot.shot;
		st.shot = null;
		await post('/api/capture/discard', { shot: id }, { quiet: true }).catch(() => {});
	}
}

async function retake() {
	if (st.phase !== 'shot') {
		return;
	}
	setPhase('busy');
	await discardShot();
	st.phase = 'confirmed';
	await shoot();
}

async function cancel() {
	if (st.phase === 'busy') {
		return;
	}
	if (st.phase === 'shot') {
		setPhase('busy');
		await discardShot();
	}
	const keepSession = st.session;
	const hadSomething = st.phase !== 'idle' || input.value || st.code;
	st = fresh();
	st.session = keepSession;
	input.value = '';
	keys = [];
	renderCode();
	setNote(hadSomething ? 'cap.cancelled' : 'cap.idle', null, 'info');
	setPhase('idle');
	focusInput();
}

// --- keys --------------------------------------------------------------

function onInputKey(e) {
	if (e.key === 'Enter') {
		e.preventDefault();
		const v = input.value.trim();
		const scanned = wasScanned(v);
		keys = [];
		if (st.phase === 'shot' || st.phase === 'busy') {
			return;
		}
		if (v) {
			input.value = '';
			lookup(v, scanned);
		} else if (st.phase === 'choose') {
			choose(st.matches[st.sel]);
		} else if (st.phase === 'confirm') {
			confirmStudent();
		}
		return;
	}
	if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
		if (input.value === '') {
			keys = [];
		}
		keys.push(e.timeStamp);
	}
}

function onDocKey(e) {
	if (!mounted || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) {
		return;
	}
	if (document.querySelector('dialog[open]')) {
		return;
	}
	const tgt = e.target;
	const inScan = tgt === input;
	const onBody = tgt === document.body || tgt === root || tgt === document.getElementById('view');
	const inReason = tgt instanceof HTMLInputElement && tgt.dataset.override !== undefined;
	if (inReason) {
		if (e.key === 'Enter') {
			e.preventDefault();
			accept();
		} else if (e.key === 'Escape') {
			e.preventDefault();
			focusInput();
		}
		return;
	}
	if (!inScan && !onBody) {
		if (e.key === 'Escape') {
			e.preventDefault();
			cancel();
		} else if (e.key === 'F2') {
			e.preventDefault();
			shoot();
		}
		return; // buttons and links keep their own Enter and Space
	}
	const empty = input.value === '';
	switch (e.key) {
	case 'F2':
		e.preventDefault();
		shoot();
		break;
	case ' ':
		if (empty && st.phase === 'confirmed') {
			e.preventDefault();
			shoot();
		}
		break;
	case 'a':
	case 'A':
		if (st.phase === 'shot') {
			e.preventDefault();
			if (!e.repeat) {
				accept();
			}
		}
		break;
	case 'r':
	case 'R':
		if (st.phase === 'shot') {
			e.preventDefault();
			if (!e.repeat) {
				retake();
			}
		}
		break;
	case 'Escape':
		e.preventDefault();
		cancel();
		break;
	case 'ArrowDown':
	case 'ArrowUp':
		if (st.phase === 'choose' && empty) {
			e.preventDefault();
			const n = st.matches.length;
			st.sel = (st.sel + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
			render();
		}
		break;
	case 'Enter':
		if (onBody) {
			e.preventDefault();
			if (st.phase === 'choose') {
				choose(st.matches[st.sel]);
			} else if (st.phase === 'confirm') {
				confirmStudent();
			}
			focusInput();
		}
		break;
	default:
		if (onBody && e.key.length === 1 && st.phase !== 'shot') {
			focusInput(); // the key goes on to the input
		}
	}
}

// --- rendering -----------------------------------------------------------

function renderCode() {
	if (!st.code) {
		codeEl.hidden = true;
		codeEl.replaceChildren();
		return;
	}
	codeEl.hidden = false;
	codeEl.replaceChildren(
		h('span', {}, '采集码 / code: '),
		h('code', {}, st.code),
		' ',
		h('button', {
			type: 'button',
			onclick: () => {
				st.code = null;
				renderCode();
				focusInput();
			},
		}, t('cap.code.clear')));
}

function renderSession() {
	if (st.session === null) {
		notice(sessionEl, t('cap.nosession'), 'bad');
	} else if (st.session) {
		const s = st.session;
		notice(sessionEl, `${t('ses.current')}: ${kindName(s.kind)} · ${s.location || ''}${s.operator ? ' · ' + s.operator : ''}`, 'info');
	} else {
		notice(sessionEl, '', 'info');
	}
}

function studentCard(s, big) {
	return h('div', { class: 'student' + (big ? ' big' : ''), dataset: { key: s.key } },
		h('div', { class: 'student-name', id: big ? 'cap-name' : null }, s.name),
		h('dl', { class: 'facts' },
			h('dt', {}, t('field.class')), h('dd', { class: 'student-class' }, s.class || ''),
			h('dt', {}, t('field.level')), h('dd', {}, s.level || ''),
			h('dt', {}, t('field.student_no')), h('dd', {}, s.student_no || ''),
			h('dt', {}, t('field.id')), h('dd', { class: 'mono' }, s.id_masked || ''),
			h('dt', {}, t('field.status')), h('dd', {}, statusBadge(s.status))));
}

function warningBanner(w) {
	if (!w) {
		return null;
	}
	return h('div', { class: 'warning-banner', role: 'alert', id: 'cap-warning', dataset: { code: w.code } },
		h('span', { class: 'warning-icon', 'aria-hidden': 'true' }, '⚠'), msg(w));
}

function earlier(caps) {
	if (!caps.length) {
		return h('p', { class: 'muted' }, t('cap.earlier.none'));
	}
	return h('div', { class: 'earlier' },
		h('h3', {}, t('cap.earlier')),
		h('div', { class: 'thumbs' }, caps.map((c) => h('figure', { class: 'thumb' + (c.voided ? ' voided' : '') },
			h('img', { src: c.photo, alt: '', loading: 'lazy', width: 120, height: 160 }),
			h('figcaption', {},
				`${fmtTime(c.time)} · ${c.site ?? ''} · ${kindName(c.kind)}`,
				h('br'),
				c.review ? t('review.' + c.review) : t('review.none'))))));
}

function render() {
	if (!mounted) {
		return;
	}
	input.readOnly = st.phase === 'shot' || st.phase === 'busy';
	input.placeholder = st.phase === 'shot' ? t('cap.input.ph.shot') : t('cap.input.ph');
	root.dataset.phase = st.phase;
	renderNote();
	renderSession();
	const p = st.phase;
	if (p === 'idle' || (p === 'busy' && !st.student)) {
		stage.replaceChildren();
		return;
	}
	if (p === 'choose') {
		stage.replaceChildren(h('ol', { class: 'matches', role: 'listbox', id: 'cap-matches', 'aria-label': t('cap.choose', { n: st.matches.length }) },
			st.matches.map((s, i) => h('li', {
				role: 'option',
				id: 'match-' + i,
				'aria-selected': i === st.sel ? 'true' : 'false',
				class: i === st.sel ? 'sel' : '',
				onclick: () => choose(s),
			},
			h('span', { class: 'm-name' }, s.name), ' ',
			h('span', { class: 'm-class' }, s.class), ' ',
			h('span', { class: 'mono' }, s.student_no), ' ',
			h('span', { class: 'mono' }, s.id_masked), ' ',
			statusBadge(s.status)))));
		input.setAttribute('aria-activedescendant', 'match-' + st.sel);
		return;
	}
	input.removeAttribute('aria-activedescendant');
	if (!st.student) {
		stage.replaceChildren();
		return;
	}
	if (p === 'confirm' || p === 'confirmed' || (p === 'busy' && !st.shot)) {
		const again = !!st.warning || st.captures.length > 0;
		stage.replaceChildren(h('section', { class: 'confirm card' + (p === 'confirmed' ? ' confirmed' : ''), id: 'cap-student' },
			warningBanner(st.warning),
			studentCard(st.student, true),
			earlier(st.captures),
			h('div', { class: 'buttons' },
				p === 'confirm'
					? h('button', { type: 'button', class: 'primary big', id: 'cap-confirm', onclick: confirmStudent }, t(again ? 'cap.confirm.again' : 'cap.confirm'))
					: h('button', { type: 'button', class: 'primary big', id: 'cap-shoot', disabled: p === 'busy', onclick: shoot }, t('cap.shoot')),
				h('button', { type: 'button', id: 'cap-cancel', onclick: cancel }, t('cap.cancel')))));
		return;
	}
	if ((p === 'shot' || p === 'busy') && st.shot) {
		const s = st.student;
		const sh = st.shot;
		const v = sh.verdict || worst(sh.checks);
		const fails = failed();
		const list = checkList(sh.checks);
		for (const c of fails) {
			const li = list.querySelector(`li[data-check="${CSS.escape(c.id)}"]`);
			const inp = h('input', {
				type: 'text',
				class: 'override',
				dataset: { override: c.id },
				placeholder: t('cap.override.ph'),
				'aria-label': `${t('cap.override')}: ${msg(c)}`,
				value: st.reasons[c.id] || '',
				autocomplete: 'off',
			});
			inp.addEventListener('input', () => {
				st.reasons[c.id] = inp.value;
			});
			li.appendChild(h('label', { class: 'override-label' }, t('cap.override') + '：', inp));
		}
		stage.replaceChildren(h('section', { class: 'shot card v-' + v, id: 'cap-shot', dataset: { verdict: v, student: s.key } },
			h('div', { class: 'shot-photo' },
				h('img', { src: sh.photo, alt: s.name, id: 'cap-photo', width: 480, height: 640 })),
			h('div', { class: 'shot-side' },
				h('p', { class: 'muted' }, t('cap.shot.for')),
				h('div', { class: 'student-name huge', id: 'cap-shot-name' }, s.name),
				h('p', { class: 'shot-facts' }, `${s.class || ''} · ${s.student_no || ''} · `, h('span', { class: 'mono' }, s.id_masked || '')),
				warningBanner(sh.warning || st.warning),
				h('div', { class: 'verdict-line v-' + v, id: 'cap-verdict' }, t('cap.verdict.' + v)),
				list,
				h('div', { class: 'buttons' },
					h('button', { type: 'button', class: 'primary big', id: 'cap-accept', disabled: p === 'busy', onclick: accept }, t('cap.accept')),
					h('button', { type: 'button', id: 'cap-retake', disabled: p === 'busy', onclick: retake }, t('cap.retake')),
					h('button', { type: 'button', id: 'cap-cancel', disabled: p === 'busy', onclick: cancel }, t('cap.cancel'))))));
	}
}

function legend() {
	return h('ul', { class: 'keys', 'aria-label': t('cap.keys') },
		['cap.key.enter', 'cap.key.arrows', 'cap.key.shoot', 'cap.key.accept', 'cap.key.retake', 'cap.key.esc']
			.map((k) => h('li', {}, t(k))));
}

// --- live preview (when the server has it) -----------------------------

function stopPreview() {
	if (previewTimer) {
		clearTimeout(previewTimer);
		previewTimer = null;
	}
	if (previewURL) {
		URL.revokeObjectURL(previewURL);
		previewURL = null;
	}
}

async function pollPreview() {
	previewTimer = null;
	if (!mounted) {
		return;
	}
	let delay = PREVIEW_MS;
	try {
		const res = await fetch('/api/camera/preview', { cache: 'no-store', credentials: 'same-origin' });
		if (res.status === 404) {
			previewEl.hidden = true;
			return; // this server has no preview: stop asking
		}
		if (res.status === 503) {
			previewEl.hidden = true; // no camera, or no frame yet
			delay = 1000;
		}
		if (res.ok) {
			const blob = await res.blob();
			const url = URL.createObjectURL(blob);
			const img = previewEl.querySelector('img');
			img.src = url;
			if (previewURL) {
				URL.revokeObjectURL(previewURL);
			}
			previewURL = url;
			previewEl.hidden = false;
			const g = await fetch('/api/camera/guide', { cache: 'no-store', credentials: 'same-origin' });
			if (g.ok) {
				renderGuide(await g.json());
			}
		} else if (res.status !== 503) {
			delay = 2000;
		}
	} catch {
		delay = 2000;
	}
	if (mounted) {
		previewTimer = setTimeout(pollPreview, delay);
	}
}

// The guidance on the latest frame (docs/api.md): what to do now, the
// failed checks, and where the photo would be cut as a box on the preview.
function renderGuide(g) {
	const box = previewEl.querySelector('.guide-box');
	const text = previewEl.querySelector('.guide-text');
	const words = getLang() === 'en' ? g?.guide || g?.guide_zh : g?.guide_zh || g?.guide;
	const failedNow = (g?.failed || []).map((c) => msg(c)).filter(Boolean);
	text.textContent = [words, ...failedNow].filter(Boolean).join(' · ');
	previewEl.dataset.verdict = g?.verdict || '';
	place(box, g?.crop, g);
	place(previewEl.querySelector('.face-box'), g?.face, g);
}

// A box in frame pixels, drawn over the preview in percent.
function place(box, r, g) {
	if (r && g.frame_w > 0 && g.frame_h > 0) {
		box.hidden = false;
		box.style.left = (100 * r.x / g.frame_w) + '%';
		box.style.top = (100 * r.y / g.frame_h) + '%';
		box.style.width = (100 * r.w / g.frame_w) + '%';
		box.style.height = (100 * r.h / g.frame_h) + '%';
	} else {
		box.hidden = true;
	}
}

// --- the view ----------------------------------------------------------

async function loadSessionState() {
	try {
		const r = await get('/api/sessions/current', { quiet: true });
		st.session = r.session || null;
	} catch (e) {
		st.session = undefined;
		if (e.status !== 404) {
			showError(e);
		}
	}
	renderSession();
}

function build(el) {
	root = h('div', { class: 'capture', id: 'capture' });
	input = h('input', {
		type: 'text',
		id: 'scan',
		class: 'scan',
		autocomplete: 'off',
		spellcheck: 'false',
		'aria-describedby': 'cap-note',
		'aria-controls': 'cap-stage',
	});
	input.addEventListener('keydown', onInputKey);
	input.addEventListener('focusout', (e) => {
		// clicks on the page's empty parts give the focus back
		setTimeout(() => {
			if (mounted && (document.activeElement === document.body || document.activeElement === null)) {
				focusInput();
			}
		}, 0);
		void e;
	});
	noteEl = h('p', { id: 'cap-note', role: 'status', 'aria-live': 'polite' });
	codeEl = h('p', { id: 'cap-code', class: 'code-chip', hidden: true });
	sessionEl = h('p', { id: 'cap-session', hidden: true });
	stage = h('div', { id: 'cap-stage', class: 'stage' });
	previewEl = h('aside', { id: 'cap-preview', class: 'preview', hidden: true, 'aria-label': t('cap.preview') },
		h('h3', {}, t('cap.preview')),
		h('div', { class: 'preview-frame' },
			h('img', { alt: t('cap.preview') }),
			h('div', { class: 'guide-box', hidden: true }),
			h('div', { class: 'face-box', hidden: true })),
		h('p', { class: 'guide-text', 'aria-live': 'polite' }));
	root.append(
		h('div', { class: 'scanbar' },
			h('label', { for: 'scan', class: 'scan-label' }, t('cap.input.label')),
			input,
			legend()),
		sessionEl, noteEl, codeEl,
		h('div', { class: 'cap-main' }, stage, previewEl));
	el.replaceChildren(root);
}

export default {
	mount(el) {
		mounted = true;
		st = fresh();
		keys = [];
		build(el);
		render();
		renderCode();
		document.addEventListener('keydown', onDocKey);
		root.addEventListener('click', (e) => {
			if (e.target === root || e.target === stage) {
				focusInput();
			}
		});
		focusInput();
		loadSessionState();
		pollPreview();
	},
	unmount() {
		mounted = false;
		document.removeEventListener('keydown', onDocKey);
		stopPreview();
		if (st?.shot) {
			post('/api/capture/discard', { shot: st.shot.shot }, { quiet: true }).catch(() => {});
		}
		root = null;
	},
	relang() {
		const el = root.parentNode;
		const text = input.value;
		build(el);
		input.value = text;
		render();
		renderCode();
		renderSession();
		focusInput();
	},
};
