// session: the current capture session (open with kind, location and
// operator; close), the progress of a class, and the makeup list (who
// still needs a photo) with a class filter and a print button, and the
// sign-in sheet (签到表: the class in roster order, numbered, with the
// shooting number of those already shot in the open session) to print.
import { t, kindName, fmtTime, statusName } from '../i18n.js';
import { get, post, postRaw, qs } from '../api.js';
import { h, fill, statusBadge, notice, confirmBox } from './util.js';

const KINDS = ['central', 'makeup', 'individual', 'online'];
const STATUSES = ['APPROVED', 'PENDING_REVIEW', 'CONFLICT', 'NEEDS_RETAKE', 'MISSING', 'EXEMPT'];

let root = null;
let state = null;

function fresh() {
	return { session: undefined, classes: [], cls: '', missing: null, queue: null, signin: null, counts: null, note: null, imported: [], importing: false, form: { kind: 'central', location: '', operator: '' } };
}

async function load() {
	const [cur, status, missing, queue] = await Promise.allSettled([
		get('/api/sessions/current'),
		get('/api/status'),
		get('/api/missing' + qs({ class: state.cls })),
		state.cls ? get('/api/class' + qs({ name: state.cls })) : Promise.resolve(null),
	]);
	if (!root) {
		return;
	}
	if (cur.status === 'fulfilled') {
		state.session = cur.value.session || null;
	}
	if (status.status === 'fulfilled') {
		const m = status.value.merge || {};
		state.classes = Object.keys(m.by_class || {}).sort();
		state.counts = state.cls ? (m.by_class || {})[state.cls] : m.counts;
	}
	if (missing.status === 'fulfilled') {
		state.missing = missing.value.students || [];
	}
	state.queue = queue.status === 'fulfilled' && queue.value ? queue.value.students || [] : null;
	render();
}

/* Importing studio (散拍) or online photo files named by ID number or
 * 学号, into an open individual, online or makeup session: each file in
 * turn, its result listed. */
async function importFiles(files) {
	state.importing = true;
	state.imported = [];
	render();
	for (const f of files) {
		const row = { name: f.name, ok: false, text: '' };
		try {
			const r = await postRaw('/api/import' + qs({ name: f.name }), f);
			row.ok = true;
			row.text = `${r.student.name} · ${r.student.class}`;
		} catch (e) {
			row.text = e.text ? e.text() : e.message;
		}
		state.imported.push(row);
		render();
	}
	state.importing = false;
	await load();
}

function importBlock() {
	const s = state.session;
	if (!s || !['individual', 'online', 'makeup'].includes(s.kind)) {
		return null;
	}
	const input = h('input', { type: 'file', id: 'ses-import-files', multiple: true, accept: '.jpg,.jpeg,image/jpeg' });
	return h('section', { class: 'card no-print' },
		h('h2', {}, t('ses.import')),
		h('p', { class: 'muted' }, t('ses.import.help')),
		h('div', { class: 'toolbar' },
			h('label', { for: 'ses-import-files' }, t('ses.import.files')), input,
			h('button', {
				type: 'button', id: 'ses-import', disabled: state.importing,
				onclick: () => input.files.length && importFiles([...input.files]),
			}, t('ses.import.go'))),
		state.imported.length ? h('table', { class: 'list', id: 'ses-imported' },
			h('tbody', {}, state.imported.map((r) => h('tr', { dataset: { ok: String(r.ok) } },
				h('td', { class: 'mono' }, r.name),
				h('td', {}, r.ok ? '✓ ' + t('ses.import.stored') : '✗ ' + t('ses.import.refused')),
				h('td', {}, r.text))))) : null);
}

/* The class's queue: every student with its status (done, waiting for
 * review, still to photograph). */
function queueBlock() {
	if (!state.cls || state.queue === null) {
		return null;
	}
	return h('section', { class: 'card no-print' },
		h('h2', {}, `${t('ses.queue')} · ${state.cls}`),
		h('table', { class: 'list', id: 'ses-queue' },
			h('thead', {}, h('tr', {},
				h('th', { scope: 'col' }, '#'),
				h('th', { scope: 'col' }, t('field.name')),
				h('th', { scope: 'col' }, t('field.student_no')),
				h('th', { scope: 'col' }, t('field.status')))),
			h('tbody', {}, state.queue.map((s, i) => h('tr', { dataset: { key: s.key, status: s.status } },
				h('td', {}, String(i + 1)),
				h('td', {}, s.name),
				h('td', { class: 'mono' }, s.student_no),
				h('td', { title: statusName(s.status) }, statusBadge(s.status)))))));
}

async function openSession(e) {
	e.preventDefault();
	const f = e.target;
	state.form = { kind: f.kind.value, location: f.location.value.trim(), operator: f.operator.value.trim() };
	if (!state.form.location) {
		state.note = { text: t('ses.need.location'), kind: 'bad' };
		render();
		root.querySelector('#ses-location').focus();
		return;
	}
	try {
		await post('/api/session/open', state.form);
	} catch {
		return;
	}
	state.note = { text: t('ses.opened.ok'), kind: 'ok' };
	await load();
	root.querySelector('#ses-close')?.focus();
}

async function closeSession() {
	if (!(await confirmBox(t('ses.close.q')))) {
		return;
	}
	try {
		await post('/api/session/close', {});
	} catch {
		return;
	}
	state.note = { text: t('ses.closed.ok'), kind: 'ok' };
	await load();
	root.querySelector('#ses-kind')?.focus();
}

function currentBlock() {
	const s = state.session;
	if (s === undefined) {
		return h('p', { class: 'muted' }, t('loading'));
	}
	if (s === null) {
		const f = state.form;
		return h('form', { class: 'open-form', id: 'ses-open', onsubmit: openSession },
			h('p', { id: 'ses-none' }, t('ses.none')),
			h('label', { for: 'ses-kind' }, t('ses.kind')),
			h('select', { id: 'ses-kind', name: 'kind' },
				KINDS.map((k) => h('option', { value: k, selected: f.kind === k }, `${kindName(k)} (${k})`))),
			h('label', { for: 'ses-location' }, t('ses.location')),
			h('input', { id: 'ses-location', name: 'location', type: 'text', value: f.location, autocomplete: 'off' }),
			h('label', { for: 'ses-operator' }, t('ses.operator')),
			h('input', { id: 'ses-operator', name: 'operator', type: 'text', value: f.operator, autocomplete: 'off' }),
			h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'ses-open-btn' }, t('ses.open'))));
	}
	return h('div', { class: 'current', id: 'ses-current', dataset: { kind: s.kind } },
		h('dl', { class: 'facts' },
			h('dt', {}, t('ses.kind')), h('dd', { class: 'ses-kind' }, `${kindName(s.kind)} (${s.kind})`),
			h('dt', {}, t('ses.location')), h('dd', {}, s.location || ''),
			h('dt', {}, t('ses.operator')), h('dd', {}, s.operator || ''),
			h('dt', {}, t('ses.opened')), h('dd', {}, fmtTime(s.opened))),
		h('div', { class: 'buttons' }, h('button', { type: 'button', id: 'ses-close', onclick: closeSession }, t('ses.close'))));
}

function countsBlock() {
	const c = state.counts;
	if (!c) {
		return null;
	}
	return h('ul', { class: 'counts', id: 'ses-counts' }, STATUSES.map((s) =>
		h('li', { dataset: { status: s } }, statusBadge(s), ' ', h('strong', {}, String(c[s] ?? 0)))));
}

/* The sign-in sheet of the selected class (or every class): fetched,
 * shown in place of the makeup list, and printed. */
async function printSignin() {
	try {
		state.signin = await get('/api/signin' + qs({ class: state.cls }));
	} catch {
		return;
	}
	render();
	window.print();
}

function signinBlock() {
	const s = state.signin;
	const head = h('div', { class: 'toolbar no-print' },
		h('button', { type: 'button', id: 'ses-signin-print', onclick: () => window.print() }, t('ses.signin.print')),
		h('button', { type: 'button', id: 'ses-signin-back', onclick: () => { state.signin = null; render(); root.querySelector('#ses-signin')?.focus(); } }, t('ses.signin.back')));
	const where = s.session ? ` · ${s.session.location}` : '';
	return h('section', { class: 'card signin print-area' },
		h('h2', {}, `${t('ses.signin')} · ${state.cls || t('ses.class.all')}${where}`),
		head,
		h('p', { class: 'hint' }, `${t('ses.signin.count', { n: s.students.length })} · ${t('ses.signin.hint')}`),
		h('table', { class: 'list signin-sheet', id: 'ses-signin-sheet' },
			h('thead', {}, h('tr', {},
				h('th', { scope: 'col' }, '#'),
				h('th', { scope: 'col' }, t('field.student_no')),
				h('th', { scope: 'col' }, t('field.name')),
				h('th', { scope: 'col' }, t('field.class')),
				h('th', { scope: 'col' }, t('field.id')),
				h('th', { scope: 'col' }, t('field.status')),
				h('th', { scope: 'col' }, t('field.shot')),
				h('th', { scope: 'col', class: 'sign' }, t('field.sign')))),
			h('tbody', {}, s.students.map((r) => h('tr', { dataset: { key: r.key } },
				h('td', {}, String(r.no)),
				h('td', { class: 'mono' }, r.student_no),
				h('td', {}, r.name),
				h('td', {}, r.class),
				h('td', { class: 'mono' }, r.id_masked),
				h('td', { title: statusName(r.status) }, statusBadge(r.status)),
				h('td', { class: 'shotno' }, r.shot ? String(r.shot) : ''),
				h('td', { class: 'sign' }, ''))))));
}

function missingBlock() {
	if (state.signin) {
		return signinBlock();
	}
	const list = state.missing;
	const filter = h('select', {
		id: 'ses-class',
		'aria-label': t('ses.class'),
		onchange: async (e) => {
			state.cls = e.target.value;
			await load();
			root.querySelector('#ses-class')?.focus();
		},
	},
	h('option', { value: '' }, t('ses.class.all')),
	state.classes.map((c) => h('option', { value: c, selected: c === state.cls }, c)));
	const head = h('div', { class: 'toolbar no-print' },
		h('label', { for: 'ses-class' }, t('ses.class')), filter,
		h('button', { type: 'button', id: 'ses-print', onclick: () => window.print() }, t('ses.print')),
		h('button', { type: 'button', id: 'ses-signin', onclick: printSignin }, t('ses.signin.print')));
	let body;
	if (list === null) {
		body = h('p', { class: 'muted' }, t('loading'));
	} else if (list.length === 0) {
		body = h('p', { id: 'ses-missing-none' }, t('ses.missing.none'));
	} else {
		body = h('table', { class: 'list', id: 'ses-missing' },
			h('caption', {}, `${t('ses.missing')}${state.cls ? ' · ' + state.cls : ''} · ${t('ses.missing.count', { n: list.length })}`),
			h('thead', {}, h('tr', {},
				h('th', { scope: 'col' }, '#'),
				h('th', { scope: 'col' }, t('field.name')),
				h('th', { scope: 'col' }, t('field.class')),
				h('th', { scope: 'col' }, t('field.student_no')),
				h('th', { scope: 'col' }, t('field.id')),
				h('th', { scope: 'col' }, t('field.status')),
				h('th', { scope: 'col' }, t('field.reason')))),
			h('tbody', {}, list.map((s, i) => h('tr', { dataset: { key: s.key } },
				h('td', {}, String(i + 1)),
				h('td', {}, s.name),
				h('td', {}, s.class),
				h('td', { class: 'mono' }, s.student_no),
				h('td', { class: 'mono' }, s.id_masked),
				h('td', { title: statusName(s.status) }, statusBadge(s.status)),
				h('td', { class: 'reason' }, s.reject_reason || '')))));
	}
	return h('section', { class: 'card missing print-area' }, h('h2', {}, t('ses.missing')), head, body);
}

function render() {
	if (!root) {
		return;
	}
	const note = h('p', { id: 'ses-note', role: 'status' });
	if (state.note) {
		notice(note, state.note.text, state.note.kind);
	} else {
		note.hidden = true;
	}
	fill(root, 
		h('h1', { class: 'no-print' }, t('ses.title')),
		note,
		h('section', { class: 'card no-print' }, h('h2', {}, t('ses.current')), currentBlock()),
		h('section', { class: 'card no-print' }, h('h2', {}, `${t('ses.counts')}${state.cls ? ' · ' + state.cls : ''}`), countsBlock()),
		importBlock(),
		queueBlock(),
		missingBlock());
}

export default {
	mount(el) {
		state = fresh();
		root = h('div', { class: 'session-view', id: 'session' });
		el.replaceChildren(root);
		render();
		load().then(() => {
			root?.querySelector('#ses-kind, #ses-close')?.focus();
		});
	},
	unmount() {
		root = null;
	},
	relang() {
		render();
	},
};
