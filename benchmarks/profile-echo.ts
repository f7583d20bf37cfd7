/**
 * Profiling harness for the per-message hot path (not a benchmark: echo.ts is). N C-ECHOs on one
 * association, either against a DCMTK storescp (TCP_NODELAY=1) or, with `--fake`, against an
 * in-memory peer that answers each PDU synchronously, so that only our own CPU time is measured
 * (no kernel, no peer, no scheduler). Run it under the CPU profiler:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --conditions=@hnvue/source --import tsx \
 *     benchmarks/profile-echo.ts [N] [--fake]
 */
import { performance } from 'node:perf_hooks';
import { Duplex } from 'node:stream';
import { Association, type DicomSocket } from '@hnvue/net';
import { decodeCommand, encodeCommand } from '@hnvue/net/dimse';
import { decodePDataPdvs, decodePdu, encodePdu, singlePdvHeader } from '@hnvue/net/pdu';
import { startStorescp } from '@hnvue/testing/peers';

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20000);
const fake = process.argv.includes('--fake');

/** A peer that accepts everything and answers C-ECHO-RQ with Success, replying in the same tick. */
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
              transferSyntax: pc.transferSyntaxes[0] ?? '1.2.840.10008.1.2',
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
        for (const pdv of decodePDataPdvs(chunk)) {
          const rq = decodeCommand(pdv.data);
          const rsp = encodeCommand({
            commandField: 0x8030,
            affectedSopClassUid: rq.affectedSopClassUid,
            messageIdBeingRespondedTo: rq.messageId,
            status: 0,
            hasDataset: false,
          });
          socket.push(Buffer.concat([singlePdvHeader(pdv.contextId, true, true, rsp.length), rsp]));
        }
      } else if (type === 0x05) {
        socket.push(Buffer.from([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
      }
      callback();
    },
  });
  return socket;
}

const storescp = fake ? undefined : await startStorescp({ aeTitle: 'STORESCP' });
try {
  const association = await Association.open({
    host: '127.0.0.1',
    port: storescp?.port ?? 104,
    callingAeTitle: 'HNVUE',
    calledAeTitle: 'STORESCP',
    ...(fake ? { connector: async () => fakePeer() } : {}),
  });
  for (let round = 0; round < 3; round++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < n; i++) await association.echo();
    const ms = performance.now() - start;
    const used = process.cpuUsage(cpu);
    console.log(
      `${n} C-ECHOs on one association (${fake ? 'in-memory peer' : 'storescp'}): ` +
        `${((ms * 1000) / n).toFixed(1)} µs wall, ${((used.user + used.system) / n).toFixed(1)} µs CPU per echo`,
    );
  }
  await association.release();
} finally {
  await storescp?.stop();
}
