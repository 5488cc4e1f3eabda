// sitrep web map: events on an offline base map (world-atlas countries),
// a time histogram with a range, filters, and a side panel with the claims,
// sources and evidence sentences of a clicked event, and the control
// timeline of its place. Talks only to this server's /api.
/* global L, topojson */
"use strict";

(function () {
  const COLORS = {
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#e67e22",
    "Violence against civilians": "#8e44ad",
    "Protests": "#2980b9",
    "Riots": "#d4ac0d",
    "Strategic developments": "#16a085",
    "Displacement": "#7f8c8d",
  };
  const MAX_BINS = 80;
  const DAY = 86400000;

  const $ = (id) => document.getElementById(id);
  const state = { events: [], bins: [], binDays: 1, t0: 0, markers: new Map(), groups: new Map() };

  // ---- small DOM helpers (text only: no data goes through innerHTML) ----
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === "class") e.className = v;
      else if (k === "onclick") e.addEventListener("click", v);
      else if (k === "style") e.style.cssText = v;
      else e.setAttribute(k, v);
    }
    for (const k of kids.flat()) {
      if (k === undefined || k === null || k === false) continue;
      e.appendChild(typeof k === "string" || typeof k === "number" ? document.createTextNode(String(k)) : k);
    }
    return e;
  }
  function status(msg) { $("status").textContent = msg; }
  function safeClass(id) { return "ev-" + String(id).replace(/[^A-Za-z0-9_-]/g, "_"); }
  function color(t) { return COLORS[t] || "#555"; }
  function radius(f) { return Math.min(26, 5 + 2.2 * Math.sqrt(Math.max(0, f || 0))); }
  function dayNum(s) { const t = Date.parse(s + "T00:00:00Z"); return isNaN(t) ? null : Math.floor(t / DAY); }
  function dayStr(n) { return new Date(n * DAY).toISOString().slice(0, 10); }
  function dateLabel(d) {
    if (!d || !d.start) return "date unknown";
    const span = d.end && d.end !== d.start ? d.start + " – " + d.end : d.start;
    return span + " (" + d.precision + ")";
  }

  async function api(path) {
    const r = await fetch(path, { headers: { Accept: "application/json" } });
    let body = null;
    try { body = await r.json(); } catch (_) { body = null; }
    if (!r.ok) {
      const msg = body && body.error ? body.error.message : r.status + " " + r.statusText;
      const err = new Error(msg);
      err.status = r.status;
      throw err;
    }
    return body;
  }

  // ---- map ----
  const map = L.map("map", { zoomSnap: 0.5, worldCopyJump: false, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Countries: Natural Earth via world-atlas");
  map.setView([30, 30], 3);
  const eventLayer = L.layerGroup().addTo(map);

  async function loadBaseMap() {
    const r = await fetch("/assets/countries-50m.json");
    const topo = await r.json();
    const land = topojson.feature(topo, topo.objects.countries);
    L.geoJSON(land, {
      interactive: false,
      style: { color: "#8a9aa8", weight: 0.7, fillColor: "#f1efe6", fillOpacity: 1 },
    }).addTo(map);
  }

  async function loadEvents() {
    let out = [];
    let offset = 0;
    let source = "";
    for (;;) {
      const page = await api("/api/events?limit=5000&offset=" + offset);
      out = out.concat(page.events);
      source = page.source;
      if (page.next_offset === null || page.next_offset === undefined) break;
      offset = page.next_offset;
    }
    state.events = out;
    state.source = source;
  }

  // Events at the same point are spread on a ring (in pixels) so each
  // stays clickable; the ring is recomputed on zoom.
  function placeMarkers() {
    for (const group of state.groups.values()) {
      const base = map.project(group.latlng);
      const n = group.members.length;
      const circumference = group.members.reduce((s, m) => s + 2 * m.options.radius + 3, 0);
      const R = n === 1 ? 0 : Math.max(14, circumference / (2 * Math.PI));
      group.members.forEach((m, i) => {
        const a = (2 * Math.PI * i) / n - Math.PI / 2;
        const p = base.add(L.point(R * Math.cos(a), R * Math.sin(a)));
        m.setLatLng(map.unproject(p));
      });
    }
  }

  function drawMarkers() {
    eventLayer.clearLayers();
    state.markers.clear();
    state.groups.clear();
    const visible = filtered();
    const located = visible.filter((e) => e.location && e.location.lat !== null && e.location.lon !== null);
    // Big circles first so small ones stay on top.
    located.sort((a, b) => radius(b.fatalities) - radius(a.fatalities));
    for (const e of located) {
      const ll = L.latLng(e.location.lat, e.location.lon);
      const m = L.circleMarker(ll, {
        radius: radius(e.fatalities),
        color: "#1d232a",
        weight: 1,
        fillColor: color(e.event_type),
        fillOpacity: 0.85,
        className: "ev " + safeClass(e.id),
      });
      m.bindTooltip(e.sub_event_type + " — " + (e.location.name || "") + ", " + dateLabel(e.date));
      m.on("click", () => showEvent(e.id));
      m.addTo(eventLayer);
      state.markers.set(e.id, m);
      const key = ll.lat.toFixed(4) + "," + ll.lng.toFixed(4);
      if (!state.groups.has(key)) state.groups.set(key, { latlng: ll, members: [] });
      state.groups.get(key).members.push(m);
    }
    placeMarkers();
    drawList(visible);
    drawHistogram();
    status(visible.length + " of " + state.events.length + " " + (state.source || "") + " events"
      + (visible.length > located.length ? " (" + (visible.length - located.length) + " without coordinates)" : ""));
  }
  map.on("zoomend", placeMarkers);

  // ---- filters ----
  function filtered() {
    const type = $("f-type").value;
    const actor = $("f-actor").value.trim().toLowerCase();
    const place = $("f-place").value.trim().toLowerCase();
    const minSources = parseInt($("f-sources").value, 10) || 0;
    const lo = state.t0 + parseInt($("t-from").value, 10) * state.binDays;
    const hi = state.t0 + (parseInt($("t-to").value, 10) + 1) * state.binDays - 1;
    return state.events.filter((e) => {
      if (type && e.event_type !== type && e.sub_event_type !== type) return false;
      if (e.n_sources < minSources) return false;
      if (actor) {
        const names = [e.actor1, e.actor2].filter(Boolean).map((a) => (a.name + " " + (a.id || "")).toLowerCase());
        if (!names.some((n) => n.includes(actor))) return false;
      }
      if (place) {
        const l = e.location;
        if (!l) return false;
        const hay = [l.name, l.text, l.admin1, String(l.geonames_id || "")].join(" ").toLowerCase();
        if (!hay.includes(place)) return false;
      }
      if (state.bins.length) {
        const s = e.date && e.date.start ? dayNum(e.date.start) : null;
        if (s === null) return true;
        const en = e.date.end ? dayNum(e.date.end) : s;
        if (en < lo || s > hi) return false;
      }
      return true;
    });
  }

  function fillTypes() {
    const sel = $("f-type");
    const types = [...new Set(state.events.map((e) => e.event_type))].sort();
    for (const t of types) sel.appendChild(el("option", { value: t }, t));
    const legend = $("legend");
    legend.textContent = "";
    for (const t of types) legend.appendChild(el("span", {}, el("span", { class: "dot", style: "background:" + color(t) }), t));
    legend.appendChild(el("span", { class: "hint" }, "size: fatalities"));
  }

  // ---- time histogram ----
  function setupTime() {
    const days = state.events.map((e) => (e.date && e.date.start ? dayNum(e.date.start) : null)).filter((d) => d !== null);
    if (!days.length) { state.bins = []; return; }
    const min = Math.min(...days);
    const max = Math.max(...days);
    state.binDays = Math.max(1, Math.ceil((max - min + 1) / MAX_BINS));
    state.t0 = min;
    const n = Math.floor((max - min) / state.binDays) + 1;
    state.bins = new Array(n).fill(0);
    for (const d of days) state.bins[Math.floor((d - min) / state.binDays)] += 1;
    for (const id of ["t-from", "t-to"]) { $(id).max = String(n - 1); }
    $("t-from").value = "0";
    $("t-to").value = String(n - 1);
  }

  function drawHistogram() {
    const svg = $("hist");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const n = state.bins.length;
    const from = parseInt($("t-from").value, 10);
    const to = parseInt($("t-to").value, 10);
    if (n) {
      $("t-label").textContent = dayStr(state.t0 + from * state.binDays) + " → "
        + dayStr(state.t0 + (to + 1) * state.binDays - 1) + (state.binDays > 1 ? " (" + state.binDays + "-day bars)" : "");
    }
    if (!n) return;
    const w = svg.clientWidth || 800;
    const h = svg.clientHeight || 70;
    const peak = Math.max(...state.bins, 1);
    const bw = w / n;
    const ns = "http://www.w3.org/2000/svg";
    state.bins.forEach((c, i) => {
      if (!c) return;
      const bh = Math.max(2, (h - 4) * (c / peak));
      const r = document.createElementNS(ns, "rect");
      r.setAttribute("x", String(i * bw + 0.5));
      r.setAttribute("y", String(h - bh));
      r.setAttribute("width", String(Math.max(1, bw - 1)));
      r.setAttribute("height", String(bh));
      r.setAttribute("class", "bar" + (i < from || i > to ? " out" : ""));
      const t = document.createElementNS(ns, "title");
      t.textContent = dayStr(state.t0 + i * state.binDays) + ": " + c + " event(s)";
      r.appendChild(t);
      svg.appendChild(r);
    });
  }

  function onRange(ev) {
    const f = $("t-from");
    const t = $("t-to");
    if (parseInt(f.value, 10) > parseInt(t.value, 10)) {
      if (ev.target === f) t.value = f.value; else f.value = t.value;
    }
    drawMarkers();
  }

  // ---- list and panel ----
  function drawList(events) {
    const list = $("list");
    if (!list) return;
    list.textContent = "";
    const sorted = [...events].sort((a, b) => String(a.date.start).localeCompare(String(b.date.start)));
    for (const e of sorted) {
      list.appendChild(el("li", { onclick: () => showEvent(e.id), "data-id": e.id },
        el("span", { class: "dot", style: "background:" + color(e.event_type) }),
        (e.date.start || "?") + " · " + e.sub_event_type + " · " + (e.location ? e.location.name : "no place"),
        e.fatalities ? " · " + Math.round(e.fatalities) + " dead" : ""));
    }
  }

  function listView() {
    const body = $("panel-body");
    body.textContent = "";
    body.appendChild(el("h2", {}, "Events"));
    body.appendChild(el("p", { class: "hint" }, "Click a dot on the map (or an event below) to see its claims, sources and evidence sentences."));
    body.appendChild(el("div", { id: "legend" }));
    body.appendChild(el("ol", { id: "list" }));
    const types = [...new Set(state.events.map((e) => e.event_type))].sort();
    for (const t of types) $("legend").appendChild(el("span", {}, el("span", { class: "dot", style: "background:" + color(t) }), t));
    drawList(filtered());
    if (location.hash) history.replaceState(null, "", location.pathname);
  }

  function valueText(v) {
    if (v === null || v === undefined) return "—";
    if (typeof v !== "object") return String(v);
    if ("best" in v || "low" in v) {
      const r = [v.low, v.high].filter((x) => x !== null && x !== undefined);
      return String(v.best ?? v.low ?? "?") + (r.length === 2 && v.low !== v.high ? " (" + v.low + "–" + v.high + ")" : "");
    }
    if ("start" in v) return v.start === v.end || !v.end ? String(v.start) : v.start + " – " + v.end;
    if ("name" in v) return String(v.name);
    return JSON.stringify(v);
  }

  // The sentence with the claimed values marked.
  function highlighted(text, needles) {
    const q = el("span", { class: "sentence" });
    const marks = [];
    const lower = text.toLowerCase();
    for (const n of needles) {
      if (!n || n.length < 2) continue;
      let i = lower.indexOf(n.toLowerCase());
      while (i >= 0) { marks.push([i, i + n.length]); i = lower.indexOf(n.toLowerCase(), i + n.length); }
    }
    marks.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let at = 0;
    for (const [s, e] of marks) {
      if (s < at) continue;
      q.appendChild(document.createTextNode(text.slice(at, s)));
      q.appendChild(el("mark", {}, text.slice(s, e)));
      at = e;
    }
    q.appendChild(document.createTextNode(text.slice(at)));
    return q;
  }

  async function showEvent(id) {
    const body = $("panel-body");
    body.textContent = "";
    body.removeAttribute("data-briefing");
    body.appendChild(el("p", {}, "Loading…"));
    let e;
    try {
      e = await api("/api/events/" + encodeURIComponent(id));
    } catch (err) {
      body.textContent = "";
      body.appendChild(el("p", { class: "back" }, el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); listView(); } }, "← all events")));
      body.appendChild(el("p", {}, "Could not load event: " + err.message));
      return;
    }
    history.replaceState(null, "", "#event=" + encodeURIComponent(id));
    const m = state.markers.get(id);
    if (state.selected) state.selected.setStyle({ weight: 1, color: "#1d232a" });
    state.selected = m || null;
    if (m) { m.setStyle({ weight: 3, color: "#ffd400" }); m.bringToFront(); }
    body.textContent = "";
    body.setAttribute("data-event", e.id);
    body.appendChild(el("p", { class: "back" }, el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); listView(); } }, "← all events")));
    body.appendChild(el("h2", {}, el("span", { class: "dot", style: "background:" + color(e.event_type) }), e.sub_event_type));
    body.appendChild(el("p", {}, e.summary));
    const loc = e.location;
    const dl = el("dl", { class: "meta" });
    const row = (k, v) => { if (v !== null && v !== undefined && v !== "") dl.append(el("dt", {}, k), el("dd", {}, v)); };
    row("Type", e.event_type + " / " + e.sub_event_type);
    row("Date", dateLabel(e.date));
    if (loc) row("Place", [loc.name, loc.admin1, loc.country_code].filter(Boolean).join(", ") + (loc.text && loc.text !== loc.name ? " (written “" + loc.text + "”)" : "") + " · " + loc.precision);
    row("Actor 1", e.actor1 ? e.actor1.name + (e.actor1.kind ? " (" + e.actor1.kind + ")" : "") : "");
    row("Actor 2", e.actor2 ? e.actor2.name + (e.actor2.kind ? " (" + e.actor2.kind + ")" : "") : "");
    row("Fatalities", e.fatalities ? valueText(e.fatalities) : "none reported");
    row("Modality", e.modality);
    if (e.confidence !== null && e.confidence !== undefined) row("Confidence", e.confidence.toFixed(2));
    row("Reports", String(e.reports.length));
    body.appendChild(dl);

    body.appendChild(el("h3", {}, "Sources (" + e.sources.length + ")"));
    body.appendChild(el("div", { class: "sources" }, e.sources.map((s) => el("span", { class: "chip" }, s))));
    if (e.flags && e.flags.length) {
      body.appendChild(el("h3", {}, "Flags"));
      body.appendChild(el("div", {}, e.flags.map((f) => el("span", { class: "chip flag", title: f.detail || "" }, f.kind || JSON.stringify(f)))));
    }

    // Evidence: each sentence once, with who relies on it and the claimed
    // values marked.
    body.appendChild(el("h3", {}, "Evidence"));
    const seen = new Map();
    for (const c of e.claims) {
      for (const x of c.evidence || []) {
        const k = x.doc + ":" + x.byte_start;
        if (!seen.has(k)) seen.set(k, { x, sources: new Set(), needles: new Set() });
        const s = seen.get(k);
        s.sources.add(c.source);
        if (c.text) s.needles.add(c.text);
      }
    }
    for (const x of e.evidence || []) {
      const k = x.doc + ":" + x.byte_start;
      if (!seen.has(k)) seen.set(k, { x, sources: new Set(), needles: new Set() });
    }
    for (const { x, sources, needles } of seen.values()) {
      if (!x.text) continue;
      body.appendChild(el("blockquote", { class: "evidence", "data-doc": x.doc },
        highlighted(x.text, [...needles]),
        el("span", { class: "src" }, x.doc + (sources.size ? " · " + [...sources].join(", ") : ""))));
    }

    body.appendChild(el("h3", {}, "Claims (" + e.claims.length + ")"));
    const table = el("table", { class: "claims" },
      el("thead", {}, el("tr", {}, el("th", {}, "field"), el("th", {}, "value"), el("th", {}, "source"), el("th", {}, "via"))));
    const tb = el("tbody");
    for (const c of e.claims) {
      tb.appendChild(el("tr", {},
        el("td", {}, c.field),
        el("td", {}, valueText(c.value) + (c.text && c.text !== valueText(c.value) ? " “" + c.text + "”" : "")),
        el("td", { class: "claim-source" }, c.source),
        el("td", {}, (c.chain || []).join(" → "))));
    }
    table.appendChild(tb);
    body.appendChild(table);

    if (loc && loc.geonames_id) {
      body.appendChild(el("h3", {}, "Place"));
      const box = el("div", { id: "place-view" });
      const control = el("div", { id: "control-view" });
      box.appendChild(el("button", { type: "button", id: "control-button", onclick: () => showControl(loc.geonames_id, loc.name, control) }, "Control timeline of " + loc.name));
      box.appendChild(document.createTextNode(" "));
      box.appendChild(el("button", { type: "button", id: "briefing-button", onclick: () => showBriefing(loc.geonames_id, loc.name, id) },
        "Briefing"));
      const range = timeRange();
      box.appendChild(el("div", { class: "hint" }, "The briefing: a cited situation report of " + loc.name + (range ? " from " + range.from + " to " + range.to + " (the time range below)" : "") + "."));
      box.appendChild(control);
      body.appendChild(box);
    }
    if (m && map.getZoom() < 6) map.setView(m.getLatLng(), 6);
  }

  // The days the time range selects (null when there are no dated events).
  function timeRange() {
    if (!state.bins.length) return null;
    const lo = state.t0 + parseInt($("t-from").value, 10) * state.binDays;
    const hi = state.t0 + (parseInt($("t-to").value, 10) + 1) * state.binDays - 1;
    return { from: dayStr(lo), to: dayStr(hi) };
  }

  // ---- briefing view: a cited situation report of a place ----
  function refs(s) {
    return (s.notes || []).map((n) => el("sup", { class: "fn" }, el("a", { href: "#note-" + n, "data-note": String(n) }, "[" + n + "]")));
  }

  async function showBriefing(gid, name, fromEvent) {
    const body = $("panel-body");
    const range = timeRange();
    let q = "place=" + encodeURIComponent(gid);
    if (range) q += "&from=" + range.from + "&to=" + range.to;
    body.textContent = "";
    body.removeAttribute("data-briefing");
    body.appendChild(el("div", { class: "back" },
      el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); if (fromEvent) showEvent(fromEvent); else listView(); } }, "← back")));
    const box = el("div", { id: "briefing-view" }, "Loading the briefing of " + name + "…");
    body.appendChild(box);
    let b;
    try {
      b = await api("/api/briefing?" + q);
    } catch (err) {
      box.textContent = err.status === 501 ? "Briefings are not available on this server." : "Could not load the briefing: " + err.message;
      return;
    }
    box.textContent = "";
    box.appendChild(el("h2", {}, b.title));
    box.appendChild(el("p", { class: "hint" },
      b.counts.events + " event(s) from " + b.counts.reports + " report(s) and " + b.counts.sources.length + " independent source(s). ",
      el("a", { href: "/api/briefing?" + q + "&format=html", target: "_blank", rel: "noopener" }, "Open as a page"), " · ",
      el("a", { href: "/api/briefing?" + q + "&format=md", target: "_blank", rel: "noopener" }, "Markdown")));
    if (b.notice) box.appendChild(el("p", { class: "notice" }, b.notice));
    for (const sec of b.sections) {
      const part = el("section", { class: "brief-" + sec.id });
      part.appendChild(el("h3", {}, sec.title));
      for (const item of sec.items) {
        if (item.heading) part.appendChild(el("h4", {}, item.heading));
        const p = el("div", { class: "brief-item" });
        for (const s of item.sentences) {
          if (s.kind === "quote") {
            p.appendChild(el("blockquote", { class: "evidence brief-quote" }, el("span", { class: "sentence" }, s.text), refs(s)));
          } else {
            p.appendChild(el("span", { class: "brief-sentence" }, s.text, refs(s)));
            p.appendChild(document.createTextNode(" "));
          }
        }
        part.appendChild(p);
      }
      box.appendChild(part);
    }
    if (b.notes.length) {
      box.appendChild(el("h3", {}, "Sources"));
      const ol = el("ol", { id: "briefing-notes", class: "notes" });
      for (const n of b.notes) {
        ol.appendChild(el("li", { id: "note-" + n.n, value: String(n.n) },
          n.outlet + ", " + (n.published || "date unknown") + ": " + n.chain + ". ",
          el("span", { class: "hint" }, "Report " + n.doc)));
      }
      box.appendChild(ol);
    }
    body.setAttribute("data-briefing", String(gid));
    body.parentElement.scrollTop = 0;
  }

  async function showControl(gid, name, box) {
    box.textContent = "Loading…";
    let t;
    try {
      t = await api("/api/places/" + encodeURIComponent(gid) + "/control");
    } catch (err) {
      box.textContent = err.status === 501 ? "Control timelines are not available on this server." : "Could not load: " + err.message;
      return;
    }
    box.textContent = "";
    box.appendChild(el("p", {}, el("strong", {}, t.place || name)));
    const periods = t.periods || [];
    box.appendChild(el("div", { class: "hint" }, periods.length ? "Who held it (confirmed periods):" : "No confirmed change of control."));
    const ol = el("ol", { class: "timeline" });
    for (const p of periods) {
      const cls = /^government/.test(p.holder || "") ? "gov" : "ns";
      ol.appendChild(el("li", { class: cls },
        el("span", { class: "when" }, (p.from || "?") + " → " + (p.to || "…")), " ",
        p.holder + " (" + p.extent + ")", el("br"),
        el("span", { class: "hint" }, "confidence " + Number(p.confidence).toFixed(2) + " · " + (p.sources || []).map((s) => s.replace(/^outlet:/, "")).join(", "))));
    }
    box.appendChild(ol);
    const changes = t.changes || [];
    if (changes.length) {
      box.appendChild(el("div", { class: "hint" }, "Changes reported:"));
      const ul = el("ol", { class: "timeline" });
      for (const c of changes) {
        const when = c.date_start ? (c.date_end && c.date_end !== c.date_start ? c.date_start + "–" + c.date_end : c.date_start) : "undated";
        ul.appendChild(el("li", { class: /government/.test(c.kind || "") ? "gov" : "ns" },
          el("span", { class: "when" }, when + (c.late ? " (night)" : "")), " ", c.kind + ": " + c.holder + " (" + c.extent + ")",
          c.status ? el("span", { class: "chip" }, c.status) : null,
          el("br"), el("a", { href: "#", onclick: (ev) => { ev.preventDefault(); showEvent(c.fused); } }, "event " + c.fused)));
      }
      box.appendChild(ul);
    }
  }

  // ---- start ----
  async function start() {
    status("loading…");
    for (const id of ["f-type", "f-sources"]) $(id).addEventListener("change", drawMarkers);
    for (const id of ["f-actor", "f-place"]) $(id).addEventListener("input", drawMarkers);
    for (const id of ["t-from", "t-to"]) $(id).addEventListener("input", onRange);
    $("f-reset").addEventListener("click", () => {
      $("f-type").value = ""; $("f-actor").value = ""; $("f-place").value = ""; $("f-sources").value = "0";
      setupTime(); drawMarkers();
    });
    window.addEventListener("resize", drawHistogram);
    try {
      await loadBaseMap();
    } catch (err) {
      status("base map unavailable: " + err.message);
    }
    try {
      await loadEvents();
    } catch (err) {
      status("could not load events: " + err.message);
      return;
    }
    fillTypes();
    setupTime();
    drawMarkers();
    const pts = [...state.markers.values()].map((m) => m.getLatLng());
    if (pts.length) map.fitBounds(L.latLngBounds(pts).pad(0.4), { maxZoom: 7 });
    document.body.setAttribute("data-ready", "true");
    const h = /^#event=(.+)$/.exec(location.hash);
    if (h) showEvent(decodeURIComponent(h[1]));
  }
  start();
})();
