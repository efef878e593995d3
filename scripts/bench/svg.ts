/**
 * The sweep chart: delivered rate (left axis) and p50/p99 latency (right
 * axis) against offered rate, with the relay's max delivered rate as a
 * reference line. Plain SVG, no dependencies.
 */
export interface SweepPoint {
  offered: number;
  delivered: number;
  p50: number;
  p99: number;
}

const WIDTH = 760;
const HEIGHT = 420;
const MARGIN = { left: 80, right: 70, top: 50, bottom: 60 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function label(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(value >= 1e7 ? 0 : 1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(value >= 1e4 ? 0 : 1)}k`;
  return value < 10 ? value.toFixed(1) : value.toFixed(0);
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function sweepChart(points: SweepPoint[], relayDelivered: number, title: string): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xMax = niceMax(Math.max(...points.map((p) => p.offered)));
  const yMax = niceMax(Math.max(relayDelivered, ...points.map((p) => p.delivered)) * 1.05);
  const latencyMax = niceMax(Math.max(1, ...points.map((p) => p.p99)));
  const x = (value: number) => MARGIN.left + (value / xMax) * plotWidth;
  const y = (value: number) => MARGIN.top + plotHeight - (value / yMax) * plotHeight;
  const yLatency = (value: number) => MARGIN.top + plotHeight - (value / latencyMax) * plotHeight;
  const line = (values: Array<[number, number]>, colour: string, dash = '') =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${values.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>` +
    values.map(([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3" fill="${colour}"/>`).join('');
  const ticks: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const fraction = i / 5;
    const ty = MARGIN.top + plotHeight - fraction * plotHeight;
    ticks.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${ty}" y2="${ty}" stroke="#e5e5e5"/>`);
    ticks.push(`<text x="${MARGIN.left - 8}" y="${ty + 4}" text-anchor="end">${label(fraction * yMax)}</text>`);
    ticks.push(`<text x="${WIDTH - MARGIN.right + 8}" y="${ty + 4}">${label(fraction * latencyMax)}</text>`);
    const tx = MARGIN.left + fraction * plotWidth;
    ticks.push(`<text x="${tx}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${label(fraction * xMax)}</text>`);
  }
  const sorted = [...points].sort((a, b) => a.offered - b.offered);
  const legend = [['#1f77b4', 'delivered/s (server)', ''], ['#7f7f7f', 'relay max delivered/s', '6 4'], ['#2ca02c', 'p50 latency (ms)', ''], ['#d62728', 'p99 latency (ms)', '']]
    .map(([colour, text, dash], i) => `<line x1="${MARGIN.left + 10 + i * 165}" x2="${MARGIN.left + 34 + i * 165}" y1="${MARGIN.top - 18}" y2="${MARGIN.top - 18}" stroke="${colour}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''}/><text x="${MARGIN.left + 38 + i * 165}" y="${MARGIN.top - 14}">${text}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>
${ticks.join('\n')}
<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(0)}" y2="${y(0)}" stroke="black"/>
<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${y(0)}" stroke="black"/>
<line x1="${WIDTH - MARGIN.right}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top}" y2="${y(0)}" stroke="black"/>
${line([[x(0), y(relayDelivered)], [x(xMax), y(relayDelivered)]], '#7f7f7f', '6 4')}
${line(sorted.map((p) => [x(p.offered), y(p.delivered)]), '#1f77b4')}
${line(sorted.map((p) => [x(p.offered), yLatency(p.p50)]), '#2ca02c')}
${line(sorted.map((p) => [x(p.offered), yLatency(p.p99)]), '#d62728')}
${legend.join('\n')}
<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 15}" text-anchor="middle">offered deliveries/s (messages/s × members − 1)</text>
<text transform="translate(20 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">delivered/s</text>
<text transform="translate(${WIDTH - 15} ${MARGIN.top + plotHeight / 2}) rotate(90)" text-anchor="middle">latency (ms)</text>
</svg>
`;
}
