/**
 * A progress bar on stderr (cli-progress) for long runs: shown only when stderr is a terminal and
 * the run is still going after a second, so short runs, pipes and CI logs see nothing. The
 * library is loaded only then.
 */
import type { SingleBar } from "cli-progress";

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const DELAY_MS = 1000;

export function progressBar(total: number, what: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total === 0) return { update() {}, stop() {} };
  let done = 0;
  let bar: SingleBar | undefined;
  let stopped = false;
  const timer = setTimeout(() => {
    import("cli-progress").then(
      (m) => {
        const cp = m.default;
        if (stopped) return;
        bar = new cp.SingleBar(
          {
            stream,
            format: `${what} [{bar}] {value}/{total} {percentage}% | {duration}s, ETA {eta}s`,
            hideCursor: true,
          },
          cp.Presets.shades_classic,
        );
        bar.start(total, done);
      },
      () => {}, // no bar is no error
    );
  }, DELAY_MS);
  timer.unref();
  return {
    update(d) {
      done = d;
      bar?.update(d);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      bar?.stop();
    },
  };
}
