// The i2v page: one form that builds a job (the API's multipart POST /api/jobs), and the gallery of jobs kept
// live by the server's event stream (GET /api/events). No framework and no build step; docs/openapi.yaml
// documents every call made here.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  model: null,
  presets: new Map(),
  file: null,          // the chosen image (a File or Blob)
  fileName: "",
  image: null,         // an <img> of it, for the previews
  guidanceTouched: false,
  jobs: new Map(),     // id -> job
  cards: new Map(),    // id -> element
};

// ---------- API ----------

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const message = body && body.error ? body.error : `${response.status} ${response.statusText}`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else if (k === "title") e.title = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60), r = s % 60;
  return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${String(r).padStart(2, "0")}`
    : `${m}:${String(r).padStart(2, "0")}`;
}

// ---------- model, presets ----------

async function loadModel() {
  const m = await api("/api/model");
  state.model = m;
  const line = $("model-line");
  line.textContent = `${m.model} · ${m.device} ${m.dtype} · i2v ${m.version}`;
  line.title = m.model;
  if (m.random_weights) {
    line.append(" ", el("span", { class: "badge", title: "The bundled smoke-test model makes noise, not real video" },
      "test model: random weights"));
  }
  $("guidance").max = Math.min(m.max_guidance, 20);
  // Browsers differ in what they play: default to a format this one can show.
  const v = document.createElement("video");
  if (!v.canPlayType('video/mp4; codecs="avc1.42E01E"') && v.canPlayType('video/webm; codecs="vp9"')) {
    $("format").value = "webm";
  }
}

async function loadPresets() {
  const { presets } = await api("/api/presets");
  const select = $("preset");
  select.replaceChildren();
  for (const p of presets) {
    state.presets.set(p.name, p);
    select.append(el("option", { value: p.name }, p.name));
  }
  if (state.presets.has("standard")) select.value = "standard";
  showPreset();
}

function preset() { return state.presets.get($("preset").value); }

function showPreset() {
  const p = preset();
  if (!p) return;
  const box = $("preset-values");
  box.replaceChildren(
    el("span", { class: "chip" }, `${p.steps} steps`),
    el("span", { class: "chip" }, `guidance ${p.guidance}`),
    el("span", { class: "chip" }, `${p.frames} frames @ ${p.fps} fps`),
    el("span", { class: "chip" }, `${p.width}×${p.height}`),
    el("span", { class: "chip" }, p.scheduler));
  if (p.description) box.append(el("span", { class: "about" }, p.description));
  for (const [id, key] of [["steps", "steps"], ["frames", "frames"], ["fps", "fps"], ["width", "width"], ["height", "height"]]) {
    $(id).placeholder = p[key];
  }
  if (!state.guidanceTouched) $("guidance").value = p.guidance;
  showGuidance();
  checkPrompt();
  inspectImage();
}

// ---------- guidance ----------

function showGuidance() {
  const auto = $("guidance-auto").checked;
  $("guidance").disabled = auto;
  $("guidance-value").textContent = auto ? "auto" : Number($("guidance").value).toFixed(1);
  $("guidance-reset").hidden = auto || !state.guidanceTouched;
  if (!auto) {
    $("guidance-reason").textContent = state.guidanceTouched ? "your value" : `the preset's value`;
  }
}

// ---------- prompt: tokens and auto guidance ----------

function tokenLine(target, t) {
  target.replaceChildren();
  if (!t) return;
  const count = el("span", t.truncated ? { class: "over" } : {}, `${t.count} / ${t.max_tokens} tokens`);
  target.append(count);
  if (t.chunks > 1) target.append(` in ${t.chunks} chunks`);
  if (t.truncated) {
    const words = t.dropped_words, shown = words.slice(0, 24).join(" ");
    const more = words.length > 24 ? ` … (${words.length - 24} more words)` : "";
    target.append(" · the model does not read: ", el("span", { class: "dropped", title: t.dropped }, shown + more));
  }
}

const checkPrompt = debounce(async () => {
  const prompt = $("prompt").value, negative = $("negative").value;
  try {
    const answer = await api("/api/prompt", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt, negative_prompt: negative || null, preset: $("preset").value || null }),
    });
    tokenLine($("prompt-tokens"), prompt ? answer.prompt : null);
    tokenLine($("negative-tokens"), negative ? answer.negative_prompt : null);
    if ($("guidance-auto").checked) {
      $("guidance-value").textContent = `auto → ${answer.guidance_auto.scale}`;
      $("guidance-reason").textContent = answer.guidance_auto.reason;
    }
  } catch (e) {
    $("prompt-tokens").textContent = e.message;
  }
}, 250);

// ---------- image: pick, drop, preview of the model's crop ----------

function setImage(file, name) {
  state.file = file;
  state.fileName = name || file.name || "image";
  const img = new Image();
  img.onload = () => { state.image = img; inspectImage(); };
  img.onerror = () => { state.image = null; inspectImage(); };
  img.src = URL.createObjectURL(file);
  $("drop-empty").hidden = true;
  $("previews").hidden = false;
  $("source-caption").textContent = state.fileName;
}

const inspectImage = debounce(async () => {
  const list = $("image-warnings");
  if (!state.file) return;
  const q = new URLSearchParams({ preset: $("preset").value || "standard" });
  if ($("width").value) q.set("width", $("width").value);
  if ($("height").value) q.set("height", $("height").value);
  try {
    const info = await api(`/api/images/inspect?${q}`, { method: "POST", body: state.file });
    list.replaceChildren(...info.warnings.map((w) => el("li", {}, w)));
    $("source-caption").textContent = `${state.fileName} · ${info.format} ${info.width}×${info.height}`;
    $("crop-caption").textContent = `What the model gets: ${info.target_width}×${info.target_height}`;
    drawPreviews(info);
  } catch (e) {
    list.replaceChildren(el("li", {}, e.message));
  }
}, 200);

function drawPreviews(info) {
  const img = state.image;
  if (!img) return;
  const c = info.crop, tw = info.target_width, th = info.target_height;
  // The source with the part the model keeps outlined: the crop window mapped back by the resize's scale.
  const src = $("source-canvas");
  src.width = img.naturalWidth; src.height = img.naturalHeight;
  const s = src.getContext("2d");
  s.drawImage(img, 0, 0);
  const kx = img.naturalWidth / c.resized_width, ky = img.naturalHeight / c.resized_height;
  const rx = c.x * kx, ry = c.y * ky, rw = tw * kx, rh = th * ky;
  s.fillStyle = "rgba(18, 21, 28, 0.55)";
  s.beginPath();
  s.rect(0, 0, src.width, src.height);
  s.rect(rx, ry, rw, rh);
  s.fill("evenodd");
  s.strokeStyle = "#ffd43b";
  s.lineWidth = Math.max(1, src.width / 200);
  s.strokeRect(rx, ry, rw, rh);
  // The model's view: resized to cover the video size, then the centre crop (diffusers' _center_crop_wide).
  const dst = $("crop-canvas");
  dst.width = tw; dst.height = th;
  const d = dst.getContext("2d");
  d.imageSmoothingQuality = "high";
  d.drawImage(img, -c.x, -c.y, c.resized_width, c.resized_height);
}

function wireDrop() {
  const drop = $("drop"), input = $("file");
  $("pick").addEventListener("click", (e) => { e.stopPropagation(); input.click(); });
  drop.addEventListener("click", () => input.click());
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  input.addEventListener("change", () => { if (input.files[0]) setImage(input.files[0]); });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const f = e.dataTransfer.files[0];
    if (f) setImage(f);
  });
}

// ---------- submit ----------

function settingsFromForm() {
  const s = { prompt: $("prompt").value.trim(), preset: $("preset").value, format: $("format").value };
  const negative = $("negative").value.trim();
  if (negative) s.negative_prompt = negative;
  for (const id of ["steps", "frames", "fps", "width", "height"]) {
    if ($(id).value !== "") s[id] = Number($(id).value);
  }
  const seed = $("seed").value.trim();
  if (seed) s.seed = seed;  // text: seeds go past what JavaScript numbers hold exactly
  if ($("guidance-auto").checked) s.guidance = "auto";
  else if (state.guidanceTouched) s.guidance = Number($("guidance").value);
  return s;
}

async function submit(event) {
  event.preventDefault();
  const error = $("form-error");
  error.hidden = true;
  if (!state.file) { error.textContent = "Choose an image first."; error.hidden = false; return; }
  const form = new FormData();
  form.append("image", state.file, state.fileName);
  form.append("settings", JSON.stringify(settingsFromForm()));
  const button = $("submit");
  button.disabled = true;
  button.textContent = "Sending…";
  try {
    const job = await api("/api/jobs", { method: "POST", body: form });
    upsertJob(job);
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
    button.textContent = "Generate";
  }
}

// ---------- "use these settings again" ----------

async function reuse(job) {
  const s = job.settings;
  $("prompt").value = s.prompt || "";
  $("negative").value = s.negative_prompt || "";
  if (s.preset && state.presets.has(s.preset)) $("preset").value = s.preset;
  for (const id of ["steps", "frames", "fps", "width", "height", "seed"]) $(id).value = s[id] || "";
  $("format").value = s.format || job.resolved.format || "mp4";
  $("guidance-auto").checked = s.guidance === "auto";
  state.guidanceTouched = s.guidance !== undefined && s.guidance !== "auto";
  if (state.guidanceTouched) $("guidance").value = s.guidance;
  showPreset();
  const response = await fetch(job.image.url, { credentials: "same-origin" });
  if (response.ok) setImage(await response.blob(), job.image.name);
  window.scrollTo({ top: 0, behavior: "smooth" });
}

// ---------- the gallery ----------

function upsertJob(job) {
  const previous = state.jobs.get(job.id);
  // A progress event may carry newer progress than a job event that was sent before it.
  if (previous && previous.progress && !job.progress && job.state === "running") job.progress = previous.progress;
  state.jobs.set(job.id, job);
  let card = state.cards.get(job.id);
  if (!card) {
    card = $("job-template").content.firstElementChild.cloneNode(true);
    card.dataset.id = job.id;
    state.cards.set(job.id, card);
    wireCard(card);
    // Newest first.
    const later = [...state.cards.keys()].filter((id) => id > job.id && state.cards.get(id).isConnected).sort((a, b) => a - b)[0];
    const list = $("job-list");
    if (later !== undefined) list.insertBefore(card, state.cards.get(later).nextSibling); else list.prepend(card);
  }
  renderCard(card, job, previous);
  $("no-jobs").hidden = state.cards.size > 0;
  showQueue();
}

function removeJob(id) {
  const card = state.cards.get(id);
  if (card) card.remove();
  state.cards.delete(id);
  state.jobs.delete(id);
  $("no-jobs").hidden = state.cards.size > 0;
  showQueue();
}

function showQueue() {
  const jobs = [...state.jobs.values()];
  const running = jobs.filter((j) => j.state === "running").length;
  const waiting = jobs.filter((j) => j.state === "queued").length;
  $("queue-line").textContent = `${running ? "1 running" : "idle"} · ${waiting} waiting`;
}

function renderCard(card, job, previous) {
  const media = card.querySelector(".media");
  const wantVideo = job.state === "done" && job.output && job.resolved.format !== "gif";
  const wantGif = job.state === "done" && job.output && job.resolved.format === "gif";
  const current = media.firstElementChild;
  if (wantVideo && !(current && current.tagName === "VIDEO")) {
    const v = el("video", { controls: "", loop: "", playsinline: "", preload: "auto" });
    v.muted = true;
    v.autoplay = true;
    v.src = job.output.url;
    media.replaceChildren(v);
    v.play().catch(() => {});
  } else if (wantGif && !(current && current.dataset.kind === "gif")) {
    const i = el("img", { alt: "the video (GIF)" });
    i.dataset.kind = "gif";
    i.src = job.output.url;
    media.replaceChildren(i);
  } else if (!wantVideo && !wantGif && !(current && current.dataset.kind === "input")) {
    const i = el("img", { alt: "the input image" });
    i.dataset.kind = "input";
    i.src = job.image.url;
    media.replaceChildren(i);
  }

  const stateBadge = card.querySelector(".state");
  stateBadge.className = `state ${job.state}`;
  stateBadge.textContent = job.state === "queued" && job.queue_position !== undefined && job.queue_position !== null
    ? `queued · ${job.queue_position === 0 ? "next" : `#${job.queue_position + 1}`}` : job.state;
  card.querySelector(".number").textContent = `#${job.id} · ${new Date(job.created_at).toLocaleTimeString()}`;
  card.querySelector(".prompt").textContent = job.prompt;
  renderProgress(card, job);

  const r = job.resolved;
  const facts = card.querySelector(".facts");
  const rows = [
    ["preset", r.preset],
    ["size", `${r.width}×${r.height}, ${r.frames} frames @ ${r.fps} fps`],
    ["steps", `${r.steps} (${r.scheduler})`],
    ["guidance", `${r.guidance} (${r.guidance_source === "auto" ? "auto: " + r.guidance_reason : r.guidance_source})`],
    ["seed", r.seed],
  ];
  if (r.negative_prompt) rows.push(["negative", r.negative_prompt]);
  rows.push(["image", `${job.image.name} `, job.image.sha256]);
  if (job.output) rows.push(["video", `${job.output.name} `, job.output.sha256]);
  if (job.timings && job.timings.total !== undefined) rows.push(["took", `${job.timings.total.toFixed(1)} s`]);
  facts.replaceChildren();
  for (const [k, v, hash] of rows) {
    const dd = el("dd", {}, v);
    if (hash) dd.append(el("span", { class: "hash", title: `SHA-256 ${hash}` }, hash.slice(0, 12) + "…"));
    facts.append(el("dt", {}, k), dd);
  }
  card.querySelector(".message").textContent = job.error || "";
  const warnings = job.warnings || [];
  const notes = card.querySelector(".notes");
  notes.hidden = warnings.length === 0;
  notes.querySelector("summary").textContent = `${warnings.length} warning${warnings.length === 1 ? "" : "s"}`;
  notes.querySelector(".warnings").replaceChildren(...warnings.map((w) => el("li", {}, w)));

  const show = (action, visible) => { card.querySelector(`[data-action=${action}]`).hidden = !visible; };
  show("download", job.state === "done");
  show("sidecar", job.state === "done");
  show("cancel", job.state === "queued" || job.state === "running");
  show("requeue", ["failed", "cancelled", "interrupted"].includes(job.state));
  show("delete", job.state !== "running");
  if (job.output) {
    card.querySelector("[data-action=download]").href = job.output.url;
    card.querySelector("[data-action=download]").setAttribute("download", job.output.name);
    card.querySelector("[data-action=sidecar]").href = job.output.sidecar_url;
  }
}

function renderProgress(card, job) {
  const bar = card.querySelector(".progress"), text = card.querySelector(".progress-text");
  const p = job.progress;
  if (job.state !== "running") { bar.hidden = true; text.textContent = ""; return; }
  bar.hidden = false;
  if (!p) { text.textContent = "starting…"; bar.firstElementChild.style.width = "0%"; return; }
  let line = p.stage || "working";
  if (p.steps) {
    line += ` · step ${p.step}/${p.steps}`;
    bar.firstElementChild.style.width = `${Math.round((100 * p.step) / p.steps)}%`;
  }
  if (p.eta_seconds !== undefined && p.eta_seconds !== null) line += ` · ETA ${clock(p.eta_seconds)}`;
  line += ` · ${clock(p.elapsed_seconds)} elapsed`;
  text.textContent = line;
}

function wireCard(card) {
  const id = Number(card.dataset.id);
  const act = async (fn) => {
    try { await fn(); } catch (e) { card.querySelector(".message").textContent = e.message; }
  };
  card.querySelector("[data-action=reuse]").addEventListener("click", () => act(() => reuse(state.jobs.get(id))));
  card.querySelector("[data-action=cancel]").addEventListener("click", () =>
    act(async () => upsertJob(await api(`/api/jobs/${id}/cancel`, { method: "POST" }))));
  card.querySelector("[data-action=requeue]").addEventListener("click", () =>
    act(async () => upsertJob(await api(`/api/jobs/${id}/requeue`, { method: "POST" }))));
  card.querySelector("[data-action=delete]").addEventListener("click", () =>
    act(async () => { await api(`/api/jobs/${id}`, { method: "DELETE" }); removeJob(id); }));
}

// ---------- live updates ----------

function listen() {
  const live = $("live");
  const source = new EventSource("/api/events");
  source.onopen = () => { live.textContent = "live"; live.classList.add("on"); refreshJobs(); };
  source.onerror = () => { live.textContent = "reconnecting…"; live.classList.remove("on"); };
  source.addEventListener("job", (e) => upsertJob(JSON.parse(e.data)));
  source.addEventListener("deleted", (e) => removeJob(JSON.parse(e.data).id));
  source.addEventListener("progress", (e) => {
    const p = JSON.parse(e.data);
    const job = state.jobs.get(p.id);
    if (!job) return;
    job.progress = p;
    if (job.state !== "running") job.state = "running";
    const card = state.cards.get(p.id);
    if (card) { card.querySelector(".state").className = "state running"; card.querySelector(".state").textContent = "running"; renderProgress(card, job); }
  });
}

async function refreshJobs() {
  const { jobs } = await api("/api/jobs");
  const seen = new Set(jobs.map((j) => j.id));
  for (const id of [...state.jobs.keys()]) if (!seen.has(id)) removeJob(id);
  for (const job of jobs.slice().reverse()) upsertJob(job);
}

// ---------- start ----------

async function start() {
  // The address may carry ?token=...: the server has set its cookie, so the page forgets the token.
  if (location.search.includes("token=")) history.replaceState(null, "", location.pathname);
  wireDrop();
  $("job-form").addEventListener("submit", submit);
  $("preset").addEventListener("change", showPreset);
  $("prompt").addEventListener("input", checkPrompt);
  $("negative").addEventListener("input", checkPrompt);
  for (const id of ["width", "height"]) $(id).addEventListener("input", inspectImage);
  $("guidance").addEventListener("input", () => { state.guidanceTouched = true; showGuidance(); });
  $("guidance-auto").addEventListener("change", () => { showGuidance(); checkPrompt(); });
  $("guidance-reset").addEventListener("click", () => { state.guidanceTouched = false; showPreset(); });
  try {
    await loadModel();
    await loadPresets();
    await refreshJobs();
  } catch (e) {
    $("form-error").textContent = `The server did not answer: ${e.message}`;
    $("form-error").hidden = false;
  }
  listen();
}

start();
