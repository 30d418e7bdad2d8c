// review: the captures waiting for a decision as a grid, oldest first,
// each with its photo, the checks that did not pass, its age and (online
// submissions) the review deadline, overdue ones marked; approve, or
// reject with a reason, picked from the school's presets or typed (the
// student goes back on the makeup list). Keys: arrows move, A approves,
// R rejects (asks the reason), Enter opens the photo big.
import { t, fmtTime, kindName, checkName } from '../i18n.js';
import { get, post, qs, getSession } from '../api.js';
import { h, fill, checkList, studentOf, askText, notice } from './util.js';

let root = null;
let grid = null;
let caps = [];
let info = { waiting: 0, overdue: 0, review_hours: 48, reject_reasons: [] };
let sel = 0;
let note = null;
let busy = false;
const students = new Map(); // key → student, for the names on the cards

// The capture's student: the object the server gave, or the one fetched
// by its key.
function who(c) {
	const s = studentOf(c);
	return students.get(s.key) || s;
}

async function fetchStudents(list) {
	const keys = [...new Set(list.map((c) => studentOf(c)).filter((s) => !s.class).map((s) => s.key))]
		.filter((k) => !students.has(k));
	await Promise.all(keys.map(async (k) => {
		try {
			const r = await get('/api/student' + qs({ key: k }), { quiet: true });
			if (r.student) {
				students.set(k, r.student);
			}
		} catch {
			// the key is shown instead of the name
		}
	}));
}

function canReview() {
	const r = getSession()?.node?.role;
	return r === 'coordinator' || r === 'reviewer';
}

async function load() {
	let r;
	try {
		r = await get('/api/review');
	} catch {
		return;
	}
	await fetchStudents(r.captures || []);
	if (!root) {
		return;
	}
	caps = r.captures || [];
	info = {
		waiting: r.waiting ?? caps.length,
		overdue: r.overdue ?? 0,
		review_hours: r.review_hours ?? 48,
		reject_reasons: r.reject_reasons || [],
	};
	sel = Math.min(sel, Math.max(0, caps.length - 1));
	render();
	focusSel();
}

function focusSel() {
	const el = grid?.querySelector(`[data-index="${sel}"]`);
	if (el) {
		el.focus();
	}
}

function card(c, i) {
	const s = who(c);
	const bad = (c.checks || []).filter((x) => x.verdict !== 'pass');
	return h('article', {
		class: 'rcard' + (i === sel ? ' sel' : '') + (c.overdue ? ' overdue' : ''),
		tabindex: i === sel ? '0' : '-1',
		dataset: { index: String(i), capture: c.id, student: s.key },
		'aria-label': `${s.name} ${s.class ?? ''}`,
		onfocus: () => {
			if (sel !== i) {
				sel = i;
				updateSel();
			}
		},
	},
	h('img', { src: c.photo, alt: s.name, loading: 'lazy', width: 180, height: 240, ondblclick: () => openBig(i) }),
	h('div', { class: 'rname' }, s.name),
	h('div', { class: 'rmeta' }, `${s.class ?? ''} · ${c.site ?? ''} · ${kindName(c.kind)}`),
	h('div', { class: 'rmeta' }, fmtTime(c.time)),
	due(c),
	bad.length ? checkList(bad, { compact: true }) : h('p', { class: 'allpass' }, '✓ ' + t('dash.checks.allpass')),
	overrides(c),
	canReview() ? h('div', { class: 'buttons' },
		h('button', { type: 'button', class: 'approve', tabindex: '-1', onclick: () => decide(i, 'approve') }, t('review.approve') + ' (A)'),
		h('button', { type: 'button', class: 'reject', tabindex: '-1', onclick: () => decide(i, 'reject') }, t('review.reject') + ' (R)'),
		h('button', { type: 'button', class: 'open', tabindex: '-1', onclick: () => openBig(i) }, t('rev.open'))) : null);
}

// Its age, and for an online submission the deadline (overdue marked).
function due(c) {
	if (c.age_hours === undefined) {
		return null;
	}
	return h('div', { class: 'rmeta rdue' },
		t('rev.age', { n: c.age_hours }),
		c.deadline ? ` · ${t('rev.deadline')} ${fmtTime(c.deadline)}` : '',
		c.overdue ? h('span', { class: 'badge overdue' }, t('rev.overdue')) : null);
}

function overrides(c) {
	const o = c.overrides || [];
	if (!o.length) {
		return null;
	}
	return h('ul', { class: 'overrides' }, o.map((x) => h('li', {},
		h('strong', {}, `${t('rev.overridden')} ${checkName(x.check)}：`), x.reason)));
}

function updateSel() {
	for (const el of grid.querySelectorAll('.rcard')) {
		const on = Number(el.dataset.index) === sel;
		el.classList.toggle('sel', on);
		el.tabIndex = on ? 0 : -1;
	}
}

async function decide(i, decision) {
	if (busy || !canReview()) {
		return;
	}
	const c = caps[i];
	if (!c) {
		return;
	}
	const s = who(c);
	const body = { capture: c.id, decision };
	if (decision === 'reject') {
		const reason = await askText({
			title: t('rev.reason.q', { name: s.name }),
			label: t('rev.reason'),
			needMsg: t('rev.reason.need'),
			okText: t('review.reject'),
			presets: info.reject_reasons,
			presetsLabel: t('rev.presets'),
		});
		if (reason === null) {
			focusSel();
			return;
		}
		body.reason = reason;
	}
	busy = true;
	try {
		await post('/api/review', body);
		notice(note, t(decision === 'approve' ? 'rev.approved' : 'rev.rejected', { name: s.name }), 'ok');
		if (c.overdue) {
			info.overdue = Math.max(0, info.overdue - 1);
		}
		info.waiting = Math.max(0, info.waiting - 1);
		caps.splice(i, 1);
		sel = Math.min(i, Math.max(0, caps.length - 1));
		render();
	} catch {
		// the banner says why
	} finally {
		busy = false;
	}
	focusSel();
}

function openBig(i) {
	const c = caps[i];
	if (!c) {
		return;
	}
	const s = who(c);
	const dlg = h('dialog', { class: 'modal bigview', id: 'rev-big', 'aria-label': s.name },
		h('div', { class: 'big-grid' },
			h('img', { src: c.photo, alt: s.name, width: 480, height: 640 }),
			h('div', {},
				h('div', { class: 'student-name huge' }, s.name),
				h('p', {}, `${s.class ?? ''} · ${c.site ?? ''} · ${kindName(c.kind)} · ${fmtTime(c.time)}`),
				due(c),
				checkList(c.checks),
				overrides(c),
				h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => dlg.close() }, t('close'))))));
	dlg.addEventListener('close', () => {
		dlg.remove();
		focusSel();
	});
	document.body.appendChild(dlg);
	dlg.showModal();
	dlg.querySelector('button').focus();
}

// How many cards fit on one row of the grid now.
function perRow() {
	const cards = [...grid.querySelectorAll('.rcard')];
	if (cards.length < 2) {
		return 1;
	}
	const top = cards[0].offsetTop;
	const n = cards.findIndex((c) => c.offsetTop !== top);
	return n === -1 ? cards.length : n;
}

function onKey(e) {
	if (!root || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) {
		return;
	}
	if (!(e.target instanceof HTMLElement) || !(e.target.classList.contains('rcard') || e.target === document.body || e.target.id === 'view')) {
		return;
	}
	if (!caps.length) {
		return;
	}
	let move = 0;
	switch (e.key) {
	case 'ArrowRight': move = 1; break;
	case 'ArrowLeft': move = -1; break;
	case 'ArrowDown': move = perRow(); break;
	case 'ArrowUp': move = -perRow(); break;
	case 'a':
	case 'A':
		e.preventDefault();
		if (!e.repeat) {
			decide(sel, 'approve');
		}
		return;
	case 'r':
	case 'R':
		e.preventDefault();
		if (!e.repeat) {
			decide(sel, 'reject');
		}
		return;
	case 'Enter':
		e.preventDefault();
		openBig(sel);
		return;
	default:
		return;
	}
	e.preventDefault();
	const n = Math.min(caps.length - 1, Math.max(0, sel + move));
	if (n !== sel) {
		sel = n;
		updateSel();
	}
	focusSel();
}

function render() {
	if (!root) {
		return;
	}
	grid = h('div', { class: 'rgrid', id: 'rev-grid', role: 'grid', 'aria-label': t('rev.title') }, caps.map(card));
	fill(root, 
		h('h1', {}, t('rev.title')),
		h('p', { class: 'keys-line' }, t('rev.keys')),
		canReview() ? null : h('p', { class: 'notice n-warn', id: 'rev-notallowed' }, t('rev.notallowed', { role: t('role.' + getSession()?.node?.role) })),
		note,
		h('p', { id: 'rev-count' }, caps.length ? t('rev.count', { n: info.waiting }) : t('rev.empty'),
			info.overdue ? h('strong', { class: 'overdue-count' }, ' ' + t('rev.count.overdue', { n: info.overdue, h: info.review_hours })) : null),
		grid);
}

export default {
	mount(el) {
		caps = [];
		sel = 0;
		root = h('div', { class: 'review-view', id: 'review' });
		note = h('p', { id: 'rev-note', role: 'status', hidden: true });
		el.replaceChildren(root);
		render();
		document.addEventListener('keydown', onKey);
		load();
	},
	unmount() {
		document.removeEventListener('keydown', onKey);
		root = null;
	},
	relang() {
		render();
		focusSel();
	},
};
