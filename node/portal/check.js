// The student's check of the finished photo (图像校对, docs/online-guide.md),
// shown by portal.js once the photo is approved: the finished photo to
// download (成片下载), the registration data it goes out with, and the
// answer: 信息无误, or 报告错误 with what is wrong; with a mailing address
// for the paper prints where the school asks for one. Plain DOM.

const VERDICT = { ok: '已确认信息无误', report: '已报告错误' };

// Fills box (a section) with the check; ui = { h, call, showError }.
export async function mountCheck(box, ui) {
	const { h, call, showError } = ui;
	let j;
	try {
		j = await call('GET', '/api/check');
	} catch (err) {
		box.replaceChildren(h('h2', {}, '成片下载与信息核对'), h('p', { class: 'hint' }, err.zh));
		return;
	}
	const s = j.student;
	const done = j.check;
	const note = h('p', { id: 'check-note', role: 'status' });
	const text = h('textarea', { id: 'check-text', rows: 4, maxlength: 200, placeholder: '例如：出生日期应为 2001年3月5日', 'aria-describedby': 'check-text-hint' });
	const addr = j.ask_address ? addressFields(h, done && done.address) : null;

	async function send(verdict) {
		const body = { verdict };
		if (verdict === 'report') {
			body.text = text.value.trim();
			if (!body.text) {
				note.textContent = '请写明哪一项信息有误、正确的内容是什么。';
				text.focus();
				return;
			}
		}
		if (addr) {
			const a = addr.value();
			if (a) {
				body.address = a;
			}
		}
		for (const b of box.querySelectorAll('button')) {
			b.disabled = true;
		}
		try {
			await call('POST', '/api/check', body);
			showError('');
			await mountCheck(box, ui);
		} catch (err) {
			note.textContent = err.zh;
			for (const b of box.querySelectorAll('button')) {
				b.disabled = false;
			}
		}
	}

	// replaceChildren would show a null as the text "null": leave them out
	box.replaceChildren(...[
		h('h2', {}, '成片下载与信息核对'),
		h('figure', { class: 'final' },
			h('img', { src: '/api/final', alt: '学历照片成片', width: 240, height: 320, id: 'final-img' }),
			h('figcaption', { class: 'hint' }, '学历照片成片（480 × 640 像素）')),
		h('a', { class: 'button', href: '/api/final', download: true, id: 'final-download' }, '下载成片'),
		h('p', { class: 'hint' }, '请核对照片将随之上报的学籍信息：'),
		h('dl', { class: 'facts', id: 'check-data' },
			h('dt', {}, '姓名'), h('dd', {}, s.name),
			h('dt', {}, '性别'), h('dd', {}, s.sex),
			h('dt', {}, '出生日期'), h('dd', {}, s.birth),
			h('dt', {}, '证件号码'), h('dd', { id: 'check-id' }, s.id_masked),
			h('dt', {}, '层次'), h('dd', {}, s.level),
			h('dt', {}, '专业'), h('dd', {}, s.major)),
		done ? h('p', { class: `status ${done.verdict === 'ok' ? 'ok' : 'bad'}`, id: 'check-verdict', 'data-verdict': done.verdict }, VERDICT[done.verdict]) : null,
		done && done.text ? h('p', { id: 'check-said' }, `你的说明：${done.text}`) : null,
		done ? h('p', { class: 'hint' }, '如需更正，可再次提交，以最后一次为准。') : null,
		addr ? addr.el : null,
		h('button', { type: 'button', class: 'primary', id: 'check-ok', onclick: () => send('ok') }, '信息无误'),
		h('label', { for: 'check-text' }, '信息有误？请说明'),
		text,
		h('p', { class: 'hint', id: 'check-text-hint' }, '写明哪一项有误及正确内容（最多 200 字），学校核实后处理。'),
		h('button', { type: 'button', id: 'check-report', onclick: () => send('report') }, '报告错误'),
		note].filter((x) => x !== null));
}

// The mailing address form: { el, value() } (value: null when left empty).
function addressFields(h, old) {
	const name = h('input', { type: 'text', id: 'addr-name', autocomplete: 'name', maxlength: 20, value: old ? old.name : '' });
	const phone = h('input', { type: 'tel', id: 'addr-phone', autocomplete: 'tel', inputmode: 'tel', maxlength: 20, value: old ? old.phone : '' });
	const where = h('textarea', { id: 'addr-where', rows: 2, autocomplete: 'street-address', maxlength: 100 }, old ? old.address : '');
	const el = h('fieldset', { class: 'address', id: 'address' },
		h('legend', {}, '纸质照片邮寄地址'),
		h('p', { class: 'hint' }, '学校将把背胶照片邮寄给你，请填写收件信息。'),
		h('label', { for: 'addr-name' }, '收件人'), name,
		h('label', { for: 'addr-phone' }, '联系电话'), phone,
		h('label', { for: 'addr-where' }, '详细地址（含邮编）'), where);
	return {
		el,
		value() {
			const v = { name: name.value.trim(), phone: phone.value.trim(), address: where.value.trim() };
			return v.name || v.phone || v.address ? v : null;
		},
	};
}
