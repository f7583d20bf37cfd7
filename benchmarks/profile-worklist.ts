/**
 * Profiling harness for the C-FIND response path (not a benchmark: worklist.ts is): N worklist
 * queries returning all 1000 generated items, from a DCMTK wlmscpfs (TCP_NODELAY=1) or, with
 * `--fake`, from an in-memory peer that answers the query with the same 1000 matches in 64 KiB
 * chunks, so that only our own CPU time is measured. Prints wall and CPU time per query; run it
 * under the CPU profiler:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=@hnvue/source --import tsx \
 *     benchmarks/profile-worklist.ts [N] [--fake]
 */
import { performance } from 'node:perf_hooks';
import { Duplex } from 'node:stream';
import type { DicomSocket } from '@hnvue/net';
import { decodeCommand, encodeCommand } from '@hnvue/net/dimse';
import { decodePDataPdvs, decodePdu, encodePdu, singlePdvHeader } from '@hnvue/net/pdu';
import { makeTempDir, rmTempDir, startWlmscpfs } from '@hnvue/testing/peers';
import { worklistItem, writeWorklistFiles } from '@hnvue/testing/worklist';
import { encodeDataset } from '../packages/dicom/src/index.js';
import { queryWorklist } from '../packages/net/src/workflow/index.js';

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 10);
const fake = process.argv.includes('--fake');
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

/** The C-FIND-RSPs for 1000 matches (Pending with data set, then Success), as P-DATA-TF bytes. */
function responses(messageId: number, contextId: number): Buffer {
  const parts: Uint8Array[] = [];
  const pdu = (isCommand: boolean, value: Uint8Array) => {
    parts.push(singlePdvHeader(contextId, isCommand, true, value.length), value);
  };
  for (let i = 0; i < 1000; i++) {
    const command = {
      commandField: 0x8020,
      affectedSopClassUid: '1.2.840.10008.5.1.4.31',
      messageIdBeingRespondedTo: messageId,
      status: 0xff00,
    };
    pdu(true, encodeCommand({ ...command, hasDataset: true }));
    pdu(false, encodeDataset(worklistItem(i).dataset, { transferSyntax: EXPLICIT_LE }));
  }
  pdu(
    true,
    encodeCommand({
      commandField: 0x8020,
      affectedSopClassUid: '1.2.840.10008.5.1.4.31',
      messageIdBeingRespondedTo: messageId,
      status: 0,
      hasDataset: false,
    }),
  );
  return Buffer.concat(parts);
}

let cached: Buffer | undefined;

function fakePeer(): DicomSocket {
  const socket: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      const type = chunk[0];
      if (type === 0x01) {
        const rq = decodePdu(chunk);
        if (rq.type !== 'A-ASSOCIATE-RQ') throw new Error('expected A-ASSOCIATE-RQ');
        socket.push(
          encodePdu({
            type: 'A-ASSOCIATE-AC',
            protocolVersion: 1,
            calledAeTitle: rq.calledAeTitle,
            callingAeTitle: rq.callingAeTitle,
            applicationContext: rq.applicationContext,
            presentationContexts: rq.presentationContexts.map((pc) => ({
              id: pc.id,
              result: 0,
              transferSyntax: EXPLICIT_LE,
            })),
            userInformation: {
              maxPduLength: 16384,
              implementationClassUid: '1.2.3.4',
              roleSelections: [],
              sopClassExtendedNegotiations: [],
              sopClassCommonExtendedNegotiations: [],
              unknownItems: [],
            },
          }),
        );
      } else if (type === 0x04) {
        const pdv = decodePDataPdvs(chunk)[0];
        if (pdv?.isCommand) {
          const rq = decodeCommand(pdv.data);
          if (rq.commandField === 0x0020) {
            cached ??= responses(rq.messageId ?? 1, pdv.contextId);
            const all = cached;
            // As a socket delivers them: 64 KiB reads, on later turns of the event loop.
            let offset = 0;
            const pump = () => {
              if (offset >= all.length) return;
              socket.push(all.subarray(offset, offset + 65536));
              offset += 65536;
              setImmediate(pump);
            };
            setImmediate(pump);
          }
        }
      } else if (type === 0x05) {
        socket.push(Buffer.from([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
      }
      callback();
    },
  });
  return socket;
}

const dataDir = fake ? undefined : await makeTempDir('hnvue-profile-mwl-');
const peer = dataDir === undefined ? undefined : await startWlmscpfs({ aeTitle: 'WLMSCP', dataDir });
if (dataDir !== undefined) await writeWorklistFiles(`${dataDir}/WLMSCP`, 1000);
try {
  for (let i = 0; i < n; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    let items = 0;
    for await (const _ of queryWorklist({
      host: '127.0.0.1',
      port: peer?.port ?? 104,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'WLMSCP',
      query: {},
      ...(fake ? { connector: async () => fakePeer() } : {}),
    })) {
      items++;
    }
    const used = process.cpuUsage(cpu);
    console.log(
      `${items} items (${fake ? 'in-memory peer' : 'wlmscpfs'}): ${(performance.now() - start).toFixed(1)} ms wall, ${((used.user + used.system) / 1000).toFixed(1)} ms CPU`,
    );
  }
} finally {
  await peer?.stop();
  if (dataDir !== undefined) await rmTempDir(dataDir);
}
