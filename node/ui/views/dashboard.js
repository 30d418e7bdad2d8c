// dashboard: the coordinator's view. Progress per class and site as bars
// and the digest of the merged set (GET /api/status), with the review
// queue's count and how many are overdue; conflicts side by
// side, each candidate with its photo, site, session kind, time and checks,
// resolved with one click and a reason (POST /api/resolve, seen = the
// candidates shown); alerts; a checkpoint button. Resolving and signing are
// shown to the coordinator only.
import { t, fmtTime, kindName } from '../i18n.js';
import { get, post, qs, isCoordinator, showError } from '../api.js';
import { h, fill, checkList, notice } from './util.js';

const ORDER = ['APPROVED', 'PENDING_REVIEW', 'CONFLICT', 'NEEDS_RETAKE', 'MISSING', 'EXEMPT'];

let root = null;
let data = null;
let note = null;
let reasons = {};
let busy = false;

async function student(key) {
	try {
		return await get('/api/student' + qs({ key }), { quiet: true });
	} catch {
		return null;
	}
}

async function load() {
	let status, conf;
	try {
		[status, conf] = await Promise.all([get('/api/status'), get('/api/conflicts')]);
	} catch {
		return;
	}
	const conflicts = await Promise.all((conf.conflicts || []).map(async (c) => {
		const s = await student(c.student);
		const byId = new Map((s?.captures || []).map((x) => [x.id, x]));
		return {
			key: c.student,
			student: s?.student || { key: c.student, name: c.student },
			candidates: (c.captures || []).map((x) => ({ ...x, detail: byId.get(x.capture) || null })),
		};
	}));
	const names = new Map();
	for (const a of conf.alerts || []) {
		for (const k of a.students || []) {
			if (!names.has(k)) {
				names.set(k, null);
			}
		}
	}
	await Promise.all([...names.keys()].map(async (k) => {
		const s = await student(k);
		names.set(k, s?.student ? `${s.student.name}（${s.student.class}）` : k);
	}));
	if (!root) {
		return;
	}
	data = { status, conflicts, alerts: conf.alerts || [], unmatched: conf.unmatched || 0, names };
	render();
}

function bar(counts, label) {
	const total = ORDER.reduce((n, s) => n + (counts?.[s] ?? 0), 0);
	const parts = ORDER.filter((s) => (counts?.[s] ?? 0) > 0);
	return h('div', { class: 'barrow', dataset: { label } },
		h('span', { class: 'barlabel' }, label),
		h('div', {
			class: 'bar',
			role: 'img',
			'aria-label': `${label}: ` + ORDER.map((s) => `${t('status.' + s)} ${counts?.[s] ?? 0}`).join(', '),
		}, parts.map((s) => {
			// CSSOM, not a style attribute: the page's CSP allows no inline style
			const seg = h('span', { class: 'seg st-' + s, title: `${t('status.' + s)} ${counts[s]}` });
			seg.style.width = `${(100 * counts[s]) / Math.max(1, total)}%`;
			return seg;
		})),
		h('span', { class: 'barnums' },
			h('span', { class: 'done' }, String(counts?.APPROVED ?? 0)), ` / ${total}`));
}

function progress() {
	const m = data.status.merge || {};
	const byClass = Object.entries(m.by_class || {}).sort(([a], [b]) => a.localeCompare(b, 'zh-CN'));
	const bySite = Object.entries(m.by_site || {}).sort(([a], [b]) => a.localeCompare(b, 'zh-CN'));
	return h('section', { class: 'card', id: 'dash-progress' },
		h('h2', {}, t('dash.progress')),
		h('p', {}, t('dash.total', { n: m.students ?? 0 }), m.unmatched ? ' · ' + t('dash.unmatched', { n: m.unmatched }) : ''),
		m.review ? h('p', { id: 'dash-review', class: m.review.overdue ? 'notice n-warn' : '' },
			h('a', { href: '#/review' }, t('dash.review', { n: m.review.waiting, late: m.review.overdue, h: m.review.review_hours }))) : null,
		m.retake_overdue ? h('p', { id: 'dash-retake-late' }, t('dash.retake.late', { n: m.retake_overdue })) : null,
		bar(m.counts, '∑'),
		h('ul', { class: 'counts', id: 'dash-counts' }, ORDER.map((s) => h('li', { dataset: { status: s } },
			h('span', { class: 'swatch st-' + s }), `${t('status.' + s)} `, h('strong', {}, String(m.counts?.[s] ?? 0))))),
		h('div', { class: 'two' },
			h('div', { id: 'dash-byclass' }, h('h3', {}, t('dash.byclass')), byClass.map(([k, v]) => bar(v, k))),
			h('div', { id: 'dash-bysite' }, h('h3', {}, t('dash.bysite')), bySite.map(([k, v]) => bar(v, k === '-' ? '—' : k)))),
		h('p', { class: 'digest' }, t('dash.digest') + '：', h('code', { id: 'dash-digest' }, m.digest || '')));
}

async function resolve(c, cand) {
	if (busy) {
		return;
	}
	const reason = (reasons[c.key] || '').trim();
	if (!reason) {
		notice(note, t('dash.reason.need'), 'bad');
		root.querySelector(`input[data-reason="${CSS.escape(c.key)}"]`)?.focus();
		return;
	}
	busy = true;
	try {
		await post('/api/resolve', {
			student: c.key,
			capture: cand.capture,
			reason,
			seen: c.candidates.map((x) => x.capture),
		});
		notice(note, t('dash.resolved', { name: c.student.name }), 'ok');
		delete reasons[c.key];
	} catch {
		// the banner says why (409: changed since loaded): show what is now
	} finally {
		busy = false;
	}
	await load();
	root?.querySelector('#dash-conflicts button, #dash-conflicts input')?.focus();
}

function conflictCard(c) {
	const coord = isCoordinator();
	const reason = h('input', {
		type: 'text',
		class: 'wide',
		dataset: { reason: c.key },
		placeholder: t('dash.reason.ph'),
		'aria-label': `${t('dash.reason')}: ${c.student.name}`,
		value: reasons[c.key] || '',
		autocomplete: 'off',
	});
	reason.addEventListener('input', () => {
		reasons[c.key] = reason.value;
	});
	return h('article', { class: 'conflict card', dataset: { student: c.key } },
		h('h3', {}, t('dash.conflict.of', { name: c.student.name, cls: c.student.class ?? '', n: c.candidates.length })),
		h('div', { class: 'cands' }, c.candidates.map((x) => {
			const d = x.detail;
			return h('div', { class: 'cand' + (x.provisional ? ' provisional' : ''), dataset: { capture: x.capture } },
				h('img', { src: d?.photo || '/api/photo' + qs({ capture: x.capture }), alt: `${c.student.name} · ${x.site}`, width: 240, height: 320, loading: 'lazy' }),
				h('dl', { class: 'facts' },
					h('dt', {}, t('field.site')), h('dd', { class: 'cand-site' }, x.site ?? ''),
					h('dt', {}, t('field.kind')), h('dd', {}, `${kindName(x.session_kind ?? d?.kind)}`),
					h('dt', {}, t('field.time')), h('dd', {}, d ? fmtTime(d.time) : '')),
				h('p', { class: 'tags' },
					x.provisional ? h('span', { class: 'badge prov' }, t('dash.provisional')) : null,
					x.approved ? h('span', { class: 'badge st-APPROVED' }, t('dash.approved')) : null),
				d ? (d.checks || []).some((k) => k.verdict !== 'pass')
					? checkList(d.checks, { only: ['fail', 'warn'], compact: true })
					: h('p', { class: 'allpass' }, '✓ ' + t('dash.checks.allpass')) : null,
				h('p', {}, h('code', { class: 'muted small', title: x.capture }, x.capture.slice(0, 16))),
				coord ? h('button', { type: 'button', class: 'primary pick', onclick: () => resolve(c, x) }, t('dash.pick')) : null);
		})),
		coord ? h('label', { class: 'reason-label' }, t('dash.reason') + '：', reason) : null);
}

function conflictsBlock() {
	return h('section', { class: 'card', id: 'dash-conflicts' },
		h('h2', {}, `${t('dash.conflicts')} (${data.conflicts.length})`),
		isCoordinator() ? null : h('p', { class: 'notice n-info' }, t('dash.coordonly')),
		data.conflicts.length ? data.conflicts.map(conflictCard) : h('p', { id: 'dash-conflicts-none' }, t('dash.conflicts.none')));
}

function alertsBlock() {
	return h('section', { class: 'card', id: 'dash-alerts' },
		h('h2', {}, `${t('dash.alerts')} (${data.alerts.length})`),
		data.alerts.length
			? h('ul', { class: 'alerts' }, data.alerts.map((a) => {
				const [x, y] = a.students || [];
				return h('li', { class: 'alert', dataset: { kind: a.kind } },
					'⚠ ', t(a.kind === 'code' ? 'dash.alert.code' : 'dash.alert.photo', { a: data.names.get(x) || x, b: data.names.get(y) || y }),
					' ', h('code', { class: 'muted' }, (a.hash || '').slice(0, 16)));
			}))
			: h('p', {}, t('dash.alerts.none')),
		data.unmatched ? h('p', {}, t('dash.unmatched', { n: data.unmatched })) : null);
}

async function checkpoint() {
	if (busy) {
		return;
	}
	busy = true;
	try {
		const r = await post('/api/checkpoint', {});
		notice(note, t('dash.checkpoint.ok', { size: r.size, root: r.root }), 'ok');
	} catch {
		// shown in the banner
	} finally {
		busy = false;
	}
}

// --- the export (coordinator) ---------------------------------------

let exp = null; // the last progress object
let expTimer = null;

async function pollExport() {
	expTimer = null;
	try {
		exp = await get('/api/export/progress', { quiet: true });
	} catch {
		// the export's own answer will say
	}
	renderExport();
	if (root && exp?.running) {
		expTimer = setTimeout(pollExport, 400);
	}
}

async function runExport(e) {
	e.preventDefault();
	if (busy) {
		return;
	}
	const f = e.target;
	const body = { allow_conflicts: f.allow.checked, for: f.for.value };
	if (f.season.value.trim()) {
		body.season = f.season.value.trim();
	}
	busy = true;
	exp = { running: true, done: 0, total: 0, photos: 0, dir: null, ok: null, messages: '' };
	renderExport();
	expTimer = setTimeout(pollExport, 300);
	try {
		exp = await post('/api/export', body, { quiet: true });
	} catch (err) {
		if (err.data && 'messages' in err.data) {
			exp = err.data; // refused: the messages say why
		} else {
			exp = null;
			showError(err);
		}
	} finally {
		busy = false;
		if (expTimer) {
			clearTimeout(expTimer);
			expTimer = null;
		}
	}
	renderExport();
	root?.querySelector('#dash-export-result')?.focus();
}

function renderExport() {
	const box = root?.querySelector('#dash-export-state');
	if (!box) {
		return;
	}
	if (!exp) {
		fill(box);
		return;
	}
	const pct = exp.total > 0 ? Math.round((100 * exp.done) / exp.total) : 0;
	const bar = h('progress', { max: '100', value: String(pct), id: 'dash-export-progress', 'aria-label': t('dash.export') });
	fill(box,
		exp.running ? h('p', {}, t('dash.export.running', { done: exp.done, total: exp.total }), ' ', bar) : null,
		exp.ok === true ? h('p', { class: 'notice n-ok', id: 'dash-export-result', tabindex: '-1' },
			t('dash.export.ok', { photos: exp.photos, dir: exp.dir })) : null,
		exp.ok === false ? h('p', { class: 'notice n-bad', id: 'dash-export-result', tabindex: '-1' }, t('dash.export.refused')) : null,
		exp.messages && !exp.running ? h('pre', { class: 'messages', id: 'dash-export-messages' }, exp.messages) : null);
}

function exportBlock() {
	if (!isCoordinator()) {
		return null;
	}
	return h('section', { class: 'card', id: 'dash-export' },
		h('h2', {}, t('dash.export')),
		h('form', { class: 'toolbar', onsubmit: runExport },
			h('label', { for: 'dash-for' }, t('dash.export.for')),
			h('select', { id: 'dash-for', name: 'for' },
				h('option', { value: 'chsi' }, t('dash.export.for.chsi')),
				h('option', { value: 'school' }, t('dash.export.for.school'))),
			h('label', { for: 'dash-season' }, t('dash.export.season')),
			h('input', { id: 'dash-season', name: 'season', type: 'text', placeholder: '2026届', autocomplete: 'off' }),
			h('label', {}, h('input', { type: 'checkbox', name: 'allow', id: 'dash-allow' }), ' ', t('dash.export.allow')),
			h('button', { type: 'submit', class: 'primary', id: 'dash-export-btn' }, t('dash.export.run'))),
		h('div', { id: 'dash-export-state', 'aria-live': 'polite' }));
}

function render() {
	if (!root) {
		return;
	}
	const tools = h('div', { class: 'toolbar' },
		h('button', { type: 'button', id: 'dash-refresh', onclick: () => load() }, t('refresh')),
		isCoordinator() ? h('button', { type: 'button', id: 'dash-checkpoint', onclick: checkpoint }, t('dash.checkpoint')) : null);
	if (!data) {
		fill(root, h('h1', {}, t('dash.title')), tools, note, h('p', { class: 'muted' }, t('loading')));
		return;
	}
	fill(root, h('h1', {}, t('dash.title')), tools, note, progress(), conflictsBlock(), alertsBlock(), exportBlock());
	renderExport();
}

export default {
	mount(el) {
		data = null;
		reasons = {};
		root = h('div', { class: 'dashboard-view', id: 'dashboard' });
		note = h('p', { id: 'dash-note', role: 'status', hidden: true });
		el.replaceChildren(root);
		render();
		load();
	},
	unmount() {
		root = null;
		if (expTimer) {
			clearTimeout(expTimer);
			expTimer = null;
		}
	},
	relang() {
		render();
	},
};
