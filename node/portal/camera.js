// The live camera guide of the student portal (docs/online-guide.md): the
// phone's back camera in a video element, a small frame of it sent to
// POST /api/guide twice a second, and its answer drawn over the picture
// (the target frame: where the photo would be cut; the face box) with one
// instruction at a time in the stations' words. 拍照 sends the camera's
// full picture as a photo (method=camera) into the same drafts as an
// upload. Without a camera, or when the student refuses it, the file
// picker takes over (the phone's own camera app), saying why.
import { h as el } from './dom.js';

const GUIDE_SIDE = 640; // the longer side of a guide frame (the server's limit)
const GUIDE_MS = 500; // between guide frames
let live = null; // { stream, video, overlay, say, shoot, opts, timer, busy, last }

// The camera card: a button that opens the camera (opts.send(blob,
// method) posts a photo; opts.csrf() is the session's token).
export function cameraCard(opts) {
	const box = el('div', { class: 'part', id: 'camera' },
		el('h3', {}, '用手机摄像头拍照'),
		el('p', { class: 'hint' }, '请他人帮忙，在光线均匀的纯色墙前拍摄（默认使用后置摄像头）。画面中的框和提示会告诉你怎样调整，照提示调整好后点“拍照”。'),
		el('button', { type: 'button', class: 'primary', id: 'camera-open', onclick: () => openCamera(box, opts) }, '打开摄像头'),
		el('div', { id: 'camera-live', hidden: true }),
		el('div', { id: 'camera-fallback', hidden: true }));
	return box;
}

// Stops the camera (the view is replaced, or the student closes it).
export function stopCamera() {
	if (!live) {
		return;
	}
	clearTimeout(live.timer);
	for (const t of live.stream.getTracks()) {
		t.stop();
	}
	live.video.srcObject = null;
	live = null;
}

async function openCamera(box, opts) {
	const open = box.querySelector('#camera-open');
	const stage = box.querySelector('#camera-live');
	open.disabled = true;
	let stream;
	try {
		if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
			throw Object.assign(new Error('none'), { name: 'NotFoundError' });
		}
		stream = await navigator.mediaDevices.getUserMedia({
			audio: false,
			video: { facingMode: { ideal: 'environment' }, width: { ideal: 4096 }, height: { ideal: 4096 } },
		});
	} catch (e) {
		open.hidden = true;
		fallback(box, opts, e && (e.name === 'NotAllowedError' || e.name === 'SecurityError'));
		return;
	}
	stopCamera();
	const video = el('video', { id: 'camera-video', autoplay: true, muted: true, playsinline: true });
	video.muted = true;
	const overlay = el('canvas', { class: 'cam-overlay', 'aria-hidden': 'true' });
	const say = el('p', { id: 'cam-say', class: 'cam-say', role: 'status', 'aria-live': 'polite' }, '正在打开摄像头…');
	const shoot = el('button', { type: 'button', class: 'primary', id: 'cam-shoot', onclick: () => takePhoto(opts) }, '拍照');
	stage.replaceChildren(
		el('div', { class: 'cam-stage' }, video, overlay),
		say,
		shoot,
		el('button', { type: 'button', id: 'cam-close', onclick: () => { stopCamera(); stage.hidden = true; open.hidden = false; open.disabled = false; } }, '关闭摄像头'));
	stage.hidden = false;
	open.hidden = true;
	live = { stream, video, overlay, say, shoot, opts, timer: null, busy: false, last: null };
	video.srcObject = stream;
	await video.play().catch(() => {});
	await new Promise((res) => {
		if (video.videoWidth > 0) {
			res();
		} else {
			video.addEventListener('loadedmetadata', res, { once: true });
		}
	});
	if (live && live.video === video) {
		say.textContent = '正在分析画面…';
		draw(null);
		guideSoon(0);
	}
}

// No camera, or the student said no: the phone's own camera app through
// the file picker, with words saying why.
function fallback(box, opts, refused) {
	const fb = box.querySelector('#camera-fallback');
	const input = el('input', { type: 'file', id: 'camera-file', accept: 'image/jpeg', capture: 'environment', onchange: async (e) => {
		const f = e.target.files[0];
		if (f) {
			await opts.send(f, 'camera');
		}
		e.target.value = '';
	} });
	fb.replaceChildren(
		el('p', { class: 'status bad', id: 'camera-why' }, refused
			? '没有获得摄像头权限，无法显示实时引导。可以在浏览器设置中允许本网站使用摄像头后刷新页面，或用下面的按钮调用手机相机拍照。'
			: '没有找到可用的摄像头（或浏览器不支持），无法显示实时引导。请用下面的按钮调用手机相机拍照。'),
		el('label', { for: 'camera-file' }, '用手机相机拍照'),
		input);
	fb.hidden = false;
}

function guideSoon(ms) {
	if (live) {
		clearTimeout(live.timer);
		live.timer = setTimeout(guideOnce, ms);
	}
}

function blobOf(canvas, quality) {
	return new Promise((res) => canvas.toBlob(res, 'image/jpeg', quality));
}

async function guideOnce() {
	const me = live;
	if (!me || me.busy || document.hidden) {
		guideSoon(GUIDE_MS);
		return;
	}
	const v = me.video;
	const vw = v.videoWidth;
	const vh = v.videoHeight;
	if (!vw || !vh) {
		guideSoon(GUIDE_MS);
		return;
	}
	const k = Math.min(1, GUIDE_SIDE / Math.max(vw, vh));
	const c = document.createElement('canvas');
	c.width = Math.max(1, Math.round(vw * k));
	c.height = Math.max(1, Math.round(vh * k));
	c.getContext('2d').drawImage(v, 0, 0, c.width, c.height);
	const blob = await blobOf(c, 0.7);
	let delay = GUIDE_MS;
	me.busy = true;
	try {
		const res = await fetch(`/api/guide?w=${vw}&h=${vh}`, { method: 'POST', headers: { 'X-CSRF-Token': me.opts.csrf() || '', 'Content-Type': 'image/jpeg' }, body: blob, credentials: 'same-origin', cache: 'no-store' });
		const j = await res.json().catch(() => ({}));
		if (live !== me) {
			return;
		}
		if (res.ok) {
			me.last = j;
			draw(j);
			me.say.textContent = j.ready ? '位置合适，可以拍照' : j.instruction || '请调整位置';
			me.say.dataset.ready = j.ready ? '1' : '0';
			me.say.dataset.check = j.check || '';
		} else if (res.status === 503 && j.error && j.error.code === 'busy' && me.last) {
			delay = GUIDE_MS; // the server was busy: keep what it said last
		} else {
			me.say.textContent = (j.error && (j.error.message_zh || j.error.message)) || '实时引导暂时不可用，仍可直接拍照。';
			me.say.dataset.ready = '0';
			delay = res.status === 429 ? 3000 : res.status === 503 ? 1000 : 5000;
		}
	} catch {
		if (live === me) {
			me.say.textContent = '网络连接不稳定，实时引导暂停；仍可直接拍照。';
			delay = 3000;
		}
	} finally {
		me.busy = false;
	}
	guideSoon(delay);
}

// The overlay, in the camera's pixels scaled to the element: the target
// frame (where the photo would be cut; before one fits, a 3:4 outline in
// the middle as the place to aim for) and the face box.
function draw(g) {
	const me = live;
	if (!me) {
		return;
	}
	const v = me.video;
	const cv = me.overlay;
	const w = v.clientWidth;
	const hgt = v.clientHeight;
	if (!w || !hgt || !v.videoWidth) {
		return;
	}
	const dpr = window.devicePixelRatio || 1;
	cv.width = Math.round(w * dpr);
	cv.height = Math.round(hgt * dpr);
	cv.style.width = w + 'px';
	cv.style.height = hgt + 'px';
	const ctx = cv.getContext('2d');
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	ctx.clearRect(0, 0, w, hgt);
	const fw = (g && g.frame_w) || v.videoWidth;
	const s = w / fw;
	let t = g && g.target;
	const aim = !t;
	if (aim) {
		// the aim: a 3:4 frame filling 80 % of the height, centred
		const th = v.videoHeight * 0.8;
		t = { x: (v.videoWidth - th * 0.75) / 2, y: v.videoHeight * 0.1, w: th * 0.75, h: th };
	}
	ctx.lineWidth = 3;
	ctx.strokeStyle = g && g.ready ? '#29d65c' : '#ffffff';
	ctx.setLineDash(aim ? [8, 6] : []);
	ctx.strokeRect(t.x * s, t.y * s, t.w * s, t.h * s);
	// where the head goes in that frame (the profile's middle: face 1/2
	// of the width, the eyes 39 % down)
	ctx.setLineDash([4, 4]);
	ctx.lineWidth = 2;
	ctx.beginPath();
	ctx.ellipse((t.x + t.w / 2) * s, (t.y + t.h * 0.36) * s, t.w * 0.27 * s, t.h * 0.26 * s, 0, 0, 2 * Math.PI);
	ctx.stroke();
	ctx.setLineDash([]);
	if (g && g.face) {
		ctx.lineWidth = 3;
		ctx.strokeStyle = g.ready ? '#29d65c' : '#ffb020';
		ctx.strokeRect(g.face.x * s, g.face.y * s, g.face.w * s, g.face.h * s);
	}
}

// 拍照: the camera's whole picture, at its own size, as the photo.
async function takePhoto(opts) {
	const me = live;
	if (!me) {
		return;
	}
	const v = me.video;
	if (!v.videoWidth) {
		me.say.textContent = '摄像头还没有画面，请稍候。';
		return;
	}
	const c = document.createElement('canvas');
	c.width = v.videoWidth;
	c.height = v.videoHeight;
	c.getContext('2d').drawImage(v, 0, 0);
	const blob = await blobOf(c, 0.92);
	me.shoot.disabled = true;
	try {
		await opts.send(blob, 'camera');
	} finally {
		me.shoot.disabled = false;
	}
}
