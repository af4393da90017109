// The Troupe dashboard: every page is read from the head's REST API (same origin, same bearer token).
"use strict";
const REFRESH_MS = 3000, METRICS_MS = 2000, HISTORY = 90;
let token = sessionStorage.getItem("troupe-token");
// A link may carry the token in its fragment (never sent to the server): #token=TOKEN or #token=TOKEN&page
if (location.hash.startsWith("#token=")) {
  const rest = location.hash.slice(7), amp = rest.indexOf("&");
  token = decodeURIComponent(amp < 0 ? rest : rest.slice(0, amp));
  sessionStorage.setItem("troupe-token", token);
  history.replaceState(null, "", location.pathname + "#" + (amp < 0 ? "cluster" : rest.slice(amp + 1)));
}
const $ = (s) => document.querySelector(s);
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const state = (s) => `<span class="state ${esc(s)}">${esc(s)}</span>`;
const num = (v) => (v === undefined || v === null) ? "-" : (Math.round(v * 100) / 100).toString();
const gib = (b) => (b / 1073741824).toFixed(1) + " GiB";

async function api(path, text) {
  const r = await fetch(path, { headers: token ? { Authorization: "Bearer " + token } : {} });
  if (r.status === 401) { $("#login").hidden = false; throw new Error("the REST API wants its token"); }
  if (!r.ok) throw new Error(path + ": HTTP " + r.status + " " + (await r.text()));
  return text ? r.text() : r.json();
}

function table(headers, rows) {
  if (rows.length === 0) return `<p class="muted">none</p>`;
  return `<table><thead><tr>${headers.map(h => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>` +
    rows.map(r => `<tr>${r.map(c => `<td>${c}</td>`).join("")}</tr>`).join("") + `</tbody></table>`;
}

function usage(total, avail, name) {
  const t = total[name] || 0;
  if (!t) return "-";
  const used = t - (avail[name] ?? t);
  const pct = Math.max(0, Math.min(100, 100 * used / t));
  const fmt = name === "memory" ? gib : num;
  return `<span class="bar"><span style="width:${pct}%"></span></span>${fmt(used)} / ${fmt(t)}`;
}

const pages = {
  async cluster() {
    const s = await api("/api/cluster/status");
    const custom = [...new Set(s.nodes.flatMap(n => Object.keys(n.resources_total || {})))]
      .filter(r => !["CPU", "GPU", "memory"].includes(r));
    let html = `<h2>Nodes (${s.nodes.filter(n => n.state === "ALIVE").length} alive)</h2>` + table(
      ["node", "state", "role", "address", "CPU", "GPU", "GPU ids", "memory", "other resources", "labels"],
      s.nodes.map(n => [esc(n.node_id), state(n.state), n.is_head ? "head" : "worker", esc(n.address),
        usage(n.resources_total, n.resources_available, "CPU"), usage(n.resources_total, n.resources_available, "GPU"),
        esc((n.gpu_ids || []).join(", ")), usage(n.resources_total, n.resources_available, "memory"),
        custom.map(r => n.resources_total[r] ? esc(r) + " " + usage(n.resources_total, n.resources_available, r) : "").join(" "),
        esc(Object.entries(n.labels || {}).map(([k, v]) => k + "=" + v).join(", ")) +
          (n.death_reason ? `<br><span class="muted">${esc(n.death_reason)}</span>` : "")]));
    const demands = (title, list) => list && list.length ? `<h2>${title}</h2>` +
      table(["demand"], list.map(d => [esc(JSON.stringify(d))])) : "";
    return html + demands("Pending demands", s.pending_demands) + demands("Infeasible demands", s.infeasible_demands);
  },

  async groups() {
    const groups = await api("/api/placement_groups");
    if (groups.length === 0) return `<h2>Placement groups</h2><p class="muted">none</p>`;
    return `<h2>Placement groups (${groups.length})</h2>` + groups.map(g => `
      <h2>${esc(g.name || g.placement_group_id)} ${state(g.state)}</h2>
      <p>id <code>${esc(g.placement_group_id)}</code> · strategy ${esc(g.strategy)} · epoch ${esc(g.epoch)}
      ${g.last_gang_restart ? ` · last gang restart: epoch ${esc(g.last_gang_restart.epoch)} at ${esc(g.last_gang_restart.at)} (${esc(g.last_gang_restart.cause)})` : " · no gang restarts"}
      ${g.reason ? `<br><span class="muted">${esc(g.reason)}</span>` : ""}</p>` +
      table(["bundle", "resources", "node", "GPU ids", "label selector"], g.bundles.map(b => [esc(b.index),
        esc(Object.entries(b.resources || {}).map(([k, v]) => k + " " + num(v)).join(", ")),
        esc(b.node_id ?? "-"), esc((b.gpu_ids || []).join(", ")),
        esc(Object.entries(b.label_selector || {}).map(([k, v]) => k + "=" + v).join(", "))]))).join("");
  },

  async actors() {
    const actors = await api("/api/actors");
    return `<h2>Actors (${actors.length})</h2>` + table(
      ["actor", "class", "name", "state", "node", "restarts", "resources", "death cause / pending"],
      actors.map(a => [esc(a.actor_id), esc(a.class_name), esc(a.name ?? "-"), state(a.state), esc(a.node_id ?? "-"),
        esc(a.num_restarts + " / " + a.max_restarts),
        esc(Object.entries(a.resources || {}).map(([k, v]) => k + " " + num(v)).join(", ")),
        esc(a.death_cause ?? a.pending_reason ?? "")]));
  },

  async serve() {
    const s = await api("/api/serve/applications/");
    const apps = Object.entries(s.applications || {});
    let html = `<h2>Serve (controller ${esc(s.controller_status)}, proxies ${esc(s.proxy_location ?? "-")})</h2>` +
      table(["proxy node", "host", "port", "status"], Object.values(s.proxies || {}).map(p =>
        [esc(p.node_id), esc(p.host), esc(p.port), state(p.status)]));
    if (apps.length === 0) return html + `<p class="muted">no applications</p>`;
    for (const [name, app] of apps) {
      html += `<h2>Application ${esc(name)} ${state(app.status)}</h2><p>route ${esc(app.route_prefix ?? "-")} ·
        ingress ${esc(app.ingress_deployment ?? "-")}${app.message ? ` · <span class="muted">${esc(app.message)}</span>` : ""}</p>`;
      for (const [dname, d] of Object.entries(app.deployments || {})) {
        html += `<p><b>${esc(dname)}</b> ${state(d.status)} · target ${esc(d.target_num_replicas)} replicas
          ${d.message ? ` · <span class="muted">${esc(d.message)}</span>` : ""}</p>` +
          table(["replica", "state", "node", "actor", "placement group", "version", "logs"], (d.replicas || []).map(r =>
            [esc(r.replica_id), state(r.state), esc(r.node_id ?? "-"), esc(r.actor_id ?? "-"),
             esc(r.placement_group_id ?? "-"), esc(r.version ?? "-"),
             `<a href="#logs?match=${encodeURIComponent(r.replica_id.replace(/[^A-Za-z0-9_#.-]/g, "_"))}">logs</a>`]));
      }
    }
    return html;
  },

  async metrics() {
    return `<h2>Metrics of the head node</h2><p class="muted">From the head's <code>/metrics</code> every
      ${METRICS_MS / 1000} s (its proxy, its replicas and engines); for every node use Prometheus and the Grafana
      dashboards in deploy/grafana.</p><div class="charts">` +
      CHARTS.map(c => `<div class="chart"><h3>${esc(c.title)}</h3><canvas id="chart-${c.id}" width="460" height="180"></canvas></div>`).join("") +
      `</div>`;
  },

  async logs(arg) {
    const params = new URLSearchParams(arg.startsWith("?") ? arg.slice(1) : "");
    if (params.get("file")) {
      return `<h2>${esc(params.get("node_id"))} · ${esc(params.get("file"))}</h2>
        <p class="muted">last 200 lines, then new lines as they are written</p><pre class="log" id="log-text"></pre>`;
    }
    const match = params.get("match") || "";
    const body = await api("/api/logs" + (match ? "?match=" + encodeURIComponent(match) : ""));
    return `<h2>Log files${match ? " matching " + esc(match) : ""}</h2>` + table(["node", "file", "size", "modified"],
      body.files.map(f => [esc(f.node_id), `<a href="#logs?node_id=${encodeURIComponent(f.node_id)}&file=${encodeURIComponent(f.file)}">${esc(f.file)}</a>`,
        esc(f.size), esc(new Date(f.modified_ms).toLocaleString())])) +
      Object.entries(body.errors || {}).map(([n, e]) => `<p class="muted">${esc(n)}: ${esc(e)}</p>`).join("");
  },
};

// ---- metrics history, kept while the dashboard is open
const CHARTS = [
  { id: "rps", title: "Requests per second by application", unit: "req/s" },
  { id: "p50", title: "Latency p50 by application (ms)", unit: "ms" },
  { id: "p99", title: "Latency p99 by application (ms)", unit: "ms" },
  { id: "errors", title: "Errors per second by application", unit: "req/s" },
  { id: "ttft", title: "LLM time to first token p50 by model (s)", unit: "s" },
  { id: "tokens", title: "LLM generated tokens per second by model", unit: "tok/s" },
];
const chartData = Object.fromEntries(CHARTS.map(c => [c.id, {}]));
let lastScrape = null;
function push(id, t, values) {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isFinite(v)) continue;
    (chartData[id][k] = chartData[id][k] || []).push([t, v]);
    if (chartData[id][k].length > HISTORY) chartData[id][k].shift();
  }
}
async function scrape() {
  try {
    const t = Date.now() / 1000, samples = Charts.parse(await api("/metrics", true));
    if (lastScrape) {
      const dt = Math.max(1e-3, t - lastScrape.t), rate = (name, label) => {
        const a = Charts.sumBy(lastScrape.samples, name, label), b = Charts.sumBy(samples, name, label), out = {};
        for (const k of Object.keys(b)) out[k] = Math.max(0, (b[k] - (a[k] || 0)) / dt);
        return out;
      };
      push("rps", t, rate("troupe_serve_num_http_requests_total", "application"));
      push("errors", t, rate("troupe_serve_num_http_error_requests_total", "application"));
      push("p50", t, Charts.quantile(0.5, lastScrape.samples, samples, "troupe_serve_http_request_latency_ms", "application"));
      push("p99", t, Charts.quantile(0.99, lastScrape.samples, samples, "troupe_serve_http_request_latency_ms", "application"));
      push("ttft", t, Charts.quantile(0.5, lastScrape.samples, samples, "troupe_llm_time_to_first_token_seconds", "model_id"));
      push("tokens", t, rate("troupe_llm_generation_tokens_total", "model_id"));
    }
    lastScrape = { t, samples };
    drawCharts();
  } catch (e) { /* shown by the page refresh */ }
}
function drawCharts() {
  for (const c of CHARTS) {
    const canvas = document.getElementById("chart-" + c.id);
    if (canvas) Charts.draw(canvas, chartData[c.id], c.unit);
  }
}

// ---- log following
let follow = null;
async function followLog(node, file) {
  const pre = $("#log-text");
  if (!pre) return;
  const base = "/api/logs/file?node_id=" + encodeURIComponent(node) + "&file=" + encodeURIComponent(file);
  const c = follow && follow.file === file && follow.node === node
    ? await api(base + "&offset=" + follow.end) : await api(base + "&tail=200");
  if (!follow || follow.file !== file || follow.node !== node) pre.textContent = "";
  pre.textContent += c.text;
  follow = { node, file, end: c.end };
  pre.scrollTop = pre.scrollHeight;
}

// ---- routing and refresh
async function render() {
  const [page, arg] = (location.hash.slice(1) || "cluster").split(/(?=\?)/);
  const name = pages[page] ? page : "cluster";
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("active", a.dataset.page === name));
  try {
    if (name === "logs" && arg && arg.includes("file=")) {
      if (!$("#log-text")) { $("#page").innerHTML = await pages.logs(arg); follow = null; }
      const p = new URLSearchParams(arg.slice(1));
      await followLog(p.get("node_id"), p.get("file"));
    } else if (name === "metrics") {
      if (!$("#chart-rps")) $("#page").innerHTML = await pages.metrics();
      drawCharts();
    } else {
      $("#page").innerHTML = await pages[name](arg || "");
    }
    $("#page").dataset.page = name;
    $("#page").dataset.loaded = "true";
    $("#error").hidden = true;
    $("#updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("#error").hidden = false;
    $("#error").textContent = e.message;
  }
}
window.addEventListener("hashchange", () => { $("#page").innerHTML = ""; follow = null; render(); });
$("#login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  token = $("#token").value;
  sessionStorage.setItem("troupe-token", token);
  $("#login").hidden = true;
  render();
});
render();
scrape();
setInterval(render, REFRESH_MS);
setInterval(scrape, METRICS_MS);
