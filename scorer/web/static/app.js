// coprod what-if page: builds its controls from GET /api/scenario and repaints from POST /api/evaluate.
//
// No library and no build step. Every node is made with createElement and
// textContent (never innerHTML), so a candidate named "<script>" shows as text;
// the page runs under Content-Security-Policy default-src 'self', so styles
// are set through element.style (CSSOM), which that policy allows.
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  // A request outstanding this long (a held connection, a time-limited solve)
  // lets one newer request go out beside it, so the page never freezes on it;
  // the answer of the older one is then dropped by its sequence number.
  const STALE_MS = 1500;
  // Flip points and the Pareto frontier cost several solves: asked for once
  // the settings have rested this long, not on every input event.
  const SETTLE_MS = 400;
  // Ranking rows drawn before "show all" (1,000 candidates stay quick to repaint).
  const ROW_LIMIT = 250;
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173",
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"];
  const PARTNER_COLOURS = ["#1a5fb4", "#c01c28", "#26a269", "#a347ba", "#e66100"];

  const token = new URLSearchParams(window.location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);

  // Timings of slider-to-repaint (ms), read by the tests and benchmarks.
  const timings = [];
  window.coprodTimings = timings;

  let scenario = null;          // GET /api/scenario
  let last = null;              // the newest evaluate answer shown
  let lastBargain = null;
  let showAll = false;
  let savedRaw = {};            // the criteria file's raw weights as last written by this page
  const controls = { weights: new Map(), partners: new Map(), caps: new Map() };
  const colour = new Map();     // criterion id -> colour

  // ---------------------------------------------------------------- helpers

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "text") node.textContent = String(v);
        else if (k === "className") node.className = v;
        else if (k === "dataset") Object.assign(node.dataset, v);
        else node.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function num(x, digits = 2) {
    if (x === null || x === undefined || !Number.isFinite(x)) return "–";
    return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function money(x) {
    if (x === null || x === undefined) return "no cap";
    return x.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }

  function pct(x, digits = 1) {
    return Number.isFinite(x) ? (100 * x).toFixed(digits) + " %" : "–";
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function setStatus(text, state) {
    const s = $("status");
    s.textContent = text;
    s.dataset.state = state;
    document.body.dataset.state = state;
  }

  function actionStatus(text, state) {
    const s = $("action-status");
    s.textContent = text;
    s.dataset.state = state || "info";
  }

  class ApiError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  async function api(path, body) {
    const init = { method: body === undefined ? "GET" : "POST", cache: "no-store", credentials: "same-origin",
      headers: { Authorization: "Bearer " + token } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError("the server does not answer (" + e.message + ")", 0);
    }
    if (!response.ok) {
      let message = "HTTP " + response.status;
      try {
        const doc = await response.json();
        if (doc && doc.error) message = doc.error;
      } catch (e) { /* not JSON: keep the status line */ }
      if (response.status === 401) message = "the token is missing or wrong: open the address coprod serve printed";
      throw new ApiError(message, response.status);
    }
    return response;
  }

  function stepOf(max) {
    // A power of ten near max/1000: fine enough to drag, and round values
    // (15, 22.5) stay exact under the range input's step rounding.
    if (!(max > 0)) return 0.01;
    return Math.pow(10, Math.floor(Math.log10(max / 1000)));
  }

  function numberOr(input) {
    const v = input.value.trim();
    if (v === "") return null;
    const x = Number(v);
    return Number.isFinite(x) ? x : NaN;
  }

  // ---------------------------------------------------------------- settings

  // What the controls say, as the API's settings body: only what differs from
  // the scenario file, exactly as the command line's -w / --budget / --year-cap.
  function settings() {
    const s = {};
    const weights = {};
    for (const [id, c] of controls.weights) {
      const x = numberOr(c.number);
      if (x !== null && x !== c.raw) weights[id] = x;
    }
    if (Object.keys(weights).length) s.weights = weights;
    const method = $("method").value;
    if (method && method !== scenario.method) s.method = method;
    const budget = numberOr($("budget"));
    if (budget !== null) s.budget = budget;
    const caps = {};
    for (const [year, input] of controls.caps) {
      const x = numberOr(input);
      if (x !== null) caps[year] = x;
    }
    if (Object.keys(caps).length) s.year_caps = caps;
    if (scenario.partners) {
      const objective = $("objective").value;
      if (objective && objective !== scenario.objective) s.objective = objective;
      const pw = {};
      for (const [key, c] of controls.partners) {
        const x = numberOr(c.number);
        if (x !== null && x !== c.raw) (pw[c.partner] = pw[c.partner] || {})[c.id] = x;
      }
      if (Object.keys(pw).length) s.partner_weights = pw;
    }
    return s;
  }

  // ---------------------------------------------------------------- live evaluation

  // At most one evaluate in flight (one more once it is STALE_MS old); the
  // newest settings are sent when it answers; an answer older than the newest
  // shown is dropped, so a slow answer never overwrites a newer one.
  const live = { seq: 0, shown: 0, inflight: new Map(), dirty: false, firstInput: null, timer: 0 };

  function changed() {
    live.dirty = true;
    // Flip points and the frontier are of the settings before: faded until asked again.
    document.body.dataset.flips = "stale";
    if (scenario.partners) {
      $("pareto-box").dataset.state = "stale";
      $("pareto-box").classList.add("computing");
    }
    if (live.firstInput === null) live.firstInput = performance.now();
    pump();
    settle();
  }

  function pump() {
    if (!live.dirty) return;
    const started = [...live.inflight.values()];
    if (started.length >= 2) return;
    if (started.length === 1) {
      const age = performance.now() - started[0];
      if (age < STALE_MS) {
        clearTimeout(live.timer);
        live.timer = setTimeout(pump, STALE_MS - age + 5);
        return;
      }
    }
    send();
  }

  function send() {
    const seq = ++live.seq;
    const body = settings();
    const t0 = live.firstInput === null ? performance.now() : live.firstInput;
    live.firstInput = null;
    live.dirty = false;
    live.inflight.set(seq, performance.now());
    setStatus("Updating…", "busy");
    api("/api/evaluate", body).then((r) => r.json()).then((doc) => {
      if (seq < live.shown) return;             // older than what is on screen: dropped
      live.shown = seq;
      last = doc;
      const r0 = performance.now();
      render(doc);
      document.body.dataset.renderMs = (performance.now() - r0).toFixed(1);
      document.body.dataset.serverMs = (1000 * (doc.seconds || 0)).toFixed(1);
      document.body.dataset.seq = String(seq);
      afterPaint(() => {
        const ms = performance.now() - t0;
        timings.push(ms);
        document.body.dataset.repaintMs = ms.toFixed(1);
        if (current() && $("status").dataset.state !== "error") {
          setStatus("Up to date: server " + Math.round(1000 * (doc.seconds || 0)) + " ms, repaint " +
            Math.round(ms) + " ms.", "idle");
        }
      });
    }, (err) => {
      if (seq < live.shown) return;
      live.shown = seq;
      document.body.dataset.seq = String(seq);
      $("results").classList.add("stale");
      setStatus("Not updated: " + err.message, "error");
    }).finally(() => {
      live.inflight.delete(seq);
      if (live.dirty) pump();
      else if (current() && $("status").dataset.state === "busy") setStatus("Up to date.", "idle");
      if (current()) settled();
    });
  }

  // The newest settings are answered and on screen (an abandoned older request may still be out).
  function current() {
    return !live.dirty && live.shown === live.seq;
  }

  function afterPaint(fn) {
    // requestAnimationFrame runs just before the frame is painted; the task
    // after it runs once that frame is on screen.
    requestAnimationFrame(() => setTimeout(fn, 0));
  }

  // ---------------------------------------------------------------- settled requests (flips, bargain)

  let settleTimer = 0;
  function settle() {
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => { settleTimer = 0; settled(); }, SETTLE_MS);
  }

  function settled() {
    if (settleTimer || !current()) return;   // not at rest yet
    const body = settings();
    flips.ask(body);
    if (scenario.partners) bargain.ask(body);
  }

  // One request in flight per kind; the newest settings win, an answer for
  // settings that changed meanwhile is not drawn, and settings already
  // answered are drawn again from that answer (moved and moved back).
  function lane(path, onAnswer, onError, onStart) {
    const st = { inflight: false, want: null, answered: null };
    function go() {
      if (st.inflight || !st.want) return;
      const { body, key } = st.want;
      st.want = null;
      if (st.answered && st.answered.key === key) { onAnswer(st.answered.doc); return; }
      st.inflight = true;
      onStart();
      api(path, body).then((r) => r.json()).then((doc) => {
        st.answered = { key, doc };
        if (!st.want) onAnswer(doc);
      }, (err) => {
        if (!st.want) onError(err);
      }).finally(() => { st.inflight = false; go(); });
    }
    return { ask(body) { st.want = { body, key: JSON.stringify(body) }; go(); } };
  }

  const flips = lane("/api/flips", drawFlips, (err) => {
    document.body.dataset.flips = "error";
    for (const c of controls.weights.values()) c.flipText.textContent = "Flip points unavailable: " + err.message;
  }, () => { document.body.dataset.flips = "computing"; });

  const bargain = lane("/api/bargain", (doc) => { lastBargain = doc; drawPareto(doc, true); }, (err) => {
    $("pareto-box").dataset.state = "error";
    $("pareto-caption").textContent = "Pareto frontier not available: " + err.message;
  }, () => {
    $("pareto-box").dataset.state = "computing";
    $("pareto-box").classList.add("computing");
    $("pareto-caption").textContent = "Pareto frontier: computing…";
  });

  // ---------------------------------------------------------------- building the controls

  function build(doc) {
    scenario = doc;
    $("title").textContent = "coprod what-if: " + doc.name;
    document.title = "coprod what-if: " + doc.name;
    $("subtitle").textContent = (doc.candidates ? doc.candidates.length + " candidates, " : "") +
      doc.criteria.length + " criteria, " + doc.horizon[0] + "–" + doc.horizon[1] +
      (doc.currency ? ", money in " + doc.currency : "") +
      (doc.partners ? ", partners " + doc.partners.join(" and ") : "") + ".";
    doc.criteria.forEach((c, i) => colour.set(c.id, PALETTE[i % PALETTE.length]));
    for (const c of doc.criteria) savedRaw[c.id] = c.raw;

    // Weights, one fieldset per group in the file's order (ungrouped last).
    const box = $("weights");
    const groups = (doc.groups || []).map((g) => ({ id: g.id, name: g.name || g.id, weight: g.weight, items: [] }));
    const byId = new Map(groups.map((g) => [g.id, g]));
    const loose = { id: null, name: groups.length ? "Other criteria" : "Criterion weights", items: [] };
    for (const c of doc.criteria) (byId.get(c.group) || loose).items.push(c);
    if (loose.items.length) groups.push(loose);
    let n = 0;
    for (const g of groups) {
      if (!g.items.length) continue;
      const legend = g.name + (g.id !== null && g.weight !== undefined ? " (group weight " + num(g.weight, 0) + ")" : "");
      const fs = el("fieldset", { className: "weights" }, el("legend", { text: legend }));
      if (g.id !== null) fs.dataset.group = g.id;
      for (const c of g.items) {
        const row = weightRow(c, "w" + n++, c.raw, { weight: c.id });
        controls.weights.set(c.id, row.control);
        fs.append(row.node);
      }
      box.append(fs);
    }
    if (doc.weighting && doc.weighting !== "direct") {
      box.prepend(el("p", { className: "muted", text: "Weights are derived by " + doc.weighting +
        " weighting: each slider sets what -w sets for that method." }));
    }

    // Method, objective, budget, year caps.
    const method = $("method");
    for (const m of doc.methods) method.append(el("option", { value: m, text: m }));
    method.value = doc.method;
    method.addEventListener("input", changed);
    const budget = $("budget");
    budget.placeholder = doc.budget === null ? "no cap" : money(doc.budget);
    $("budget-unit").textContent = doc.currency ? "(" + doc.currency + ")" : "";
    budget.addEventListener("input", changed);
    const caps = $("year-cap-fields");
    for (const [year, cap] of Object.entries(doc.year_caps || {})) {
      const id = "cap-" + year;
      const input = el("input", { type: "number", id, min: 0, step: "any", inputmode: "decimal",
        placeholder: money(cap), dataset: { yearCap: year } });
      input.addEventListener("input", changed);
      controls.caps.set(year, input);
      caps.append(el("div", { className: "field cap" }, el("label", { for: id, text: year }), input));
    }

    if (doc.partners) {
      $("objective-field").hidden = false;
      const objective = $("objective");
      for (const o of doc.objectives) objective.append(el("option", { value: o, text: objectiveName(o) }));
      objective.value = doc.objective;
      objective.addEventListener("input", changed);
      const pbox = $("partner-weights");
      for (const p of doc.partners) {
        const raw = (doc.perspectives && doc.perspectives[p] && doc.perspectives[p].raw) || {};
        const details = el("details", { className: "partner", dataset: { partner: p } },
          el("summary", { text: p + "'s weights" }));
        const fs = el("fieldset", { className: "weights" }, el("legend", { className: "sr-only", text: p + "'s weights" }));
        for (const c of doc.criteria) {
          const r = raw[c.id] !== undefined ? raw[c.id] : c.raw;
          const row = weightRow(c, "p" + n++, r, { partnerWeight: p + ":" + c.id }, p);
          row.control.partner = p;
          controls.partners.set(p + ":" + c.id, row.control);
          fs.append(row.node);
        }
        details.append(fs);
        pbox.append(details);
      }
      $("partners-card").hidden = false;
      $("pareto-figure").hidden = false;
      $("solver").closest(".card").classList.add("with-partners");
    }

    // Legend of the contribution bars.
    const legend = $("legend");
    for (const c of doc.criteria) {
      const sw = el("span", { className: "swatch", "aria-hidden": "true" });
      sw.style.background = colour.get(c.id);
      legend.append(el("li", null, sw, c.name));
    }

    $("settings").addEventListener("submit", (e) => e.preventDefault());
    $("reset").addEventListener("click", reset);
    $("save-weights").addEventListener("click", saveWeights);
    for (const b of document.querySelectorAll("button[data-export]")) {
      b.addEventListener("click", () => download(b.dataset.export, b.dataset.format, b));
    }
    $("report").addEventListener("click", briefing);
    $("show-all").addEventListener("click", () => { showAll = true; if (last) drawRanking(last); });
    if (!doc.editable) {
      $("save-note").textContent = doc.weighting && doc.weighting !== "direct"
        ? "This criteria file derives its weights (" + doc.weighting + "): saving is refused, as coprod weights set refuses it."
        : "This scenario's criteria file cannot be saved from here.";
    }
  }

  function objectiveName(o) {
    return { joint: "joint values", nash: "Nash bargaining solution", balanced: "balanced (Kalai-Smorodinsky)" }[o] ||
      o + "'s own values";
  }

  // One criterion: label, range slider with its flip marks, number box, effective weight.
  function weightRow(c, key, raw, data, partner) {
    const max = c.slider_max;
    const step = stepOf(max);
    const rangeId = key + "-range";
    const numberId = key + "-number";
    const describe = key + "-flips";
    const label = el("label", { for: rangeId, text: c.name });
    const range = el("input", { type: "range", id: rangeId, min: 0, max, step, value: raw,
      "aria-describedby": partner ? null : describe, dataset: data });
    const numberData = partner ? { partnerWeightNumber: data.partnerWeight } : { weightNumber: data.weight };
    const number = el("input", { type: "number", id: numberId, min: 0, step: "any", value: raw, dataset: numberData,
      inputmode: "decimal", "aria-label": (partner ? partner + ": " : "") + c.name + " (weight)" });
    range.value = String(raw);
    number.value = String(raw);
    const effective = el("span", { className: "effective", title: "effective weight", "aria-live": "off" });
    const track = el("div", { className: "track" }, range);
    const marks = el("div", { className: "marks", "aria-hidden": "false" });
    track.append(marks);
    const flipText = el("span", { id: describe, className: "sr-only" });
    const node = el("div", { className: "weight" + (c.direction === "cost" ? " cost" : "") },
      label, el("div", { className: "inputs" }, track, number, effective), flipText);
    range.addEventListener("input", () => { number.value = range.value; changed(); });
    number.addEventListener("input", () => {
      const x = numberOr(number);
      if (x !== null && Number.isFinite(x)) range.value = String(Math.min(Math.max(x, 0), max));
      changed();
    });
    return { node, control: { id: c.id, raw, max, range, number, effective, marks, flipText, name: c.name } };
  }

  function reset() {
    for (const c of [...controls.weights.values(), ...controls.partners.values()]) {
      c.number.value = String(c.raw);
      c.range.value = String(c.raw);
    }
    $("method").value = scenario.method;
    if (scenario.partners) $("objective").value = scenario.objective;
    $("budget").value = "";
    for (const input of controls.caps.values()) input.value = "";
    changed();
  }

  // ---------------------------------------------------------------- drawing the answer

  function render(doc) {
    $("results").classList.remove("stale");
    drawEffective(doc);
    drawRanking(doc);
    drawPortfolio(doc);
    drawSolver(doc);
    drawChanges(doc);
    drawGantt(doc);
    drawSpend(doc);
    if (scenario.partners) drawPartners(doc);
    if (lastBargain) drawPareto(lastBargain);
  }

  function drawEffective(doc) {
    const eff = doc.effective || {};
    for (const [id, c] of controls.weights) {
      c.effective.textContent = eff[id] !== undefined ? pct(eff[id]) : "";
    }
    if (doc.partners) {
      for (const c of controls.partners.values()) {
        const p = doc.partners[c.partner];
        const e = p && p.effective ? p.effective[c.id] : undefined;
        c.effective.textContent = e !== undefined ? pct(e) : "";
      }
    }
  }

  function drawRanking(doc) {
    const tbody = $("ranking").tBodies[0];
    const names = candidateNames();
    const contributions = doc.contributions;
    const ids = scenario.criteria.map((c) => c.id);
    let top = 0;
    if (contributions) {
      for (const r of doc.ranking) {
        const parts = contributions[r.id] || {};
        let sum = 0;
        for (const id of ids) sum += Math.max(0, parts[id] || 0);
        top = Math.max(top, sum);
      }
    }
    const rows = showAll ? doc.ranking : doc.ranking.slice(0, ROW_LIMIT);
    const frag = document.createDocumentFragment();
    for (const r of rows) {
      const tr = el("tr", { dataset: { id: r.id } });
      tr.append(el("td", { className: "num", text: r.rank }));
      tr.append(el("th", { scope: "row" }, el("span", { className: "id", text: r.id }),
        names.has(r.id) && names.get(r.id) !== r.id ? el("span", { className: "name", text: names.get(r.id) }) : null));
      tr.append(el("td", { className: "num", text: num(r.score) }));
      const cell = el("td", { className: "bar-cell" });
      if (contributions && contributions[r.id] && top > 0) cell.append(stackedBar(contributions[r.id], ids, top));
      tr.append(cell);
      frag.append(tr);
    }
    clear(tbody);
    tbody.append(frag);
    $("ranking").classList.toggle("no-bars", !contributions);
    $("legend").hidden = !contributions;
    const more = $("ranking-more");
    more.hidden = showAll || doc.ranking.length <= ROW_LIMIT;
    if (!more.hidden) $("show-all").textContent = "Show all " + doc.ranking.length + " candidates";
  }

  function stackedBar(parts, ids, top) {
    const bar = el("div", { className: "bar", role: "img" });
    const described = [];
    for (const id of ids) {
      const v = parts[id] || 0;
      if (v <= 0) continue;
      const seg = el("span", { className: "seg", dataset: { criterion: id } });
      seg.style.width = (100 * v / top).toFixed(3) + "%";
      seg.style.background = colour.get(id);
      const name = criterionName(id);
      seg.title = name + ": " + num(v);
      bar.append(seg);
      described.push([v, name]);
    }
    described.sort((a, b) => b[0] - a[0]);
    bar.setAttribute("aria-label", "Largest contributions: " +
      described.slice(0, 3).map(([v, name]) => name + " " + num(v, 1)).join(", "));
    return bar;
  }

  function candidateNames() {
    return new Map((scenario.candidates || []).map((c) => [c.id, c.name]));
  }

  function criterionName(id) {
    const c = scenario.criteria.find((x) => x.id === id);
    return c ? c.name : id;
  }

  function drawPortfolio(doc) {
    const tbody = $("portfolio").tBodies[0];
    const names = candidateNames();
    const changes = doc.changes || { in: [], out: [], moved: [] };
    const entered = new Set(changes.in || []);
    const moved = new Map((changes.moved || []).map((m) => [m.id, m]));
    const frag = document.createDocumentFragment();
    for (const s of doc.portfolio.selected || []) {
      const tr = el("tr", { dataset: { id: s.id } });
      tr.append(el("th", { scope: "row", className: "id", text: s.id }));
      tr.append(el("td", { text: names.get(s.id) || "" }));
      tr.append(el("td", { className: "num", text: s.start }));
      tr.append(el("td", { className: "num", text: s.finish }));
      tr.append(el("td", { className: "num", text: num(s.value) }));
      let note = "";
      if (entered.has(s.id)) note = "new";
      else if (moved.has(s.id)) note = "moved from " + moved.get(s.id).from;
      if (s.shares) {
        const split = Object.entries(s.shares).map(([p, x]) => p + " " + Math.round(100 * x) + " %").join(", ");
        note = note ? note + "; " + split : split;
      }
      const td = el("td", { text: note });
      if (entered.has(s.id) || moved.has(s.id)) td.className = "changed";
      tr.append(td);
      frag.append(tr);
    }
    clear(tbody);
    tbody.append(frag);
  }

  function drawSolver(doc) {
    const p = doc.portfolio;
    const box = $("solver");
    clear(box);
    const n = (p.selected || []).length;
    const gapText = p.gap === null || p.gap === undefined || !Number.isFinite(p.gap) ? "no bound" : pct(p.gap, 2);
    let head;
    if (p.status === "optimal") {
      head = el("strong", { className: "ok", text: "Optimal" });
    } else {
      head = el("strong", { className: "warn", text: "Stopped by the time limit, gap " + gapText +
        " (status " + p.status + "): the best portfolio found, not proven best" });
    }
    box.dataset.status = p.status;
    box.append(head, ": " + n + " project" + (n === 1 ? "" : "s") + ", objective " + num(p.objective) +
      ", bound " + num(p.bound) + ", gap " + gapText + ".");
    if (p.binding && p.binding.length) box.append(el("br"), "Limits that hold it back: " + p.binding.join(", ") + ".");
    if (p.objective_concept && p.objective_concept !== "joint") {
      box.append(el("br"), "Objective: " + objectiveName(p.objective_concept) + " (the objective above is the joint value).");
    }
  }

  function drawChanges(doc) {
    const box = $("changes");
    clear(box);
    const c = doc.changes || { in: [], out: [], moved: [] };
    const ins = c.in || [], outs = c.out || [], moved = c.moved || [];
    if (!ins.length && !outs.length && !moved.length) {
      box.append(el("p", { className: "muted", text: "Same projects and start years as the scenario file." }));
      return;
    }
    const list = el("ul", { className: "changes", "aria-label": "Changes against the scenario file" });
    if (ins.length) list.append(el("li", { dataset: { change: "in" } }, el("strong", { text: "In: " }), ins.join(", ")));
    if (outs.length) list.append(el("li", { dataset: { change: "out" } }, el("strong", { text: "Out: " }), outs.join(", ")));
    if (moved.length) {
      list.append(el("li", { dataset: { change: "moved" } }, el("strong", { text: "Moved: " }),
        moved.map((m) => m.id + " " + m.from + " → " + m.to).join(", ")));
    }
    box.append(el("p", { text: "Against the scenario file:" }), list);
  }

  function chartBox(id, node, summary) {
    const box = $(id);
    clear(box);
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", summary);
    node.prepend(svg("title", {}, summary));
    box.append(node);
  }

  function drawGantt(doc) {
    const [y0, y1] = scenario.horizon;
    const sel = doc.portfolio.selected || [];
    const windows = new Map((scenario.candidates || []).map((c) => [c.id, c]));
    const W = 640, left = 150, right = 12, rowH = 22, top = 8, axis = 22;
    const H = top + Math.max(sel.length, 1) * rowH + axis;
    const span = y1 + 1 - y0;
    const x = (year) => left + (W - left - right) * (year - y0) / span;
    const g = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "gantt", preserveAspectRatio: "xMinYMin meet" });
    for (let y = y0; y <= y1 + 1; y++) {
      g.append(svg("line", { x1: x(y), x2: x(y), y1: top, y2: H - axis, class: "grid" }));
      if (y <= y1) g.append(svg("text", { x: x(y + 0.5), y: H - 6, "text-anchor": "middle", class: "tick" }, y));
    }
    sel.forEach((s, i) => {
      const yy = top + i * rowH;
      const w = windows.get(s.id);
      if (w && w.earliest_start !== undefined && w.latest_finish !== undefined) {
        const a = Math.max(w.earliest_start, y0), b = Math.min(w.latest_finish, y1);
        g.append(svg("rect", { x: x(a), y: yy + 3, width: Math.max(0, x(b + 1) - x(a)), height: rowH - 6, class: "window" }));
      }
      g.append(svg("text", { x: left - 6, y: yy + rowH / 2 + 4, "text-anchor": "end", class: "label" }, s.id));
      const bar = svg("rect", { x: x(s.start), y: yy + 5, width: Math.max(2, x(s.finish + 1) - x(s.start)),
        height: rowH - 10, rx: 3, fill: PALETTE[i % PALETTE.length], "data-id": s.id });
      bar.append(svg("title", {}, s.id + ": " + s.start + "–" + s.finish));
      g.append(bar);
    });
    chartBox("gantt-box", g, sel.length
      ? "Schedule, " + y0 + " to " + y1 + ": " + sel.map((s) => s.id + " " + s.start + "–" + s.finish).join("; ")
      : "Schedule: no project chosen");
  }

  function drawSpend(doc) {
    const [y0, y1] = scenario.horizon;
    const spend = doc.portfolio.spend || {};
    const caps = doc.year_caps || scenario.year_caps || {};
    const partners = scenario.partners ||
      Object.keys(Object.values(spend)[0] || {}).filter((k) => k !== "total").sort();
    const years = [];
    for (let y = y0; y <= y1; y++) years.push(String(y));
    let top = 0;
    for (const y of years) {
      top = Math.max(top, (spend[y] && spend[y].total) || 0);
      if (caps[y] !== null && caps[y] !== undefined) top = Math.max(top, caps[y]);
    }
    top = top > 0 ? top * 1.08 : 1;
    const W = 640, left = 52, right = 10, topPad = 10, axis = 40, H = 230;
    const plotH = H - topPad - axis;
    const bw = (W - left - right) / years.length;
    const yv = (v) => topPad + plotH * (1 - v / top);
    const g = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "spend", preserveAspectRatio: "xMinYMin meet" });
    for (let k = 0; k <= 4; k++) {
      const v = top * k / 4;
      g.append(svg("line", { x1: left, x2: W - right, y1: yv(v), y2: yv(v), class: "grid" }));
      g.append(svg("text", { x: left - 4, y: yv(v) + 4, "text-anchor": "end", class: "tick" }, Math.round(v)));
    }
    const summary = [];
    years.forEach((y, i) => {
      const x = left + i * bw;
      const s = spend[y] || {};
      let base = 0;
      const parts = partners.length ? partners : ["total"];
      parts.forEach((p, k) => {
        const v = s[p] || 0;
        if (v > 0) {
          const r = svg("rect", { x: x + bw * 0.15, y: yv(base + v), width: bw * 0.7, height: yv(base) - yv(base + v),
            fill: partners.length ? PARTNER_COLOURS[k % PARTNER_COLOURS.length] : PALETTE[0], "data-year": y });
          r.append(svg("title", {}, y + " " + p + ": " + money(v)));
          g.append(r);
        }
        base += v;
      });
      const cap = caps[y];
      if (cap !== null && cap !== undefined && cap <= top) {
        g.append(svg("line", { x1: x + bw * 0.05, x2: x + bw * 0.95, y1: yv(cap), y2: yv(cap), class: "cap", "data-year": y }));
      }
      g.append(svg("text", { x: x + bw / 2, y: H - axis + 16, "text-anchor": "middle", class: "tick" }, y));
      summary.push(y + " " + money(s.total || 0) + (cap === null || cap === undefined ? "" : " of " + money(cap)));
    });
    if (partners.length) {
      partners.forEach((p, k) => {
        const lx = left + k * 90;
        g.append(svg("rect", { x: lx, y: H - 14, width: 10, height: 10, fill: PARTNER_COLOURS[k % PARTNER_COLOURS.length] }));
        g.append(svg("text", { x: lx + 14, y: H - 5, class: "tick" }, p));
      });
    }
    chartBox("spend-box", g, "Spend per year against its cap: " + summary.join("; "));
  }

  function drawPartners(doc) {
    const tbody = $("partner-values").tBodies[0];
    clear(tbody);
    const costs = doc.portfolio.partner_costs || {};
    for (const p of scenario.partners) {
      const v = doc.partners && doc.partners[p] ? doc.partners[p].value : null;
      const cost = costs[p];
      const tr = el("tr", { dataset: { partner: p } },
        el("th", { scope: "row", text: p }),
        el("td", { className: "num value", text: num(v) }),
        el("td", { className: "num", text: lastBargain && lastBargain.ideal ? num(lastBargain.ideal[p]) : "–" }),
        el("td", { className: "num", text: lastBargain && lastBargain.disagreement ? num(lastBargain.disagreement[p]) : "–" }),
        el("td", { className: "num", text: cost ? money(cost.cost) + " (" + pct(cost.share, 0) + ")" : "–" }));
      tbody.append(tr);
    }
  }

  // fresh: the frontier answered for the current settings (else redrawn for a new current portfolio).
  function drawPareto(doc, fresh) {
    const box = $("pareto-box");
    if (fresh) {
      box.classList.remove("computing");
      box.dataset.state = "done";
    }
    const [px, py] = doc.partners;
    const front = (doc.frontier || []).map((f) => ({ x: f.values[px], y: f.values[py] }));
    const current = last && last.partners && last.partners[px] && last.partners[py]
      ? { x: last.partners[px].value, y: last.partners[py].value } : null;
    const pts = front.concat(current ? [current] : []);
    if (doc.ideal) pts.push({ x: doc.ideal[px], y: doc.ideal[py] });
    if (!pts.length) {
      clear(box);
      $("pareto-caption").textContent = "No portfolio on the Pareto frontier.";
      return;
    }
    let [xa, xb] = [Math.min(...pts.map((p) => p.x)), Math.max(...pts.map((p) => p.x))];
    let [ya, yb] = [Math.min(...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y))];
    const padX = Math.max((xb - xa) * 0.12, 0.5), padY = Math.max((yb - ya) * 0.12, 0.5);
    xa -= padX; xb += padX; ya -= padY; yb += padY;
    const W = 400, H = 300, left = 52, bottom = 38, topPad = 12, right = 14;
    const X = (v) => left + (W - left - right) * (v - xa) / (xb - xa);
    const Y = (v) => topPad + (H - topPad - bottom) * (1 - (v - ya) / (yb - ya));
    const g = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "pareto", preserveAspectRatio: "xMinYMin meet" });
    for (let k = 0; k <= 4; k++) {
      const vx = xa + (xb - xa) * k / 4, vy = ya + (yb - ya) * k / 4;
      g.append(svg("line", { x1: X(vx), x2: X(vx), y1: topPad, y2: H - bottom, class: "grid" }));
      g.append(svg("line", { x1: left, x2: W - right, y1: Y(vy), y2: Y(vy), class: "grid" }));
      g.append(svg("text", { x: X(vx), y: H - bottom + 14, "text-anchor": "middle", class: "tick" }, num(vx, 1)));
      g.append(svg("text", { x: left - 4, y: Y(vy) + 4, "text-anchor": "end", class: "tick" }, num(vy, 1)));
    }
    g.append(svg("text", { x: (left + W - right) / 2, y: H - 6, "text-anchor": "middle", class: "axis" }, px + "'s value"));
    g.append(svg("text", { x: 12, y: (topPad + H - bottom) / 2, "text-anchor": "middle", class: "axis",
      transform: "rotate(-90 12 " + (topPad + H - bottom) / 2 + ")" }, py + "'s value"));
    const sorted = front.slice().sort((a, b) => a.x - b.x);
    if (sorted.length > 1) {
      g.append(svg("polyline", { points: sorted.map((p) => X(p.x) + "," + Y(p.y)).join(" "), class: "frontier" }));
    }
    for (const p of front) {
      const c = svg("circle", { cx: X(p.x), cy: Y(p.y), r: 4, class: "point", "data-point": "frontier" });
      c.append(svg("title", {}, px + " " + num(p.x) + ", " + py + " " + num(p.y)));
      g.append(c);
    }
    if (doc.ideal) {
      g.append(svg("rect", { x: X(doc.ideal[px]) - 4, y: Y(doc.ideal[py]) - 4, width: 8, height: 8, class: "ideal", "data-mark": "ideal" }));
      g.append(svg("text", { x: X(doc.ideal[px]) - 7, y: Y(doc.ideal[py]) - 7, "text-anchor": "end", class: "mark-label" }, "ideal"));
    }
    // Solutions that coincide share one label ("Nash, balanced").
    const sols = doc.solutions || {};
    const labels = new Map();
    const shapes = { joint: "#1a5fb4", nash: "#c01c28", balanced: "#26a269" };
    const summary = [];
    for (const k of ["joint", "nash", "balanced"]) {
      const s = sols[k];
      if (!s || !s.values) continue;
      const key = s.values[px].toFixed(6) + ":" + s.values[py].toFixed(6);
      if (!labels.has(key)) labels.set(key, { x: s.values[px], y: s.values[py], names: [] });
      labels.get(key).names.push(k);
      const m = svg("circle", { cx: X(s.values[px]), cy: Y(s.values[py]), r: 8 - 2 * labels.get(key).names.length + 2,
        fill: "none", stroke: shapes[k], "stroke-width": 2.5, "data-mark": k });
      m.append(svg("title", {}, k + ": " + px + " " + num(s.values[px]) + ", " + py + " " + num(s.values[py])));
      g.append(m);
      summary.push(k + " " + px + " " + num(s.values[px], 1) + ", " + py + " " + num(s.values[py], 1));
    }
    for (const l of labels.values()) {
      const onRight = X(l.x) > W * 0.7;
      g.append(svg("text", { x: X(l.x) + (onRight ? -10 : 10), y: Y(l.y) + 16, "text-anchor": onRight ? "end" : "start",
        class: "mark-label" }, l.names.join(", ")));
    }
    if (current) {
      const d = 7, cx = X(current.x), cy = Y(current.y);
      const star = svg("polygon", { points: [cx, cy - d, cx + d, cy, cx, cy + d, cx - d, cy].join(" "), class: "current", "data-mark": "current" });
      star.append(svg("title", {}, "this portfolio: " + px + " " + num(current.x) + ", " + py + " " + num(current.y)));
      g.append(star);
      g.append(svg("text", { x: cx - 10, y: cy + 18, "text-anchor": "end", class: "mark-label" }, "this portfolio"));
      summary.push("this portfolio " + px + " " + num(current.x, 1) + ", " + py + " " + num(current.y, 1));
    }
    // How complete the frontier is, in the words of coprod bargain's note.
    const how = doc.exact !== false ? "" : doc.spacing != null ? " (coarse: within the grid's spacing)"
      : " (not proven complete: coprod bargain's note says why)";
    chartBox("pareto-box", g, "Pareto frontier of " + px + "'s and " + py + "'s values, " + front.length +
      " portfolios" + how + "; " + summary.join("; "));
    $("pareto-caption").textContent = "Pareto frontier: " + front.length + " portfolios neither partner can improve on " +
      "without the other losing" + how +
      ". Circles: joint (blue), Nash (red), balanced (green); diamond: this portfolio; square: each partner's ideal.";
    if (last) drawPartners(last);
  }

  // Flip marks: where along each slider the top candidate and the portfolio change.
  function drawFlips(doc) {
    document.body.dataset.flips = "done";
    for (const [id, c] of controls.weights) {
      clear(c.marks);
      const f = doc.criteria ? doc.criteria[id] : null;
      if (!f) { c.flipText.textContent = ""; continue; }
      const max = f.slider_max || c.max;
      const texts = [];
      for (const kind of ["top", "portfolio"]) {
        const iv = f[kind];
        if (!iv) continue;
        const [lo, hi] = iv;
        const what = kind === "top" ? "the top candidate" : "the portfolio";
        const band = el("div", { className: "band", dataset: { kind } });
        const a = Number.isFinite(lo) ? Math.max(lo, 0) : 0, b = Number.isFinite(hi) ? Math.min(hi, max) : max;
        place(band, a / max, "left");
        band.style.width = "calc((100% - 16px) * " + Math.max(0, (b - a) / max) + ")";
        c.marks.append(band);
        texts.push(what + " stays " + (kind === "top" && f.leader ? f.leader + " " : "") +
          "from " + num(lo) + " to " + (Number.isFinite(hi) ? num(hi) : "any weight"));
        if (Number.isFinite(lo) && lo > 0) c.marks.append(mark(kind, "lo", lo, max, flipTitle(kind, "below", lo, f)));
        if (Number.isFinite(hi) && hi < max) c.marks.append(mark(kind, "hi", hi, max, flipTitle(kind, "above", hi, f)));
      }
      c.flipText.textContent = texts.length ? "Flip points: " + texts.join("; ") + "." : "";
    }
  }

  function place(node, fraction, prop) {
    // The range's thumb (16 px) travels 100 % - 16 px, starting 8 px in.
    node.style[prop] = "calc(8px + (100% - 16px) * " + fraction.toFixed(5) + ")";
  }

  function flipTitle(kind, side, at, f) {
    if (kind === "top") {
      const other = side === "below" ? f.leader_below : f.leader_above;
      return "At " + num(at) + " the top candidate changes" + (other ? " to " + other : "") +
        " (" + side + " this weight)";
    }
    const ch = side === "below" ? f.change_below : f.change_above;
    let what = "";
    if (ch && (ch.in || ch.out)) {
      const bits = [];
      if (ch.in && ch.in.length) bits.push("in: " + ch.in.join(", "));
      if (ch.out && ch.out.length) bits.push("out: " + ch.out.join(", "));
      what = bits.length ? " (" + bits.join("; ") + ")" : "";
    }
    return "At " + num(at) + " the portfolio changes " + side + " this weight" + what;
  }

  function mark(kind, edge, at, max, title) {
    const m = el("div", { className: "flip", role: "img", title, "aria-label": title,
      dataset: { kind, edge, value: String(at) } });
    place(m, at / max, "left");
    return m;
  }

  // ---------------------------------------------------------------- buttons

  async function saveWeights() {
    const weights = {};
    for (const [id, c] of controls.weights) {
      const x = numberOr(c.number);
      if (x !== null && x !== savedRaw[id]) weights[id] = x;
    }
    if (!Object.keys(weights).length) {
      actionStatus("Nothing to save: the weights are those of the criteria file.", "info");
      return;
    }
    const button = $("save-weights");
    button.disabled = true;
    actionStatus("Saving the weights…", "busy");
    try {
      const doc = await (await api("/api/save-weights", { weights })).json();
      Object.assign(savedRaw, doc.saved || weights);
      actionStatus("Saved to " + doc.path + ": " + Object.entries(doc.saved || weights)
        .map(([k, v]) => k + " = " + v).join(", ") + ".", "ok");
    } catch (err) {
      actionStatus("Not saved: " + err.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  function filename(response, fallback) {
    const cd = response.headers.get("Content-Disposition") || "";
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
    return m ? decodeURIComponent(m[1]) : fallback;
  }

  function save(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name, className: "sr-only" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function download(what, format, button) {
    button.disabled = true;
    actionStatus("Preparing the " + what + " (" + format + ")…", "busy");
    try {
      const r = await api("/api/export?what=" + encodeURIComponent(what) + "&format=" + encodeURIComponent(format), settings());
      const name = filename(r, what + "." + format);
      save(await r.blob(), name);
      actionStatus("Downloaded " + name + ".", "ok");
    } catch (err) {
      actionStatus("Download failed: " + err.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  async function briefing() {
    const button = $("report");
    button.disabled = true;
    const t0 = performance.now();
    const tick = () => actionStatus("Writing the briefing for the current settings (up to a minute)… " +
      Math.round((performance.now() - t0) / 1000) + " s", "busy");
    tick();
    const timer = setInterval(tick, 1000);
    try {
      const r = await api("/api/report", settings());
      const name = filename(r, "briefing.html");
      save(await r.blob(), name);
      actionStatus("Downloaded " + name + " (" + Math.round((performance.now() - t0) / 1000) + " s).", "ok");
    } catch (err) {
      actionStatus("Briefing failed: " + err.message, "error");
    } finally {
      clearInterval(timer);
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------- start

  async function start() {
    try {
      const doc = await (await api("/api/scenario")).json();
      build(doc);
    } catch (err) {
      setStatus("Cannot load the scenario: " + err.message, "error");
      return;
    }
    changed();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
