// app: the page's frame (header, navigation, language toggle, error
// banner, login) and the router between views by location.hash.
import { t, getLang, setLang, applyLang } from './i18n.js';
import {
	loadSession, getSession, login, logout, showError, clearError,
	renderError, setUnauthorizedHandler, ApiError,
} from './api.js';
import { h } from './views/util.js';
import capture from './views/capture.js';
import session from './views/session.js';
import review from './views/review.js';
import sync from './views/sync.js';
import dashboard from './views/dashboard.js';

const routes = {
	capture: { view: capture, label: 'nav.capture', key: '1' },
	session: { view: session, label: 'nav.session', key: '2' },
	review: { view: review, label: 'nav.review', key: '3' },
	sync: { view: sync, label: 'nav.sync', key: '4' },
	dashboard: { view: dashboard, label: 'nav.dashboard', key: '5' },
};

let current = null; // the mounted route's name
let loggingIn = false;

function routeName() {
	const m = /^#\/([a-z]+)/.exec(location.hash);
	return m && routes[m[1]] ? m[1] : 'capture';
}

function renderHeader() {
	const s = getSession();
	const node = document.getElementById('node');
	if (s?.node) {
		node.textContent = `${s.node.name} · ${t('role.' + s.node.role)}`;
		node.title = `${s.node.school ?? ''} ${s.node.feed ?? ''}`;
	} else {
		node.textContent = '';
	}
	const nav = document.getElementById('nav');
	nav.replaceChildren(...Object.entries(routes).map(([name, r]) =>
		h('a', {
			href: '#/' + name,
			id: 'nav-' + name,
			'aria-current': name === current ? 'page' : null,
			title: `Alt+${r.key}`,
		}, t(r.label))));
	const lang = document.getElementById('lang');
	lang.textContent = t('nav.lang');
	lang.title = t('nav.lang.title');
	const out = document.getElementById('logout');
	out.hidden = !(s?.auth === 'password' && s?.logged_in);
	out.textContent = t('nav.logout');
}

function mountRoute() {
	const name = routeName();
	const main = document.getElementById('view');
	if (current && routes[current].view.unmount) {
		routes[current].view.unmount();
	}
	current = name;
	clearError();
	main.replaceChildren();
	main.dataset.view = name;
	renderHeader();
	routes[name].view.mount(main);
}

function showLogin() {
	if (loggingIn) {
		return;
	}
	loggingIn = true;
	if (current && routes[current].view.unmount) {
		routes[current].view.unmount();
	}
	current = null;
	renderHeader();
	const main = document.getElementById('view');
	main.dataset.view = 'login';
	const pw = h('input', { type: 'password', id: 'password', autocomplete: 'current-password', required: true });
	const form = h('form', { class: 'login card', id: 'login' },
		h('h1', {}, t('login.title')),
		h('p', {}, t('login.hint')),
		h('label', { for: 'password' }, t('login.password')),
		pw,
		h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('login.submit'))));
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		clearError();
		try {
			await login(pw.value);
			loggingIn = false;
			mountRoute();
		} catch (err) {
			showError(err);
			pw.select();
			pw.focus();
		}
	});
	main.replaceChildren(form);
	pw.focus();
}

async function start() {
	applyLang();
	document.getElementById('lang').addEventListener('click', () => {
		setLang(getLang() === 'zh' ? 'en' : 'zh');
	});
	document.getElementById('logout').addEventListener('click', async () => {
		try {
			await logout();
		} catch {
			// shown in the banner
		}
		showLogin();
	});
	window.addEventListener('gc-lang', () => {
		renderHeader();
		renderError();
		if (loggingIn) {
			loggingIn = false;
			showLogin();
		} else if (current && routes[current].view.relang) {
			routes[current].view.relang();
		}
	});
	window.addEventListener('hashchange', () => {
		if (!loggingIn) {
			mountRoute();
		}
	});
	document.addEventListener('keydown', (e) => {
		if (e.altKey && !e.ctrlKey && !e.metaKey) {
			const hit = Object.entries(routes).find(([, r]) => r.key === e.key);
			if (hit) {
				e.preventDefault();
				location.hash = '#/' + hit[0];
			}
		}
	});
	setUnauthorizedHandler(() => {
		loggingIn = false;
		showLogin();
	});
	let s;
	try {
		s = await loadSession();
	} catch (e) {
		renderHeader();
		document.getElementById('view').replaceChildren();
		showError(e instanceof ApiError || e.network ? e : new Error(String(e)));
		return;
	}
	if (s.auth === 'password' && !s.logged_in) {
		showLogin();
		return;
	}
	mountRoute();
}

start();
