// Minimal line charts on <canvas> and a Prometheus text-format parser; no libraries.
"use strict";
const Charts = {
  /** Samples of a Prometheus text exposition: [{name, labels, value}]. */
  parse(text) {
    const out = [];
    for (const line of text.split("\n")) {
      if (!line || line.startsWith("#")) continue;
      const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/);
      if (!m) continue;
      const labels = {};
      if (m[3]) for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      out.push({ name: m[1], labels, value: parseFloat(m[4]) });
    }
    return out;
  },
  /** Sum of a metric's samples, grouped by one label (or "" for all). */
  sumBy(samples, name, label, filter) {
    const g = {};
    for (const s of samples) {
      if (s.name !== name || (filter && !filter(s.labels))) continue;
      const k = label ? (s.labels[label] ?? "") : "";
      g[k] = (g[k] || 0) + s.value;
    }
    return g;
  },
  /** Quantile q of a histogram (buckets summed per group), from bucket deltas between two scrapes. */
  quantile(q, prev, cur, name, label) {
    const buckets = (samples) => {
      const g = {};
      for (const s of samples) {
        if (s.name !== name + "_bucket") continue;
        const k = label ? (s.labels[label] ?? "") : "";
        const le = s.labels.le === "+Inf" ? Infinity : parseFloat(s.labels.le);
        (g[k] = g[k] || {})[le] = ((g[k] || {})[le] || 0) + s.value;
      }
      return g;
    };
    const a = buckets(prev), b = buckets(cur), out = {};
    for (const k of Object.keys(b)) {
      const les = Object.keys(b[k]).map(Number).sort((x, y) => x - y);
      const d = les.map(le => b[k][le] - ((a[k] || {})[le] || 0));
      const total = d[d.length - 1];
      if (!(total > 0)) continue;
      const rank = q * total;
      for (let i = 0; i < les.length; i++) {
        if (d[i] >= rank) {
          const lo = i === 0 ? 0 : les[i - 1], hi = les[i], below = i === 0 ? 0 : d[i - 1];
          out[k] = hi === Infinity ? lo : lo + (hi - lo) * ((rank - below) / Math.max(1e-9, d[i] - below));
          break;
        }
      }
    }
    return out;
  },
  colors: ["#3b73d9", "#e0782f", "#2f9e6e", "#b54bb5", "#c23b3b", "#6f6f6f"],
  /** Draws series {name: [[t, v], ...]} into a canvas. */
  draw(canvas, series, unit) {
    const ctx = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 36;
    ctx.clearRect(0, 0, w, h);
    const pts = Object.values(series).flat();
    canvas.dataset.series = Object.keys(series).join(",");
    canvas.dataset.points = String(pts.length);
    ctx.font = "11px sans-serif";
    ctx.fillStyle = "#7a849a";
    if (pts.length === 0) { ctx.fillText("no data yet", w / 2 - 28, h / 2); return; }
    const t0 = Math.min(...pts.map(p => p[0])), t1 = Math.max(...pts.map(p => p[0]), t0 + 1);
    const vmax = Math.max(...pts.map(p => p[1]), 1e-9) * 1.1;
    ctx.strokeStyle = "#e3e6ee";
    ctx.beginPath(); ctx.moveTo(pad, 4); ctx.lineTo(pad, h - 16); ctx.lineTo(w - 4, h - 16); ctx.stroke();
    ctx.fillText(vmax.toPrecision(3) + " " + unit, 2, 12);
    ctx.fillText("0", pad - 10, h - 18);
    let i = 0, ly = 14;
    for (const [name, ps] of Object.entries(series)) {
      const c = this.colors[i++ % this.colors.length];
      ctx.strokeStyle = c; ctx.fillStyle = c; ctx.beginPath();
      ps.forEach(([t, v], j) => {
        const x = pad + (w - pad - 8) * (t - t0) / (t1 - t0), y = (h - 16) - (h - 24) * v / vmax;
        j === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y);
      });
      ctx.stroke();
      ctx.fillText(name || "all", w - 150, ly); ly += 13;
    }
  },
};
