// api: the fetch wrapper. GET /api/session first (it starts a session and
// gives the CSRF token); every POST carries X-CSRF-Token. An API error is
// shown in the page's error banner (message_zh or message by language) and
// thrown as an ApiError for the caller to react to.
import { t, msg } from './i18n.js';

let session = null;
let onUnauthorized = null;

export class ApiError extends Error {
	constructor(status, err) {
		super(err.message || err.code || 'error');
		this.status = status;
		this.code = err.code || 'internal';
		this.message_zh = err.message_zh || '';
		this.message_en = err.message || '';
	}
	text() {
		return msg({ message: this.message_en, message_zh: this.message_zh });
	}
}

export function getSession() {
	return session;
}

export function isCoordinator() {
	return session?.node?.role === 'coordinator';
}

// Called with no argument when the server says 401: the page shows the
// login form.
export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

// --- the error banner ---------------------------------------------------

let lastError = null;

export function showError(e) {
	lastError = e;
	renderError();
}

export function clearError() {
	lastError = null;
	renderError();
}

export function renderError() {
	const box = document.getElementById('error');
	if (!box) {
		return;
	}
	const e = lastError;
	if (!e) {
		box.hidden = true;
		box.replaceChildren();
		return;
	}
	let text;
	let code = '';
	if (e instanceof ApiError) {
		text = e.text();
		code = `${e.code} · HTTP ${e.status}`;
	} else if (e && e.network) {
		text = t('err.network');
	} else {
		text = String(e?.message ?? e);
	}
	const title = document.createElement('strong');
	title.textContent = t('err.title') + '：';
	const body = document.createElement('span');
	body.className = 'error-text';
	body.textContent = text;
	const small = document.createElement('small');
	small.className = 'error-code';
	small.textContent = code;
	const btn = document.createElement('button');
	btn.type = 'button';
	btn.className = 'error-close';
	btn.textContent = t('err.close');
	btn.addEventListener('click', () => clearError());
	box.replaceChildren(title, body, ' ', small, btn);
	box.hidden = false;
}

// --- requests -----------------------------------------------------------

// POST a file's bytes as they are (a photo to import); errors are thrown.
export async function postRaw(path, blob) {
	return request('POST', path, null, { raw: blob });
}

async function request(method, path, body, opts = {}) {
	const headers = { Accept: 'application/json' };
	const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
	if (method === 'POST') {
		headers['Content-Type'] = opts.raw ? opts.raw.type || 'application/octet-stream' : 'application/json';
		if (session?.csrf && path !== '/api/login') {
			headers['X-CSRF-Token'] = session.csrf;
		}
		init.body = opts.raw ? opts.raw : JSON.stringify(body ?? {});
	}
	let res;
	try {
		res = await fetch(path, init);
	} catch (cause) {
		const e = new Error(t('err.network'));
		e.network = true;
		e.cause = cause;
		throw e;
	}
	let data = null;
	const ct = res.headers.get('Content-Type') || '';
	if (ct.includes('application/json')) {
		try {
			data = await res.json();
		} catch {
			data = null;
		}
	}
	if (res.ok) {
		if (data === null) {
			throw new ApiError(res.status, {
				code: 'internal',
				message: t('err.badanswer', { status: res.status }),
				message_zh: t('err.badanswer', { status: res.status }),
			});
		}
		return data;
	}
	const err = new ApiError(res.status, data?.error ?? {
		code: res.status === 404 ? 'not_found' : 'internal',
		message: `HTTP ${res.status} ${res.statusText}`,
		message_zh: `HTTP ${res.status} ${res.statusText}`,
	});
	err.data = data; // the body, for answers that carry more than an error
	// A stale token (the server restarted): take a new session and try
	// once more; a refused request changed nothing.
	if (err.code === 'csrf' && method === 'POST' && !opts.retried && path !== '/api/login') {
		const s = await loadSession().catch(() => null);
		if (s && s.csrf) {
			return request(method, path, body, { ...opts, retried: true });
		}
	}
	if (err.status === 401 && path !== '/api/login' && onUnauthorized) {
		onUnauthorized();
	}
	throw err;
}

// GET path; errors go to the banner unless opts.quiet.
export async function get(path, opts = {}) {
	try {
		return await request('GET', path);
	} catch (e) {
		if (!opts.quiet) {
			showError(e);
		}
		throw e;
	}
}

// POST path with a JSON body; errors go to the banner unless opts.quiet.
export async function post(path, body, opts = {}) {
	if (!opts.quiet) {
		clearError();
	}
	try {
		return await request('POST', path, body);
	} catch (e) {
		if (!opts.quiet) {
			showError(e);
		}
		throw e;
	}
}

export async function loadSession() {
	session = await request('GET', '/api/session');
	return session;
}

export async function login(password) {
	session = await request('POST', '/api/login', { password });
	return session;
}

export async function logout() {
	await post('/api/logout', {});
	session = await loadSession();
	return session;
}

// A query string from an object, empty values left out.
export function qs(params) {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) {
		if (v !== undefined && v !== null && v !== '') {
			u.set(k, v);
		}
	}
	const s = u.toString();
	return s ? '?' + s : '';
}
