// The portal's one DOM helper: h(tag, attrs, ...children), "on…" attributes
// as listeners, true as an empty attribute, false/null/undefined left out.
export function h(tag, attrs, ...kids) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (k.startsWith('on')) {
			el.addEventListener(k.slice(2), v);
		} else if (v !== false && v !== null && v !== undefined) {
			el.setAttribute(k, v === true ? '' : v);
		}
	}
	for (const kid of kids.flat()) {
		if (kid !== null && kid !== undefined && kid !== false) {
			el.append(kid instanceof Node ? kid : String(kid));
		}
	}
	return el;
}
