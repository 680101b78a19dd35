// Shared by the console's areas: texts, the API (with the CSRF token), building elements.
// Everything shown is set as text (textContent), never as HTML.

const state = { texts: {}, fallback: {}, csrf: null, user: null };

export function setTexts(texts, fallback) { state.texts = texts; state.fallback = fallback; }
export function setSession(session) { state.csrf = session ? session.csrf : null; state.user = session ? session.user : null; }
export function user() { return state.user; }

// The text for `key` in the console language, {name} replaced from `values`.
export function t(key, values = {}) {
  const text = state.texts[key] ?? state.fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// A JSON API call; changes carry the CSRF token. Returns {status, data}.
export async function api(path, { method = "GET", body, form } = {}) {
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = state.csrf || "";
  let payload;
  if (form) payload = form;
  else if (body !== undefined) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const reply = await fetch("/admin/api/" + path, { method, headers, body: payload, credentials: "same-origin" });
  let data = {};
  try { data = await reply.json(); } catch (_) { data = {}; }
  if (reply.status === 401 && path !== "sign-in") window.dispatchEvent(new CustomEvent("console-signed-out"));
  return { status: reply.status, data };
}

// el("p", {class: "x", text: "…"}, child, …): an element with attributes, text and children.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

export function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

// A status line read out by screen readers.
export function status(node, text, problem = false) {
  node.textContent = text;
  node.className = problem ? "problem" : "note";
}

export function day(seconds) {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function debounce(action, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => action(...args), ms); };
}
