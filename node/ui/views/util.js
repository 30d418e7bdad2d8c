// util: small DOM helpers shared by the views.
import { t, msg, checkName } from '../i18n.js';

// h('div', {class: 'x', onclick: fn}, child, ...): an element. Attributes
// starting with "on" become listeners; children may be strings, nodes,
// arrays, null or false.
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) {
			continue;
		}
		if (k.startsWith('on') && typeof v === 'function') {
			el.addEventListener(k.slice(2), v);
		} else if (k === 'class') {
			el.className = v;
		} else if (k === 'dataset') {
			Object.assign(el.dataset, v);
		} else if (k === 'value') {
			el.value = v;
		} else if (v === true) {
			el.setAttribute(k, '');
		} else {
			el.setAttribute(k, String(v));
		}
	}
	append(el, children);
	return el;
}

// Replaces el's children; null, false and arrays as in h().
export function fill(el, ...children) {
	el.replaceChildren();
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false) {
			continue;
		}
		if (Array.isArray(c)) {
			append(el, c);
		} else if (c instanceof Node) {
			el.appendChild(c);
		} else {
			el.appendChild(document.createTextNode(String(c)));
		}
	}
}

// The student's name from a capture, whatever shape the server gives.
export function studentOf(c) {
	if (c && typeof c.student === 'object' && c.student !== null) {
		return c.student;
	}
	return { key: c?.student ?? '', name: c?.student_name ?? c?.student ?? '' };
}

export function verdictIcon(v) {
	return v === 'fail' ? '✗' : v === 'warn' ? '!' : '✓';
}

// The checks as a list: red/amber/green, the message in the page's
// language, the measured value. opts.only: verdicts to show.
export function checkList(checks, opts = {}) {
	const list = (checks || []).filter((c) => !opts.only || opts.only.includes(c.verdict));
	const order = { fail: 0, warn: 1, pass: 2 };
	list.sort((a, b) => (order[a.verdict] ?? 3) - (order[b.verdict] ?? 3));
	return h('ul', { class: 'checks' + (opts.compact ? ' compact' : '') },
		list.map((c) => h('li', { class: 'check v-' + c.verdict, dataset: { check: c.id, verdict: c.verdict } },
			h('span', { class: 'dot', 'aria-hidden': 'true' }, verdictIcon(c.verdict)),
			h('span', { class: 'check-verdict' }, t('verdict.' + c.verdict)),
			h('span', { class: 'check-name' }, checkName(c.id)),
			msg(c) ? h('span', { class: 'check-msg' }, msg(c)) : null,
			c.value ? h('span', { class: 'check-value' }, String(c.value)) : null,
			h('code', { class: 'check-id' }, c.id),
		)));
}

// A status badge (MISSING, APPROVED ...).
export function statusBadge(s) {
	return h('span', { class: 'badge st-' + s, dataset: { status: s } }, t('status.' + s));
}

// A modal dialog asking for a text (a reason). Resolves to the trimmed
// text, or null when cancelled. Enter submits, Esc cancels; an empty text
// is refused with needMsg. presets (optional): answers offered as numbered
// buttons (presetsLabel names the group); a click puts one in the field.
export function askText({ title, label, placeholder, needMsg, okText, presets, presetsLabel }) {
	return new Promise((resolve) => {
		const input = h('input', { type: 'text', class: 'wide', placeholder: placeholder || '', 'aria-label': label, autocomplete: 'off' });
		const err = h('p', { class: 'field-error', role: 'alert' });
		// preset answers: a click puts one in the field, to send or add to
		const pick = presets?.length ? h('div', { class: 'presets', role: 'group', 'aria-label': presetsLabel || '' },
			presets.map((p, i) => h('button', {
				type: 'button',
				class: 'preset',
				dataset: { preset: String(i + 1) },
				onclick: () => {
					input.value = p;
					err.textContent = '';
					input.focus();
				},
			}, `${i + 1} ${p}`))) : null;
		const form = h('form', { method: 'dialog', class: 'ask' },
			h('h2', {}, title),
			pick,
			h('label', {}, label, input),
			err,
			h('div', { class: 'buttons' },
				h('button', { type: 'submit', class: 'primary' }, okText || t('ok')),
				h('button', { type: 'button', class: 'ask-cancel' }, t('cancel'))));
		const dlg = h('dialog', { class: 'modal' }, form);
		let done = false;
		const finish = (v) => {
			if (done) {
				return;
			}
			done = true;
			dlg.close();
			dlg.remove();
			resolve(v);
		};
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			const v = input.value.trim();
			if (!v) {
				err.textContent = needMsg || '';
				input.focus();
				return;
			}
			finish(v);
		});
		form.querySelector('.ask-cancel').addEventListener('click', () => finish(null));
		dlg.addEventListener('cancel', (e) => {
			e.preventDefault();
			finish(null);
		});
		document.body.appendChild(dlg);
		dlg.showModal();
		input.focus();
	});
}

// A yes/no modal; resolves true or false.
export function confirmBox(question) {
	return new Promise((resolve) => {
		const yes = h('button', { type: 'button', class: 'primary' }, t('ok'));
		const no = h('button', { type: 'button' }, t('cancel'));
		const dlg = h('dialog', { class: 'modal' }, h('p', {}, question), h('div', { class: 'buttons' }, yes, no));
		const finish = (v) => {
			dlg.close();
			dlg.remove();
			resolve(v);
		};
		yes.addEventListener('click', () => finish(true));
		no.addEventListener('click', () => finish(false));
		dlg.addEventListener('cancel', (e) => {
			e.preventDefault();
			finish(false);
		});
		document.body.appendChild(dlg);
		dlg.showModal();
		yes.focus();
	});
}

// A notice line (role=status) with a kind: ok, info, warn.
export function notice(el, text, kind = 'info') {
	el.className = 'notice n-' + kind;
	el.textContent = text;
	el.hidden = !text;
}
