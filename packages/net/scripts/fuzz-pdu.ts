/**
 * Long-run fuzzing of the PDU decoder and framer (the CI test runs a bounded slice of the same engine).
 *
 *   pnpm exec tsx --conditions @hnvue/source packages/net/scripts/fuzz-pdu.ts [duration] [first-seed]
 *
 * duration: seconds, or with a unit (90s, 30m, 8h); default 60s. Each seed runs 20 000 inputs; the
 * next seed follows. On a failure it prints the seed, iteration and input hex (replay with
 * HNVUE_FUZZ_SEED=<seed> in the test) and exits 1.
 */
import { fuzz } from '../test/fuzz/engine.js';

function parseDuration(arg: string | undefined): number {
  if (arg === undefined) return 60_000;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(arg);
  if (match === null) throw new Error(`duration "${arg}": expected e.g. 90s, 30m, 8h`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unit;
}

const durationMs = parseDuration(process.argv[2]);
let seed = Number(process.argv[3] ?? Date.now() % 0x7fff_ffff);
const deadline = Date.now() + durationMs;
const PER_SEED = 20_000;
let seeds = 0;
console.log(`fuzzing for ${durationMs / 1000} s from seed ${seed}`);
while (Date.now() < deadline) {
  const failure = fuzz(seed, PER_SEED, deadline);
  if (failure !== undefined) {
    console.error(`FAILURE seed ${failure.seed} iteration ${failure.iteration}`);
    console.error(`input ${failure.input}`);
    console.error(failure.error);
    process.exit(1);
  }
  seeds++;
  seed = (seed + 1) % 0x7fff_ffff;
}
console.log(`ok: ${seeds} seeds (up to ${seeds * PER_SEED} inputs), no failure`);
