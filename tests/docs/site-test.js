#!/usr/bin/env node
// site-test HTML_DIR DIAGRAM_SOURCES OUT_DIR: open the site `make docs` built in headless
// Chromium, as a reader would, and fail on what a reader would trip over:
//
//  - a local link (href) whose file does not exist, or whose #anchor is not on that page;
//  - an image (img, or a diagram's SVG) that does not load;
//  - a diagram page (one per docs/diagrams/*.md, named by its {#id}) with fewer drawn
//    diagrams than its \dot and \msc blocks; or one of the diagrams issue 18 asks for
//    missing from the sources (REQUIRED_DIAGRAMS: the handshake a \msc sequence chart);
//  - a lesson without links to the previous and the next lesson and to a diagram page;
//  - Markdown Doxygen left unrendered in a lesson's or a page's text: ** or a backtick
//    outside code, or a Markdown link's ](.
//
// Every page reachable from index.html is visited. Screenshots of the main page and of
// lesson 04 go to OUT_DIR (index.png, lesson.png). Chromium is driven over the DevTools
// protocol on a pipe (--remote-debugging-pipe): node's standard library is all it needs.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const [htmlDir, diagramSrc, outDir] = process.argv.slice(2).map((p) => p && path.resolve(p));
if (!htmlDir || !diagramSrc || !outDir) {
	console.error('usage: site-test HTML_DIR DIAGRAM_SOURCES OUT_DIR');
	process.exit(2);
}
const failures = [];
const fail = (msg) => failures.push(msg);

// ---- Chromium over a pipe ---------------------------------------------------------------

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'nook-site-test-'));
const chrome = spawn(process.env.CHROMIUM || 'chromium', [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--hide-scrollbars', '--remote-debugging-pipe', `--user-data-dir=${profile}`,
	'about:blank',
], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
let nextId = 1, inbuf = '';
const pending = new Map(), waiters = [];
chrome.stdio[4].on('data', (chunk) => {
	inbuf += chunk.toString();
	let end;
	while ((end = inbuf.indexOf('\0')) >= 0) {
		const msg = JSON.parse(inbuf.slice(0, end));
		inbuf = inbuf.slice(end + 1);
		if (msg.id && pending.has(msg.id)) {
			const { resolve, reject } = pending.get(msg.id);
			pending.delete(msg.id);
			msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
		} else if (msg.method) {
			for (const w of waiters.splice(0))
				if (!w(msg)) waiters.push(w);
		}
	}
});
chrome.on('exit', (code) => {
	for (const { reject } of pending.values()) reject(new Error(`chromium exited (${code})`));
});

function send(method, params = {}, sessionId) {
	const id = nextId++;
	chrome.stdio[3].write(JSON.stringify({ id, method, params, sessionId }) + '\0');
	return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
function event(method, sessionId, ms = 20000) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error(`no ${method} in ${ms} ms`)), ms);
		waiters.push((m) => {
			if (m.method !== method || m.sessionId !== sessionId) return false;
			clearTimeout(t);
			resolve(m.params);
			return true;
		});
	});
}

// ---- what a page holds, seen from inside it -------------------------------------------

// Runs in the page: its links, anchors, images (loaded or not), diagrams, and the text of
// its contents outside code.
const inspect = `(async () => {
	const load = (src) => new Promise((ok) => {
		const i = new Image();
		i.onload = () => ok(i.naturalWidth > 0);
		i.onerror = () => ok(false);
		i.src = src;
	});
	const images = [];
	// An image the page's scripts added (the search box's) may still be loading: wait.
	for (const i of document.images)
		images.push({ src: i.getAttribute('src'),
			ok: (i.complete && i.naturalWidth > 0) || await load(i.src) });
	const diagrams = [];
	for (const d of document.querySelectorAll('.dotgraph iframe, .dotgraph img, .dotgraph object, .mscgraph img, .mscgraph iframe, .mscgraph object')) {
		const src = d.getAttribute('src') || d.getAttribute('data');
		diagrams.push({ src, ok: await load(new URL(src, location.href).href) });
	}
	const text = document.querySelector('.contents') ?
		document.querySelector('.contents').cloneNode(true) : null;
	if (text)
		text.querySelectorAll('code, pre, .fragment, .line, script, style').forEach((e) => e.remove());
	return {
		links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
		anchors: [...document.querySelectorAll('[id], a[name]')].map((e) => e.id || e.getAttribute('name')),
		images, diagrams,
		text: text ? text.textContent : '',
	};
})()`;

async function visit(session, file) {
	const loaded = event('Page.loadEventFired', session);
	await send('Page.navigate', { url: 'file://' + file }, session);
	await loaded;
	const r = await send('Runtime.evaluate',
		{ expression: inspect, awaitPromise: true, returnByValue: true }, session);
	return r.result.value;
}

// Chromium takes ~0.3 s a page here, CPU-bound, and Doxygen's API index pages (functions_*,
// globals_*, one per file and struct: ~400 of 435) hold only links and code. Those are read
// as text instead: the same links, anchors and images, in milliseconds. What a reader sees
// rendered — the main page, lessons, related pages, diagrams — is opened in Chromium.
function rendered(file, want) {
	const name = path.basename(file);
	return /^(index|pages)\.html$|^md_|^diagram/.test(name) || want.has(name);
}

// A page's links, anchors and images from its HTML source, as visit() reports them. Its
// images are there to load if their files exist; such pages have no diagrams or prose.
function read(file) {
	const html = fs.readFileSync(file, 'utf8');
	const attr = (re) => [...html.matchAll(re)].map((m) => m[1].replace(/&amp;/g, '&'));
	const dir = path.dirname(file);
	return {
		links: attr(/<a\s[^>]*?\bhref="([^"]*)"/g),
		anchors: [...attr(/\sid="([^"]*)"/g), ...attr(/<a\s[^>]*?\bname="([^"]*)"/g)],
		images: attr(/<img\s[^>]*?\bsrc="([^"]*)"/g).map((src) => ({
			src, ok: /^[a-z]+:/i.test(src) || fs.existsSync(path.resolve(dir, src.split(/[?#]/)[0])),
		})),
		diagrams: [],
		text: '',
	};
}

async function screenshot(session, file, out) {
	await send('Emulation.setDeviceMetricsOverride',
		{ width: 1280, height: 1600, deviceScaleFactor: 1, mobile: false }, session);
	await visit(session, file);
	const shot = await send('Page.captureScreenshot', { format: 'png' }, session);
	fs.writeFileSync(out, Buffer.from(shot.data, 'base64'));
	console.log(`site-test: screenshot ${path.relative(process.cwd(), out)}`);
}

// ---- what the sources say the site must have -------------------------------------------

// Diagram page file name (Doxygen names a page by its {#id}) -> number of diagram blocks.
function expectedDiagrams() {
	const want = new Map();
	for (const f of fs.readdirSync(diagramSrc).filter((f) => f.endsWith('.md'))) {
		const src = fs.readFileSync(path.join(diagramSrc, f), 'utf8');
		const id = (src.match(/^# .*\{#([\w-]+)\}/) || [])[1];
		if (!id) {
			fail(`docs/diagrams/${f}: no {#id} on its title line`);
			continue;
		}
		want.set(id + '.html', (src.match(/^\\(dot|msc)\s*$/gm) || []).length);
	}
	return want;
}

// The pictures issue 18 asks for, by page {#id}: each must be among the sources, with a
// drawn block of its kind ("msc": a sequence diagram; "any": \dot or \msc).
const REQUIRED_DIAGRAMS = [
	['diagram-namespaces', 'any'], // the namespaces of a container and of the host
	['diagram-veth', 'any'], // the veth cable ...
	['diagram-bridge', 'any'], // ... and the bridge topology
	['diagram-overlay', 'any'], // the overlay stack: lower, upper, work, merged
	['diagram-handshake', 'msc'], // the parent/child handshake, as a sequence diagram
	['diagram-lifecycle', 'any'], // the create/start life cycle
];

function checkRequiredDiagrams() {
	const sources = new Map();
	for (const f of fs.readdirSync(diagramSrc).filter((f) => f.endsWith('.md'))) {
		const src = fs.readFileSync(path.join(diagramSrc, f), 'utf8');
		const id = (src.match(/^# .*\{#([\w-]+)\}/) || [])[1];
		if (id) sources.set(id, src);
	}
	for (const [id, kind] of REQUIRED_DIAGRAMS) {
		const src = sources.get(id);
		const re = kind === 'msc' ? /^\\msc\s*$/m : /^\\(dot|msc)\s*$/m;
		if (!src) fail(`docs/diagrams: no page {#${id}}, one of the diagrams issue 18 asks for`);
		else if (!re.test(src)) fail(`docs/diagrams: {#${id}} has no \\${kind === 'msc' ? 'msc' : 'dot or \\msc'} block`);
	}
}

// Lesson pages in order: md_lessons_NN_topic.html.
const lessons = fs.readdirSync(htmlDir).filter((f) => /^md_lessons_\d\d_.*\.html$/.test(f)).sort();

function checkPage(file, page, seen, want) {
	const name = path.basename(file);
	for (const img of page.images)
		if (!img.ok) fail(`${name}: image ${img.src} does not load`);
	const drawn = page.diagrams.filter((d) => d.ok).length;
	for (const d of page.diagrams)
		if (!d.ok) fail(`${name}: diagram ${d.src} does not load`);
	if (want.has(name) && drawn < want.get(name))
		fail(`${name}: ${drawn} diagram(s) drawn, its source has ${want.get(name)}`);
	if (/^md_|^diagram|^index\.html$/.test(name))
		for (const m of page.text.matchAll(/.{0,30}(\*\*|`|\]\().{0,30}/g))
			fail(`${name}: Markdown left unrendered: "${m[0].replace(/\s+/g, ' ')}"`);
	const i = lessons.indexOf(name);
	if (i >= 0) {
		const targets = new Set(page.links.map((l) => l.split('#')[0]));
		if (i > 0 && !targets.has(lessons[i - 1])) fail(`${name}: no link to the previous lesson ${lessons[i - 1]}`);
		if (i + 1 < lessons.length && !targets.has(lessons[i + 1])) fail(`${name}: no link to the next lesson ${lessons[i + 1]}`);
		if (![...targets].some((t) => want.has(t))) fail(`${name}: no link to a diagram page`);
	}
	seen.set(file, page);
}

function rendered_n(seen, want) {
	return [...seen.keys()].filter((f) => rendered(f, want)).length;
}

async function main() {
	const want = expectedDiagrams();
	checkRequiredDiagrams();
	for (const page of want.keys())
		if (!fs.existsSync(path.join(htmlDir, page))) fail(`${page}: the diagram page was not built`);
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	await send('Page.enable', {}, sessionId);

	// Crawl every local page reachable from index.html; check each link on the way.
	const seen = new Map(), queue = [path.join(htmlDir, 'index.html')], links = [];
	const queued = new Set(queue);
	while (queue.length) {
		const file = queue.shift();
		const page = rendered(file, want) ? await visit(sessionId, file) : read(file);
		checkPage(file, page, seen, want);
		for (const href of page.links) {
			if (/^[a-z]+:/i.test(href) || href.startsWith('//')) continue; // not local
			const [p, frag] = href.split('#');
			const target = p ? path.resolve(path.dirname(file), decodeURIComponent(p)) : file;
			links.push({ from: path.basename(file), href, target, frag });
			if (!fs.existsSync(target)) continue;
			if (target.endsWith('.html') && !queued.has(target)) {
				queued.add(target);
				queue.push(target);
			}
		}
	}
	for (const l of links) {
		if (!fs.existsSync(l.target)) fail(`${l.from}: link ${l.href}: no such file`);
		else if (l.frag && seen.has(l.target) && !seen.get(l.target).anchors.includes(l.frag))
			fail(`${l.from}: link ${l.href}: no anchor #${l.frag} there`);
	}
	// Each lesson section a --trace line points to ("01-uts.md#clone32", solutions/*.c) is
	// an anchor of that lesson's page (an <a id> before its heading).
	for (const f of fs.readdirSync('solutions').filter((f) => /\.c$/.test(f)))
		for (const m of fs.readFileSync(path.join('solutions', f), 'utf8').matchAll(/"(\d\d-[a-z0-9-]+)\.md#([\w-]+)"/g)) {
			const page = lessons.find((l) => l === `md_lessons_${m[1].replace(/-/g, '_')}.html`);
			const got = page && seen.get(path.join(htmlDir, page));
			if (!got) fail(`solutions/${f}: trace link lessons/${m[1]}.md: no page ${page || m[1]}`);
			else if (!got.anchors.includes(m[2])) fail(`solutions/${f}: trace link lessons/${m[1]}.md#${m[2]}: no such anchor`);
		}
	for (const page of want.keys())
		if (!seen.has(path.join(htmlDir, page))) fail(`${page}: no link leads to it from index.html`);
	for (const lesson of lessons)
		if (!seen.has(path.join(htmlDir, lesson))) fail(`${lesson}: no link leads to it from index.html`);

	fs.mkdirSync(outDir, { recursive: true });
	await screenshot(sessionId, path.join(htmlDir, 'index.html'), path.join(outDir, 'index.png'));
	const lesson = lessons.find((l) => /_04_/.test(l)) || lessons[0];
	if (lesson) await screenshot(sessionId, path.join(htmlDir, lesson), path.join(outDir, 'lesson.png'));

	for (const f of failures) console.log('FAIL: ' + f);
	const diagrams = [...seen.values()].reduce((n, p) => n + p.diagrams.length, 0);
	console.log(`site-test: ${seen.size} pages (${rendered_n(seen, want)} rendered in Chromium), ${links.length} local links, ${diagrams} diagrams, ${lessons.length} lessons: ` +
		(failures.length ? `${failures.length} failed` : 'all pass'));
	return failures.length ? 1 : 0;
}

const timer = setTimeout(() => { console.log('FAIL: site-test timed out after 240 s'); chrome.kill('SIGKILL'); process.exit(1); }, 240000);
main().then((code) => finish(code), (e) => { console.log('FAIL: site-test: ' + e.message); finish(1); });
function finish(code) {
	clearTimeout(timer);
	chrome.kill('SIGKILL');
	// Chromium's helpers may still be writing the profile for a moment after the kill:
	// remove it once the browser has exited, retrying, and never let that decide the verdict.
	const done = () => {
		try {
			fs.rmSync(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
		} catch (e) {
			console.log(`site-test: warning: could not remove ${profile}: ${e.code}`);
		}
		process.exit(code);
	};
	if (chrome.exitCode !== null || chrome.signalCode !== null) done();
	else chrome.once('exit', done);
}
