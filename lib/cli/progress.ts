import cliProgress from "cli-progress";

/**
 * Progress for long steps: a bar with the rate and the time left on a terminal — one line per
 * phase, since phases can run at once (a run uploads and ingests together) — and a plain line per
 * 10% when output is a file or a pipe (CI logs stay readable). Writes to stderr so stdout keeps
 * only results.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()) {
  let multi: cliProgress.MultiBar | undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  const lastDecile = new Map<string, number>();
  const started = new Map<string, number>();
  return {
    update(phase: string, done: number, total: number) {
      if (!started.has(phase)) started.set(phase, now());
      const speed = rate(done, now() - started.get(phase)!);
      if (stream.isTTY) {
        multi ??= new cliProgress.MultiBar(
          { stream, format: "{phase} [{bar}] {value}/{total} {percentage}% | {rate}/s | {duration_formatted} | eta {eta_formatted}", hideCursor: true, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        );
        let bar = bars.get(phase);
        if (!bar) {
          bar = multi.create(total, 0, { phase: phase.padEnd(7), rate: speed });
          bars.set(phase, bar);
        }
        bar.setTotal(total);
        bar.update(done, { rate: speed });
        return;
      }
      const decile = total === 0 ? 10 : Math.floor((10 * done) / total);
      if (decile > (lastDecile.get(phase) ?? -1)) {
        lastDecile.set(phase, decile);
        const eta = done > 0 && done < total ? `, about ${Math.ceil(((total - done) * (now() - started.get(phase)!)) / done / 1000)} s left` : "";
        stream.write(`${phase}: ${done}/${total} (${speed}/s${eta})\n`);
      }
    },
    stop() {
      multi?.stop();
      multi = undefined;
      bars.clear();
    },
  };
}

function rate(done: number, elapsedMs: number): string {
  const perSecond = elapsedMs > 0 ? (1000 * done) / elapsedMs : 0;
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}
