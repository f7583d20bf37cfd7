/**
 * Writes the committed seed corpora of the net fuzz targets: fuzz/corpus/pdu (the golden PDUs
 * DCMTK 3.6.7 sent, test/golden, and our encoder's sample PDUs, test/pdu/fixtures.ts) and
 * fuzz/corpus/dimse-command (the command sets DCMTK sent, test/dimse/fixtures, and ours for the
 * other DIMSE-C/-N requests and a failure response with the error fields). regress-* inputs are
 * kept: dimse-command's are the two round-trip findings of the first run (an Error Comment outside
 * the default repertoire, unknown elements out of tag order), which the property now allows for.
 * Rerun: pnpm exec tsx --conditions @hnvue/source packages/net/fuzz/make-corpus.ts
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cFindRq,
  cMoveRq,
  nActionRq,
  nCreateRq,
  nEventReportRq,
  nSetRq,
  responseTo,
} from '../src/dimse/builders.js';
import { encodeCommand } from '../src/dimse/command.js';
import { encodePdu } from '../src/pdu/index.js';
import { hexFixture } from '../test/dimse/helpers.js';
import { loadGoldens, samplePdus } from '../test/pdu/fixtures.js';

const here = dirname(fileURLToPath(import.meta.url));
const pduDir = join(here, 'corpus', 'pdu');
const dimseDir = join(here, 'corpus', 'dimse-command');
// Inputs named regress-* are findings of the long run, kept by hand as regression seeds.
for (const d of [pduDir, dimseDir]) {
  mkdirSync(d, { recursive: true });
  for (const f of readdirSync(d)) if (!f.startsWith('regress-')) rmSync(join(d, f));
}
for (const g of loadGoldens()) writeFileSync(join(pduDir, `${g.name}.pdu`), g.bytes);
for (const [i, p] of samplePdus.entries()) {
  writeFileSync(join(pduDir, `sample-${i}-${p.type}.pdu`), encodePdu(p));
}

const fixtures = readdirSync(join(here, '..', 'test', 'dimse', 'fixtures')).filter((f) => f.endsWith('.hex'));
for (const f of fixtures) writeFileSync(join(dimseDir, f.replace(/\.hex$/, '.cmd')), hexFixture(f));
const SOP = '1.2.840.10008.5.1.4.1.1.1.1';
const INSTANCE = '2.25.4242';
const ours = {
  'c-find-rq': cFindRq({ messageId: 3, affectedSopClassUid: '1.2.840.10008.5.1.4.31' }),
  'c-move-rq': cMoveRq({
    messageId: 4,
    affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2',
    moveDestination: 'HNVUE',
  }),
  'n-create-rq': nCreateRq({
    messageId: 5,
    affectedSopClassUid: '1.2.840.10008.3.1.2.3.3',
    affectedSopInstanceUid: INSTANCE,
    hasDataset: true,
  }),
  'n-set-rq': nSetRq({
    messageId: 6,
    requestedSopClassUid: '1.2.840.10008.3.1.2.3.3',
    requestedSopInstanceUid: INSTANCE,
  }),
  'n-action-rq': nActionRq({
    messageId: 7,
    requestedSopClassUid: '1.2.840.10008.1.20.1',
    requestedSopInstanceUid: '1.2.840.10008.1.20.1.1',
    actionTypeId: 1,
    hasDataset: true,
  }),
  'n-event-report-rq': nEventReportRq({
    messageId: 8,
    affectedSopClassUid: '1.2.840.10008.1.20.1',
    affectedSopInstanceUid: '1.2.840.10008.1.20.1.1',
    eventTypeId: 2,
    hasDataset: true,
  }),
  'failure-rsp': responseTo(cFindRq({ messageId: 9, affectedSopClassUid: SOP }), 0xa700, {
    errorComment: 'out of resources',
    offendingElement: [0x00100010, 0x00080018],
    errorId: 7,
  }),
};
for (const [name, cmd] of Object.entries(ours))
  writeFileSync(join(dimseDir, `${name}.cmd`), encodeCommand(cmd));
console.log(`wrote ${pduDir} and ${dimseDir}`);
