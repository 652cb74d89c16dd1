// What the end-to-end test measures inside the page: the text the charts
// draw on their canvases, and boxes that run past the viewport's right edge.
// Each function runs in the browser (page.evaluate / addInitScript), so it
// uses nothing from its module.

// recordCanvasText wraps the 2D context's fillText so that every text a
// canvas draws is kept with its box in device pixels, the canvas's latest
// frame only: ECharts clears the whole canvas before it draws a frame.
export function recordCanvasText() {
  const frames = new Map();
  window.__canvasText = frames;
  const proto = CanvasRenderingContext2D.prototype;
  const clearRect = proto.clearRect;
  proto.clearRect = function (x, y, w, h) {
    if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) {
      frames.set(this.canvas, []);
    }
    return clearRect.call(this, x, y, w, h);
  };
  const fillText = proto.fillText;
  proto.fillText = function (text, x, y, ...rest) {
    const m = this.getTransform();
    const width = this.measureText(String(text)).width * m.a;
    const at = m.a * x + m.c * y + m.e;
    const shift = { center: width / 2, right: width, end: width }[this.textAlign] ?? 0;
    const list = frames.get(this.canvas) ?? [];
    frames.set(this.canvas, list);
    list.push({ text: String(text), left: at - shift, right: at - shift + width, y: m.b * x + m.d * y + m.f });
    return fillText.call(this, text, x, y, ...rest);
  };
}

// timeAxisProblems says, for every chart of ours on the page, what is wrong
// with the time labels of its x axis as drawn: fewer than two, two that
// overlap, or one cut by the canvas's edge. The x axis's labels are the
// times drawn on the lowest line of the canvas.
export function timeAxisProblems() {
  const time = /^\d{1,2}:\d{2}(:\d{2})?(\s?[AP]M)?$/i;
  const problems = [];
  const charts = [...document.querySelectorAll('[data-testid=llm-chart]')];
  for (const chart of charts) {
    const canvas = chart.querySelector('canvas');
    const name = chart.dataset.title;
    const times = (window.__canvasText?.get(canvas) ?? []).filter(t => time.test(t.text.trim()));
    const baseline = Math.max(...times.map(t => t.y));
    const row = times.filter(t => Math.abs(t.y - baseline) < 1).sort((a, b) => a.left - b.left);
    if (row.length < 2) {
      problems.push(`${name}: ${row.length} time labels drawn`);
      continue;
    }
    row.forEach((label, i) => {
      const prev = row[i - 1];
      if (prev && label.left < prev.right) {
        problems.push(`${name}: "${prev.text}" and "${label.text}" overlap by ${Math.round(prev.right - label.left)} px`);
      }
      if (label.left < 0 || label.right > canvas.width) {
        problems.push(`${name}: "${label.text}" is cut by the canvas edge`);
      }
    });
  }
  return charts.length === 0 ? ['no charts on the page'] : problems;
}

// overflowProblems lists the elements under selector that run past the
// viewport's right edge. With reachable set, an element inside a box that
// scrolls sideways and itself ends within the viewport is fine: scrolling
// that box shows it.
export function overflowProblems({ selector, reachable }) {
  const edge = document.documentElement.clientWidth + 0.5;
  const root = document.querySelector(selector);
  if (!root) {
    return [`nothing matches ${selector}`];
  }
  const scrollsWithin = el => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && box.getBoundingClientRect().right <= edge) {
        return true;
      }
    }
    return false;
  };
  const problems = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > edge && !(reachable && scrollsWithin(el))) {
      const name = el.getAttribute('data-testid') || el.getAttribute('data-title') || el.textContent.trim().slice(0, 30);
      problems.push(`<${el.tagName.toLowerCase()}> "${name}" ends at ${Math.round(box.right)} px, past ${Math.round(edge)} px`);
    }
  }
  return problems;
}

// lastColumnReachable scrolls the LLM stats table's own box to its end and
// says whether its last column header then shows within the viewport.
export function lastColumnReachable() {
  const table = document.querySelector('[data-testid=llm-stats-table] table');
  let box = table?.parentElement;
  while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) {
    box = box.parentElement;
  }
  if (!table || !box) {
    return { scrolls: false, visible: false };
  }
  box.scrollLeft = box.scrollWidth;
  const last = [...table.querySelectorAll('th')].at(-1).getBoundingClientRect();
  const visible = last.right <= document.documentElement.clientWidth + 0.5 && last.left >= 0;
  const scrolls = box.scrollWidth > box.clientWidth;
  box.scrollLeft = 0;
  return { scrolls, visible };
}
