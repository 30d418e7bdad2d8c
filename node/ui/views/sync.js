// sync: the peers of this node (GET /api/peers every 5 s): online or not,
// the last successful sync, entries and photos pending each way, and the
// last error in plain words (with the technical text beside it).
import { t, fmtTime } from '../i18n.js';
import { get } from '../api.js';
import { h, fill } from './util.js';

const EVERY_MS = 5000;

let root = null;
let timer = null;
let peers = null;
let updated = null;

// The last error in plain words.
export function plainError(e) {
	const s = String(e).toLowerCase();
	if (s.includes('refused')) {
		return t('sync.err.refused');
	}
	if (s.includes('timeout') || s.includes('timed out') || s.includes('no answer')) {
		return t('sync.err.timeout');
	}
	if (s.includes('unreachable') || s.includes('no route') || s.includes('address')) {
		return t('sync.err.unreachable');
	}
	if (s.includes('tls') || s.includes('certificate') || s.includes('fingerprint') || s.includes('handshake') || s.includes('peer auth')) {
		return t('sync.err.tls');
	}
	if (s.includes('enrol')) {
		return t('sync.err.enroll');
	}
	return t('sync.err.other');
}

function ago(iso) {
	if (!iso) {
		return t('sync.never');
	}
	const d = new Date(iso);
	const s = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
	let rel;
	if (s < 90) {
		rel = t('sync.ago.s', { n: s });
	} else if (s < 5400) {
		rel = t('sync.ago.m', { n: Math.round(s / 60) });
	} else if (s < 172800) {
		rel = t('sync.ago.h', { n: Math.round(s / 3600) });
	} else {
		rel = t('sync.ago.d', { n: Math.round(s / 86400) });
	}
	return `${rel} (${fmtTime(iso)})`;
}

function dirName(d) {
	const s = t('sync.dir.' + d);
	return s.startsWith('sync.') ? String(d ?? '') : s;
}

function row(p) {
	const pend = p.pending || {};
	return h('tr', { class: p.online ? 'online' : 'offline', dataset: { peer: p.key || p.url || '', online: String(!!p.online) } },
		h('td', {},
			h('strong', { class: 'peer-name' }, p.name || p.url || '?'),
			h('br'),
			h('small', { class: 'muted' }, `${p.role ? t('role.' + p.role) : ''}${p.url ? ' · ' + p.url : ''}`)),
		h('td', {}, dirName(p.direction)),
		h('td', {}, h('span', { class: 'badge ' + (p.online ? 'on' : 'off') }, p.online ? '● ' + t('sync.online') : '○ ' + t('sync.offline'))),
		h('td', { class: 'last-ok' }, ago(p.last_ok)),
		h('td', { class: 'pending' },
			h('div', { class: 'push' }, t('sync.push', { e: pend.push_entries ?? 0, b: pend.push_blobs ?? 0 })),
			h('div', { class: 'pull' }, t('sync.pull', { e: pend.pull_entries ?? 0, b: pend.pull_blobs ?? 0 }))),
		h('td', { class: 'last-error' }, p.last_error
			? [h('div', { class: 'err-plain' }, plainError(p.last_error)), h('small', { class: 'mono muted' }, p.last_error),
				p.retry_in_ms ? h('div', { class: 'muted' }, t('sync.retry', { s: Math.ceil(p.retry_in_ms / 1000) })) : null]
			: t('none')));
}

function render() {
	if (!root) {
		return;
	}
	let body;
	if (peers === null) {
		body = h('p', { class: 'muted' }, t('loading'));
	} else if (peers.length === 0) {
		body = h('p', { id: 'sync-none' }, t('sync.none'));
	} else {
		body = h('table', { class: 'list', id: 'sync-peers' },
			h('thead', {}, h('tr', {},
				h('th', { scope: 'col' }, t('sync.peer')),
				h('th', { scope: 'col' }, t('sync.dir')),
				h('th', { scope: 'col' }, ''),
				h('th', { scope: 'col' }, t('sync.last')),
				h('th', { scope: 'col' }, t('sync.pending')),
				h('th', { scope: 'col' }, t('sync.error')))),
			h('tbody', {}, peers.map(row)));
	}
	fill(root, 
		h('h1', {}, t('sync.title')),
		h('p', { class: 'muted', id: 'sync-updated' }, updated ? t('sync.updated', { time: fmtTime(updated.toISOString()) }) : ''),
		body);
}

async function poll() {
	timer = null;
	try {
		const r = await get('/api/peers');
		peers = Array.isArray(r) ? r : r.peers || [];
		updated = new Date();
	} catch {
		// shown in the banner; keep the last table
	}
	if (root) {
		render();
		timer = setTimeout(poll, EVERY_MS);
	}
}

export default {
	mount(el) {
		peers = null;
		updated = null;
		root = h('div', { class: 'sync-view', id: 'sync' });
		el.replaceChildren(root);
		render();
		poll();
	},
	unmount() {
		root = null;
		if (timer) {
			clearTimeout(timer);
			timer = null;
		}
	},
	relang() {
		render();
	},
};
