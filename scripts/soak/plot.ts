/**
 * The soak's picture: RSS and p99 MO→reply latency over time, two stacked line charts drawn as SVG by hand
 * and turned into a PNG by Debian's Chromium through playwright-core (a devDependency already; no browser
 * download, no native canvas).
 */
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

export interface SoakPoint {
  tS: number;
  rssMiB: number;
  p99Ms: number | null;
}

const W = 900, H = 260, PAD = { l: 70, r: 20, t: 36, b: 40 };

function chart(points: SoakPoint[], pick: (p: SoakPoint) => number | null, title: string, unit: string, color: string, y0: number): string {
  const xs = points.map((p) => p.tS), vs = points.map(pick).filter((v): v is number => v !== null);
  const xMax = Math.max(1, ...xs), vMax = Math.max(1, ...vs) * 1.1;
  const x = (t: number) => PAD.l + (t / xMax) * (W - PAD.l - PAD.r);
  const y = (v: number) => y0 + PAD.t + (1 - v / vMax) * (H - PAD.t - PAD.b);
  const path = points.filter((p) => pick(p) !== null).map((p, i) => `${i ? 'L' : 'M'}${x(p.tS).toFixed(1)},${y(pick(p)!).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = vMax * f;
    return `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${PAD.l - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(v < 10 ? 1 : 0)}</text>`;
  }).join('');
  const xt = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${x(xMax * f)}" y="${y0 + H - PAD.b + 18}" text-anchor="middle">${Math.round(xMax * f)} s</text>`).join('');
  return `<text x="${PAD.l}" y="${y0 + 22}" font-weight="bold">${title} (${unit})</text>${ticks}${xt}<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`;
}

export function soakSvg(points: SoakPoint[], caption: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${2 * H + 30}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${chart(points, (p) => p.rssMiB, 'Gateway RSS', 'MiB', '#1f77b4', 0)}
${chart(points, (p) => p.p99Ms, 'p99 MO→reply latency per 10 s window', 'ms', '#d62728', H)}
<text x="${PAD.l}" y="${2 * H + 20}" fill="#555">${caption}</text>
</svg>`;
}

export async function writePng(svg: string, file: string): Promise<void> {
  writeFileSync(file.replace(/\.png$/, '.svg'), svg);
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: 2 * H + 30 } });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: file, clip: { x: 0, y: 0, width: W, height: 2 * H + 30 } });
  } finally {
    await browser.close();
  }
}
